package io.roam.heat.bench;

import io.roam.heat.bench.BalancingBenchmark.Run;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** The Markdown of benchmarks/results/balancing.md from the runs of {@link BalancingBenchmark}. */
record BalancingReport(Machine machine, String reproduce, int iterations, int slowAfter, List<Run> runs) {
    private static final double AFTER_TARGET = 1.1;
    private static final double REACTION_TARGET_S = 20;

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Balancing benchmark\n\nWritten by `benchmarks/balancing.sh`; rerun it rather than edit this file.\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| date | ").append(machine.date()).append(" |\n");
        md.append("| machine | ").append(machine.cores()).append(" cores (nproc), ").append(machine.cpu())
                .append(", ").append(machine.memory()).append(" |\n");
        md.append("| Open MPI | ").append(machine.openMpi()).append(" |\n");
        md.append("| reproduce | `").append(reproduce).append("` (as root, after `make`) |\n\n");
        md.append("Each run is `scripts/auto-demo.sh` (the `make demo` job) with the agents at their **default settings** "
                + "(`--tuning default`: reference.conf, only `roam.agent.slots=1`): three network-namespace hosts, each "
                + "a CPU cgroup of 0.6 cores, a `roam agent` on each, heat diffusion 2048 x 2048 on 2 ranks for ")
                .append(iterations).append(" iterations under `roam run`. In a throttled run, rank 0's host is cut to "
                + "0.15 cores ").append(slowAfter).append(" s after the first iteration-time sample, without telling "
                + "any agent. The ideal is the same job on the same cluster never throttled. Iteration times are "
                + "libpcm's (the cadence of `PCM_Status`) as the agents report them, sampled every second: median "
                + "(min to max, samples) over the 15 s before the slowdown, from 2 s after it to the first migration "
                + "(few samples: the move comes within seconds, and the last sample may include the move's pause), "
                + "and from 3 s after the last migration to the end. Reaction: from the throttling to the first "
                + "completed migration seen in `roam status`.\n\n");

        md.append("## Balanced cluster (ideal): no migration expected\n\n");
        md.append("| strategy | protocol | iteration ms | migrations | bit-exact |\n|---|---|---:|---:|---|\n");
        for (Run r : runs) {
            if (!r.slowdown()) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %s |%n", r.strategy(), r.protocol(),
                        r.range("all"), r.migrations(), exact(r)));
            }
        }
        md.append("\n## Throttled host\n\n");
        md.append("| strategy | protocol | before ms | during ms | after ms | after / ideal | reaction s | "
                + "migrations (before slowdown) | bit-exact |\n|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Run r : runs) {
            if (r.slowdown()) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %d (%d) | %s |%n",
                        r.strategy(), r.protocol(), r.range("before"), r.range("during"), r.range("after"),
                        fmt(afterOverIdeal(r)), fmt(r.result().path("reactionSeconds").asDouble(Double.NaN)),
                        r.migrations(), r.result().path("migrationsBeforeSlowdown").asLong(), exact(r)));
            }
        }
        md.append("\n## Targets\n\n");
        md.append(targets());
        md.append("\n## Choice of the default strategy\n\n");
        md.append(choice());
        md.append("\nEach run's log, plot (iteration-time.svg) and result.json are under ")
                .append(runs.isEmpty() ? "-" : "`" + runs.get(0).dir().getParent() + "`").append(" on the machine that "
                + "ran it.\n");
        return md.toString();
    }

    private double ideal(String strategy) {
        return runs.stream().filter(r -> !r.slowdown() && r.strategy().equals(strategy)).mapToDouble(r -> r.ms("all"))
                .filter(v -> !Double.isNaN(v)).findFirst().orElse(Double.NaN);
    }

    double afterOverIdeal(Run r) {
        return r.ms("after") / ideal(r.strategy());
    }

    private String targets() {
        List<Run> throttled = runs.stream().filter(Run::slowdown).toList();
        boolean after = !throttled.isEmpty() && throttled.stream().allMatch(r -> afterOverIdeal(r) <= AFTER_TARGET);
        boolean reaction = !throttled.isEmpty() && throttled.stream()
                .allMatch(r -> r.result().path("reactionSeconds").asDouble(Double.NaN) <= REACTION_TARGET_S);
        boolean balanced = runs.stream().filter(r -> !r.slowdown()).allMatch(r -> r.migrations() == 0)
                && throttled.stream().allMatch(r -> r.result().path("migrationsBeforeSlowdown").asLong() == 0);
        boolean exact = runs.stream().allMatch(r -> r.result().path("bitExact").asBoolean());
        return String.format(Locale.ROOT, "- after rebalancing within %.1f of the ideal, every run: **%s** (worst %s)%n"
                        + "- reaction within %.0f s at default settings, every run: **%s** (worst %s s)%n"
                        + "- zero migrations on a balanced cluster (ideal runs, and before the slowdown): **%s**%n"
                        + "- every final grid bit-identical to a run without Roam: **%s**%n",
                AFTER_TARGET, met(after), fmt(throttled.stream().mapToDouble(this::afterOverIdeal).max()),
                REACTION_TARGET_S, met(reaction), fmt(throttled.stream()
                        .mapToDouble(r -> r.result().path("reactionSeconds").asDouble(Double.NaN)).max()),
                met(balanced), met(exact));
    }

    private String choice() {
        StringBuilder s = new StringBuilder("| strategy | median after / ideal | median reaction s | migrations |\n"
                + "|---|---:|---:|---:|\n");
        String best = null;
        double[] bestKey = null;
        for (String strategy : runs.stream().map(Run::strategy).distinct().toList()) {
            List<Run> mine = runs.stream().filter(r -> r.slowdown() && r.strategy().equals(strategy)).toList();
            s.append(String.format(Locale.ROOT, "| %s | %s | %s | %d |%n", strategy,
                    fmt(median(mine.stream().mapToDouble(this::afterOverIdeal).toArray())),
                    fmt(median(mine.stream().mapToDouble(r -> r.result().path("reactionSeconds").asDouble(Double.NaN))
                            .toArray())),
                    runs.stream().filter(r -> r.strategy().equals(strategy)).mapToLong(Run::migrations).sum()));
            double[] key = {Math.round(100 * median(mine.stream().mapToDouble(this::afterOverIdeal).toArray())),
                    median(mine.stream().mapToDouble(r -> r.result().path("reactionSeconds").asDouble(Double.NaN))
                            .toArray())};
            if (best == null || key[0] < bestKey[0] || key[0] == bestKey[0] && key[1] < bestKey[1]) {
                best = strategy;
                bestKey = key;
            }
        }
        if (best != null) {
            s.append("\nBest here (lowest median after / ideal to 0.01, then fastest median reaction): **")
                    .append(best).append("**. The default `roam.decision.strategy` should be the best one; where two "
                    + "tie, the simpler (ios) stays.\n");
        }
        return s.toString();
    }

    private static double median(double[] v) {
        double[] s = java.util.Arrays.stream(v).filter(x -> !Double.isNaN(x)).sorted().toArray();
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }

    private static String exact(Run r) {
        return r.result().path("bitExact").asBoolean() ? "yes" : "NO (exit " + r.result().path("exit").asText() + ")";
    }

    private static String met(boolean ok) {
        return ok ? "met" : "missed";
    }

    private static String fmt(OptionalDouble v) {
        return v.isPresent() ? fmt(v.getAsDouble()) : "-";
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }
}
