package io.roam.simulator;

import java.util.List;

/**
 * What one run gives.
 *
 * @param balancer           the balancer's name
 * @param scenario           the scenario's name
 * @param seed               the seed
 * @param samples            one per round
 * @param reachedMs          simulated time of the first round within 1.05 of the greedy
 *                           reference (largest node load), -1 if never
 * @param reachedRound       that round's number (0 = the start), -1 if never
 * @param migrations         migrations in the run
 * @param messages           protocol messages sent in the run
 * @param viewMessages       of those, work stealing's neighbour views
 * @param nodes              alive nodes at the end
 * @param events             events the simulation processed
 * @param nodeRounds         the sum over rounds of the alive nodes
 * @param wallNanos          wall time of the run
 * @param conservationChecks rounds at which conservation was checked (and held)
 * @param trace              a hash of every migration and sample: equal runs have equal traces
 * @param cpuNanos           CPU time of the thread that ran it (the collector's threads not included), -1 if
 *                           the JVM cannot tell
 * @param loadAverage        the machine's load average over the last minute when it ended (-1 unknown): the
 *                           machine may be shared, and wall time follows the load
 */
public record SimulationResult(String balancer, String scenario, long seed, List<RoundSample> samples,
                               long reachedMs, int reachedRound, long migrations, long messages, long viewMessages,
                               int nodes, long events, long nodeRounds, long wallNanos, int conservationChecks,
                               long trace, long cpuNanos, double loadAverage) {
    public SimulationResult {
        samples = List.copyOf(samples);
    }

    /** Index (= round) of the first sample whose largest node load is within {@code factor} of the reference, -1 if none. */
    public int firstRoundWithin(double factor) {
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i).referenceRatio() <= factor) {
                return i;
            }
        }
        return -1;
    }

    /** The last sample. */
    public RoundSample last() {
        return samples.get(samples.size() - 1);
    }

    /** Messages per node: those sent over the nodes alive at the end. */
    public double messagesPerNode() {
        return messages / (double) Math.max(1, nodes);
    }

    /** Simulated node-rounds per wall second. */
    public double nodeRoundsPerSecond() {
        return nodeRounds / Math.max(1e-9, wallNanos / 1e9);
    }
}
