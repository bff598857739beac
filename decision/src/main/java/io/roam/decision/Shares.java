package io.roam.decision;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;

/** What a node could give one more process, as the strategies judge it (for the protocols). */
public final class Shares {
    private Shares() {
    }

    /**
     * The processing one more single-threaded process would get on {@code node}, which runs
     * {@code processes} already: its available processing, at most one core and at most a
     * fair share of its capacity (updates/s).
     */
    public static double oneMoreProcess(NodeProfile node, int processes) {
        return IosModel.shareThere(node, processes);
    }

    /**
     * The processing {@code p} gets on {@code node}, where it runs: the cores it used in the
     * last period at the node's speed per core (updates/s); 0 when its rate is unknown.
     */
    public static double processingHere(ProcessProfile p, NodeProfile node) {
        return IosModel.speedHere(p, node);
    }
}
