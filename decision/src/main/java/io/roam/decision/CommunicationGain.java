package io.roam.decision;

import io.roam.profiling.ProcessProfile;
import java.util.List;

/**
 * IOS's communication gain of moving process p (job J, rank r) to the thief:
 * (C_thief - C_local) / (C_thief + C_local), 0 when both are 0. C_local is the traffic
 * between p and the other ranks of J on this node, C_thief between p and the ranks of J on
 * the thief; the traffic with rank q counts both directions, p.bytesTo(q) + q.bytesTo(r),
 * from the cumulative byte counters.
 */
public final class CommunicationGain {
    private CommunicationGain() {
    }

    /** The gain, -1 (p talks only to local ranks) to 1 (only to the thief's). */
    public static double of(ProcessProfile p, List<ProcessProfile> localProcesses,
                            List<ProcessProfile> thiefProcesses) {
        return Gains.relative(bytesWith(p, thiefProcesses), bytesWith(p, localProcesses));
    }

    /** Bytes exchanged, both ways, between p and the other ranks of its job among {@code processes}. */
    public static double bytesWith(ProcessProfile p, List<ProcessProfile> processes) {
        double bytes = 0;
        for (ProcessProfile q : processes) {
            if (q.jobId().equals(p.jobId()) && q.rank() != p.rank()) {
                bytes += p.bytesTo(q.rank()) + q.bytesTo(p.rank());
            }
        }
        return bytes;
    }
}
