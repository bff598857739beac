package io.roam.heat.auto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the autonomous demo saw: the job's iteration time over wall time, the slowdown and
 * each migration; written as an SVG plot and summarised before / during / after.
 */
final class Timeline {
    record Sample(double seconds, double iterationMs, long iteration) {
    }

    record Mark(double seconds, String label) {
    }

    final List<Sample> samples = new ArrayList<>();
    final List<Mark> migrations = new ArrayList<>();
    Double slowdownAt;

    void sample(double s, double ms, long iteration) {
        if (ms > 0 && (samples.isEmpty() || samples.get(samples.size() - 1).iteration() != iteration)) {
            samples.add(new Sample(s, ms, iteration));
        }
    }

    /** Median, min and max of the iteration times sampled in [from, to); NaN when none. */
    record Phase(double medianMs, double minMs, double maxMs, int samples) {
    }

    Phase phase(double from, double to) {
        double[] v = samples.stream().filter(x -> x.seconds() >= from && x.seconds() < to)
                .mapToDouble(Sample::iterationMs).sorted().toArray();
        return v.length == 0 ? new Phase(Double.NaN, Double.NaN, Double.NaN, 0)
                : new Phase(v[v.length / 2], v[0], v[v.length - 1], v.length);
    }

    /** Median iteration time between two instants (NaN if no sample). */
    double median(double from, double to) {
        return phase(from, to).medianMs();
    }

    void writeSvg(Path file, String title) throws IOException {
        int w = 900;
        int h = 420;
        int left = 70;
        int right = 20;
        int top = 40;
        int bottom = 50;
        double tMax = Math.max(1, samples.stream().mapToDouble(Sample::seconds).max().orElse(1));
        double yMax = Math.max(1, samples.stream().mapToDouble(Sample::iterationMs).max().orElse(1) * 1.1);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
                + "font-family='sans-serif' font-size='12'>%n<rect width='100%%' height='100%%' fill='white'/>%n", w, h));
        sb.append(String.format(Locale.ROOT, "<text x='%d' y='22' font-size='15'>%s</text>%n", left, esc(title)));
        double pw = w - left - right;
        double ph = h - top - bottom;
        sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n", left, h - bottom,
                w - right, h - bottom));
        sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='black'/>%n", left, top, left,
                h - bottom));
        for (int i = 0; i <= 5; i++) {
            double y = h - bottom - ph * i / 5;
            sb.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' text-anchor='end'>%.1f</text>%n", left - 6, y + 4,
                    yMax * i / 5));
            double x = left + pw * i / 5;
            sb.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle'>%.0f</text>%n", x,
                    h - bottom + 18, tMax * i / 5));
        }
        sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' text-anchor='middle'>wall time (s)</text>%n",
                left + (int) pw / 2, h - 10));
        sb.append(String.format(Locale.ROOT, "<text x='16' y='%d' transform='rotate(-90 16 %d)' text-anchor='middle'>"
                + "iteration time (ms)</text>%n", top + (int) ph / 2, top + (int) ph / 2));
        StringBuilder pts = new StringBuilder();
        for (Sample s : samples) {
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + pw * s.seconds() / tMax,
                    h - bottom - ph * s.iterationMs() / yMax));
        }
        sb.append("<polyline fill='none' stroke='#1f77b4' stroke-width='2' points='").append(pts).append("'/>\n");
        if (slowdownAt != null) {
            mark(sb, left + pw * slowdownAt / tMax, top, h - bottom, "#d62728", "slowdown");
        }
        for (Mark m : migrations) {
            mark(sb, left + pw * m.seconds() / tMax, top, h - bottom, "#2ca02c", m.label());
        }
        sb.append("</svg>\n");
        Files.writeString(file, sb);
    }

    private static void mark(StringBuilder sb, double x, int top, int bottom, String colour, String label) {
        sb.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s' "
                + "stroke-dasharray='5,4'/>%n<text x='%.1f' y='%d' fill='%s'>%s</text>%n", x, top, x, bottom, colour,
                x + 4, top + 12, colour, esc(label)));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
    }
}
