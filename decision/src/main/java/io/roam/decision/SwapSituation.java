package io.roam.decision;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.List;
import java.util.Objects;

/**
 * What a node knows when another node (the initiator) asks it for a swap: it may give one of
 * its ranks to the initiator and take back one of the initiator's, or none (a pull). Loads
 * and weights are {@link Weights}'.
 *
 * @param local               this node's profile
 * @param localProcesses      every process on this node (its load)
 * @param localCandidates     those of them that may move now (the caller left out the reserved,
 *                            held back, over budget)
 * @param localExtraWork      work (updates per iteration) to add to this node's own: ranks already
 *                            promised to or by it in swaps under way (negative when leaving)
 * @param initiator           the initiator's profile
 * @param initiatorProcesses  every process on the initiator (from its request)
 * @param initiatorCandidates those it offered to give back
 * @param transferBytesPerSec measured transfer rate to the initiator; not above 0 = unknown
 * @param averageLoad         this node's estimate of the average load (s per iteration); not above 0 = unknown
 * @param above               a swap leaves both nodes at most {@code above} x averageLoad
 * @param minGain             a swap lowers the larger of the two loads by at least this share
 */
public record SwapSituation(NodeProfile local, List<ProcessProfile> localProcesses,
                            List<ProcessProfile> localCandidates, double localExtraWork, NodeProfile initiator,
                            List<ProcessProfile> initiatorProcesses, List<ProcessProfile> initiatorCandidates,
                            double transferBytesPerSec, double averageLoad, double above, double minGain) {
    public SwapSituation {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(initiator, "initiator");
        localProcesses = List.copyOf(localProcesses);
        localCandidates = List.copyOf(localCandidates);
        initiatorProcesses = List.copyOf(initiatorProcesses);
        initiatorCandidates = List.copyOf(initiatorCandidates);
        if (!(above >= 1)) {
            throw new IllegalArgumentException("above must be >= 1, was " + above);
        }
        if (!(minGain >= 0 && minGain < 1)) {
            throw new IllegalArgumentException("minGain must be in [0, 1), was " + minGain);
        }
    }
}
