package io.roam.agents.cli;

import io.roam.simulator.Balancers;
import io.roam.simulator.Simulator;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roam simulate}: run the real strategies on simulated nodes (docs/simulation.md). */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Simulate a scenario (HOCON) with the real work-stealing protocols and decision strategies,"
                + " (rs, ats, nts, informed, swap: informed with its swaps) and the greedy, gossip, grapevine and"
                + " no-balancing baselines; writes a Markdown report and SVG plots.")
final class SimulateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SCENARIO.conf", description = "The scenario file (keys: docs/simulation.md).")
    File scenario;

    @Option(names = "--out", defaultValue = "simulation", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--balancers", split = ",", defaultValue = "rs,ats,nts,informed,swap,gossip,grapevine,greedy,none",
            description = "Balancers to run, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> balancers;

    @Override
    public Integer call() {
        try {
            Simulator.run(scenario, out, seed, Balancers.validate(balancers), System.out);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("roam simulate: " + io.roam.agents.Errors.describe(e));
            return 2;
        }
    }
}
