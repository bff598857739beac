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
    /** The label of the red mark at {@link #slowdownAt}: the event the run reacts to. */
    String slowdownLabel = "slowdown";

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

    /**
     * The top of the plot's y-axis: 1.15 x the largest iteration time away from the
     * migrations (2 s either side of each), so that a move's pause, one sample of hundreds of
     * ms, does not flatten the rest; the samples above it are drawn clipped at the top and
     * marked with their value.
     */
    double yTop() {
        double away = samples.stream().filter(x -> migrations.stream().noneMatch(m -> Math.abs(m.seconds()
                - x.seconds()) <= 2)).mapToDouble(Sample::iterationMs).max().orElse(Double.NaN);
        double all = samples.stream().mapToDouble(Sample::iterationMs).max().orElse(1);
        return Math.max(1, 1.15 * (Double.isNaN(away) ? all : Math.min(away, all)));
    }

    void writeSvg(Path file, String title) throws IOException {
        int w = 900;
        int h = 420;
        int left = 70;
        int right = 20;
        int top = 40;
        int bottom = 50;
        double tMax = Math.max(1, samples.stream().mapToDouble(Sample::seconds).max().orElse(1));
        double yMax = yTop();
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
            double x = left + pw * s.seconds() / tMax;
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, h - bottom - ph * Math.min(s.iterationMs(), yMax) / yMax));
            if (s.iterationMs() > yMax) {   // clipped: a migration's pause
                sb.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' fill='#1f77b4' font-size='10' "
                        + "text-anchor='middle'>&#9650; %.0f ms</text>%n", x, top - 4, s.iterationMs()));
            }
        }
        sb.append("<polyline fill='none' stroke='#1f77b4' stroke-width='2' points='").append(pts).append("'/>\n");
        record Coloured(Mark mark, String colour) {
        }
        List<Coloured> marks = new ArrayList<>();
        if (slowdownAt != null) {
            marks.add(new Coloured(new Mark(slowdownAt, slowdownLabel), "#d62728"));
        }
        migrations.forEach(m -> marks.add(new Coloured(m, "#2ca02c")));
        marks.sort(java.util.Comparator.comparingDouble(c -> c.mark().seconds()));
        List<Double> rowEnds = new ArrayList<>();   // where the last label of each row ends (x)
        for (Coloured c : marks) {
            double x = left + pw * c.mark().seconds() / tMax;
            mark(sb, x, top, h - bottom, c.colour(), c.mark().label(), labelRow(rowEnds, x, c.mark().label()));
        }
        sb.append("</svg>\n");
        Files.writeString(file, sb);
    }

    /** The first row whose last label ends left of {@code x}: labels of marks close in time do not overlap. */
    static int labelRow(List<Double> rowEnds, double x, String label) {
        double end = x + 4 + 7 * label.length();   // about 7 px per character at 12 px
        for (int row = 0; row < rowEnds.size(); row++) {
            if (rowEnds.get(row) < x) {
                rowEnds.set(row, end);
                return row;
            }
        }
        rowEnds.add(end);
        return rowEnds.size() - 1;
    }

    private static void mark(StringBuilder sb, double x, int top, int bottom, String colour, String label, int row) {
        sb.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='%s' "
                + "stroke-dasharray='5,4'/>%n<text x='%.1f' y='%d' fill='%s'>%s</text>%n", x, top, x, bottom, colour,
                x + 4, top + 12 + 14 * row, colour, esc(label)));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
    }
}
