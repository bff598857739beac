package io.roam.decision;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The two figures a move is decided on, each over a window of samples (median and spread),
 * as the node that keeps the samples has them: the processing each candidate gets on this
 * node (its CPU rate x the node's speed per core, updates/s; see {@link IosModel#speedHere})
 * and what the thief would give one more process ({@link Shares#oneMoreProcess}, from the
 * thief's recent profiles). A single profile is one sample: on a busy machine it swings by
 * tens of percent, which is why no decision uses it alone.
 *
 * @param speedHere  by {@link #key(String, int)}: each candidate's processing here; absent = no sample
 * @param thiefOffer the thief's processing for one more process
 */
public record Evidence(Map<String, Summary> speedHere, Summary thiefOffer) {
    public Evidence {
        speedHere = Map.copyOf(Objects.requireNonNull(speedHere, "speedHere"));
        Objects.requireNonNull(thiefOffer, "thiefOffer");
    }

    /** Nothing sampled yet: every decision on it is "not enough samples". */
    public static final Evidence NONE = new Evidence(Map.of(), Summary.NONE);

    /** The key of a process in {@link #speedHere}. */
    public static String key(String jobId, int rank) {
        return jobId + "/" + rank;
    }

    /** The summary of {@code p}'s processing here ({@link Summary#NONE} if never sampled). */
    public Summary here(ProcessProfile p) {
        return speedHere.getOrDefault(key(p.jobId(), p.rank()), Summary.NONE);
    }

    /**
     * Evidence from one profile of each side taken as {@code samples} identical samples
     * (spread 0): for callers whose figures are exact, such as tests and models.
     */
    public static Evidence steady(NodeProfile local, List<ProcessProfile> candidates, NodeProfile thief,
                                  int thiefProcesses, int samples) {
        Map<String, Summary> here = new HashMap<>();
        for (ProcessProfile p : candidates) {
            if (p.cpuShare() >= 0) {
                here.put(key(p.jobId(), p.rank()), Summary.steady(IosModel.speedHere(p, local), samples));
            }
        }
        return new Evidence(here, Summary.steady(Shares.oneMoreProcess(thief, thiefProcesses), samples));
    }
}
