package io.roam.decision;

import io.roam.profiling.NodeProfile;

/**
 * IOS's processing gain of moving a process from {@code local} to {@code thief}:
 * (P_thief - P_local) / (P_thief + P_local), with P a node's available processing
 * ({@link NodeProfile#available()}, updates/s; a negative value counts as 0); 0 when both
 * are 0.
 */
public final class ProcessingGain {
    private ProcessingGain() {
    }

    /** The gain, -1 (all the processing is here) to 1 (all of it is on the thief). */
    public static double of(NodeProfile local, NodeProfile thief) {
        return Gains.relative(Math.max(0, thief.available()), Math.max(0, local.available()));
    }
}
