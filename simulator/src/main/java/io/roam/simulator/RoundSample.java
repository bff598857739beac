package io.roam.simulator;

/**
 * The state at one round.
 *
 * @param timeMs           simulated time
 * @param nodes            alive nodes
 * @param imbalance        largest node load over the mean node load (load = seconds of
 *                         computing per iteration of the node's processes)
 * @param referenceRatio   largest node load over the largest under the greedy assignment of
 *                         the same processes to the same nodes (1 = as good as the reference)
 * @param iterationRatio   sum of the jobs' iteration times over the same sum under the
 *                         greedy assignment
 * @param migrations       migrations so far (including a leaving node's hand-overs)
 * @param messagesPerNode  protocol messages sent so far over the alive nodes
 */
public record RoundSample(long timeMs, int nodes, double imbalance, double referenceRatio, double iterationRatio,
                          long migrations, double messagesPerNode) {
}
