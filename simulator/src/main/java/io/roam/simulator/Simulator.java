package io.roam.simulator;

import java.io.File;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code roam simulate} does: load a scenario, run each balancer on it with one seed,
 * print one line per run and the table, and write the report into a directory.
 */
public final class Simulator {
    private Simulator() {
    }

    /** Runs every balancer of {@code balancers}; returns the results in that order. */
    public static List<SimulationResult> run(File scenarioFile, Path out, long seed, List<String> balancers,
                                             PrintStream log) {
        Scenario s = Scenario.load(scenarioFile);
        List<String> names = Balancers.validate(balancers);
        List<SimulationResult> runs = new ArrayList<>();
        for (String b : names) {
            SimulationResult r = Simulation.run(s, b, seed);
            runs.add(r);
            log.println(String.format(Locale.ROOT, "%-7s %d nodes: %s, %d migrations, %.1f messages/node,"
                            + " %.1f s wall, %.1f s CPU, load average %.2f, %.0f node-rounds/s, trace %016x",
                    b, r.nodes(),
                    r.reachedMs() < 0 ? "not within 1.05 of greedy" : "within 1.05 of greedy at "
                            + r.reachedMs() / 1000.0 + " s (round " + r.reachedRound() + ")",
                    r.migrations(), r.messagesPerNode(), r.wallNanos() / 1e9, r.cpuNanos() / 1e9, r.loadAverage(),
                    r.nodeRoundsPerSecond(), r.trace()));
            log.flush();
        }
        log.println();
        log.print(Report.table(s, runs));
        Report.write(out, s, runs);
        log.println("report: " + out.resolve("report.md"));
        return runs;
    }

    /** {@code java io.roam.simulator.Simulator SCENARIO.conf [OUT] [SEED] [BALANCERS]} (the benchmark uses it). */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: Simulator SCENARIO.conf [OUT_DIR] [SEED] [rs,ats,nts,informed,swap,gossip,grapevine,greedy,none]");
            System.exit(2);
        }
        Path out = Path.of(args.length > 1 ? args[1] : "simulation");
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
        List<String> balancers = args.length > 3 ? List.of(args[3].split(",")) : Balancers.NAMES;
        run(new File(args[0]), out, seed, balancers, System.out);
    }
}
