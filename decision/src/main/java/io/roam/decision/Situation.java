package io.roam.decision;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.List;
import java.util.Objects;

/**
 * What a victim knows when a thief asks for work: its own node and processes, the thief's
 * node and processes (carried in the steal request), the measured link to the thief, and the
 * evidence: the figures a move is decided on, over a window of samples.
 *
 * @param local               this node's profile
 * @param candidates          this node's processes that may move (the caller has already left
 *                            out those migrating)
 * @param localProcesses      every process on this node, for C_local
 * @param thief               the thief's node profile
 * @param thiefProcesses      the processes running on the thief, for C_thief
 * @param transferBytesPerSec measured transfer rate to the thief in bytes/s; -1 (or any value
 *                            not above 0) = unknown
 * @param latencyMillis       measured latency to the thief in ms; -1 = unknown
 * @param evidence            each candidate's processing here and the thief's offer, each with
 *                            its median, spread and number of samples
 */
public record Situation(NodeProfile local, List<ProcessProfile> candidates, List<ProcessProfile> localProcesses,
                        NodeProfile thief, List<ProcessProfile> thiefProcesses, double transferBytesPerSec,
                        double latencyMillis, Evidence evidence) {
    public Situation {
        Objects.requireNonNull(evidence, "evidence");
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(thief, "thief");
        candidates = List.copyOf(Objects.requireNonNull(candidates, "candidates"));
        localProcesses = List.copyOf(Objects.requireNonNull(localProcesses, "localProcesses"));
        thiefProcesses = List.copyOf(Objects.requireNonNull(thiefProcesses, "thiefProcesses"));
    }

    /** Whether the transfer rate to the thief has been measured. */
    public boolean transferRateKnown() {
        return transferBytesPerSec > 0;
    }
}
