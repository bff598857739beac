package io.roam.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** A line plot of one quantity over simulated time, one line per run, as plain SVG text. */
final class SvgPlot {
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f"};
    private static final int W = 720;
    private static final int H = 400;
    private static final int LEFT = 70;
    private static final int RIGHT = 150;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private SvgPlot() {
    }

    /** The plot of {@code value} for each run; {@code logY} plots log10 of values above 0. */
    static String render(String title, String yLabel, List<SimulationResult> runs,
                         ToDoubleFunction<RoundSample> value, boolean logY) {
        double xMax = 1;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (SimulationResult r : runs) {
            for (RoundSample s : r.samples()) {
                xMax = Math.max(xMax, s.timeMs() / 1000.0);
                double y = y(value.applyAsDouble(s), logY);
                if (Double.isFinite(y)) {
                    yMin = Math.min(yMin, y);
                    yMax = Math.max(yMax, y);
                }
            }
        }
        if (!(yMax > yMin)) {
            yMin = Double.isFinite(yMin) ? yMin - 1 : 0;
            yMax = yMin + 2;
        }
        StringBuilder b = new StringBuilder();
        b.append(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                + " font-size=\"12\">%n", W, H));
        b.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        b.append(f("<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>%n", LEFT, esc(title)));
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        b.append(f("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"black\"/>%n", LEFT, TOP,
                pw, ph));
        for (int i = 0; i <= 4; i++) {
            double yv = yMin + (yMax - yMin) * i / 4;
            double py = TOP + ph - ph * i / 4.0;
            b.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, py, LEFT + pw, py));
            b.append(f("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 5, py + 4,
                    label(logY ? Math.pow(10, yv) : yv)));
            double xv = xMax * i / 4;
            double px = LEFT + pw * i / 4.0;
            b.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", px, TOP + ph + 18, label(xv)));
        }
        b.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">simulated time (s)</text>%n", LEFT + pw / 2,
                H - 10));
        b.append(f("<text x=\"15\" y=\"%d\" transform=\"rotate(-90 15 %d)\" text-anchor=\"middle\">%s</text>%n",
                TOP + ph / 2, TOP + ph / 2, esc(yLabel + (logY ? " (log scale)" : ""))));
        for (int k = 0; k < runs.size(); k++) {
            SimulationResult r = runs.get(k);
            String colour = COLOURS[k % COLOURS.length];
            List<String> points = new ArrayList<>();
            for (RoundSample s : r.samples()) {
                double y = y(value.applyAsDouble(s), logY);
                if (Double.isFinite(y)) {
                    points.add(f("%.1f,%.1f", LEFT + pw * (s.timeMs() / 1000.0) / xMax,
                            TOP + ph - ph * (y - yMin) / (yMax - yMin)));
                }
            }
            b.append(f("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n", colour,
                    String.join(" ", points)));
            int ly = TOP + 15 + 18 * k;
            b.append(f("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>%n",
                    LEFT + pw + 10, ly - 4, LEFT + pw + 30, ly - 4, colour));
            b.append(f("<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + pw + 35, ly, esc(r.balancer())));
        }
        return b.append("</svg>\n").toString();
    }

    private static double y(double v, boolean log) {
        return log ? (v > 0 ? Math.log10(v) : Double.NaN) : v;
    }

    private static String label(double v) {
        double a = Math.abs(v);
        return a >= 1e4 || (a < 0.01 && a > 0) ? f("%.2g", v) : a >= 100 ? f("%.0f", v) : f("%.2f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
