package io.roam.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The Markdown table and the SVG plots of a set of runs of one scenario. */
public final class Report {
    /** The plots written by {@link #write}: file name, title, y label. */
    static final List<String[]> PLOTS = List.of(
            new String[] {"imbalance.svg", "Load imbalance (max / mean node load)", "max / mean"},
            new String[] {"iteration.svg", "Application iteration time / greedy reference", "sum of iteration times"},
            new String[] {"migrations.svg", "Migrations so far", "migrations"},
            new String[] {"messages.svg", "Messages per node so far", "messages / node"});

    private Report() {
    }

    /** The summary table, one row per run. */
    public static String table(Scenario s, List<SimulationResult> runs) {
        StringBuilder b = new StringBuilder();
        b.append("| balancer | within 1.05 of greedy at | rounds | within 1.25 at | final max load / greedy"
                + " | max load / greedy at round 2 log2 P | final imbalance | final iteration time / greedy | migrations"
                + " | messages / node | of which views | messages / node / round | wall s | CPU s | load avg"
                + " | node-rounds / s |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (SimulationResult r : runs) {
            RoundSample last = r.last();
            int within125 = r.firstRoundWithin(1.25);
            int early = Math.min(r.samples().size() - 1, twoLog2(s.nodes()));
            b.append(f("| %s | %s | %s | %s | %.3f | %.3f (round %d) | %.3f | %.3f | %d | %.1f | %.1f | %.2f | %.1f"
                            + " | %s | %s | %.0f |%n",
                    r.balancer(),
                    r.reachedMs() < 0 ? "not reached" : f("%.1f s", r.reachedMs() / 1000.0),
                    r.reachedRound() < 0 ? "-" : Integer.toString(r.reachedRound()),
                    within125 < 0 ? "not reached" : f("%.1f s (round %d)",
                            r.samples().get(within125).timeMs() / 1000.0, within125), last.referenceRatio(),
                    r.samples().get(early).referenceRatio(), early,
                    last.imbalance(), last.iterationRatio(), r.migrations(), r.messagesPerNode(),
                    r.viewMessages() / (double) Math.max(1, r.nodes()),
                    r.messagesPerNode() / Math.max(1, r.samples().size()), r.wallNanos() / 1e9,
                    r.cpuNanos() < 0 ? "-" : f("%.1f", r.cpuNanos() / 1e9),
                    r.loadAverage() < 0 ? "-" : f("%.2f", r.loadAverage()), r.nodeRoundsPerSecond()));
        }
        return b.toString();
    }

    /** ceil(2 log2 n): the rounds a gossip protocol is given (issue 23: about 27 at 10,000 nodes). */
    static int twoLog2(int n) {
        return (int) Math.ceil(2 * Math.log(Math.max(2, n)) / Math.log(2));
    }

    /** Writes report.md, the plots and samples.csv into {@code dir}. */
    public static void write(Path dir, Scenario s, List<SimulationResult> runs) {
        try {
            Files.createDirectories(dir);
            StringBuilder md = new StringBuilder();
            md.append("# Simulation: ").append(s.name()).append("\n\n");
            md.append(f("%d nodes (%s, %s speeds), %d jobs x %d processes (%s), %s start, %.0f s simulated,"
                            + " rounds of %d ms, seed %d.%n%n", s.nodes(), s.topology().kind(), s.cpu().distribution(),
                    s.applications().jobs(), s.applications().processesPerJob(), s.applications().graph(),
                    s.placement().kind(), s.durationMs() / 1000.0, s.roundMs(),
                    runs.isEmpty() ? 0 : runs.get(0).seed()));
            md.append(table(s, runs)).append('\n');
            for (String[] p : PLOTS) {
                md.append("![").append(p[1]).append("](").append(p[0]).append(")\n\n");
            }
            Files.writeString(dir.resolve("report.md"), md.toString());
            Files.writeString(dir.resolve(PLOTS.get(0)[0]),
                    SvgPlot.render(PLOTS.get(0)[1], PLOTS.get(0)[2], runs, RoundSample::imbalance, true));
            Files.writeString(dir.resolve(PLOTS.get(1)[0]),
                    SvgPlot.render(PLOTS.get(1)[1], PLOTS.get(1)[2], runs, RoundSample::iterationRatio, true));
            Files.writeString(dir.resolve(PLOTS.get(2)[0]),
                    SvgPlot.render(PLOTS.get(2)[1], PLOTS.get(2)[2], runs, r -> r.migrations(), false));
            Files.writeString(dir.resolve(PLOTS.get(3)[0]),
                    SvgPlot.render(PLOTS.get(3)[1], PLOTS.get(3)[2], runs, RoundSample::messagesPerNode, false));
            StringBuilder csv = new StringBuilder("balancer,time_ms,nodes,imbalance,reference_ratio,iteration_ratio,"
                    + "migrations,messages_per_node\n");
            for (SimulationResult r : runs) {
                for (RoundSample x : r.samples()) {
                    csv.append(f("%s,%d,%d,%.5f,%.5f,%.5f,%d,%.2f%n", r.balancer(), x.timeMs(), x.nodes(),
                            x.imbalance(), x.referenceRatio(), x.iterationRatio(), x.migrations(),
                            x.messagesPerNode()));
                }
            }
            Files.writeString(dir.resolve("samples.csv"), csv.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
