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

    /**
     * The share of p's time that its traffic with the job's ranks among {@code here} and
     * {@code there} (the traffic whose locality a move changes) would take over a link of
     * {@code bytesPerSec}: bytes per second of p's run (its cumulative counters, both
     * directions, over its compute + MPI time) over the rate. Latency is left out: the agents'
     * probe measures their own round trip, actor dispatch included, tens of times an MPI
     * message's latency on the same link. -1 when the rate or p's run time is not known.
     */
    public static double linkShare(ProcessProfile p, List<ProcessProfile> here, List<ProcessProfile> there,
                                   double bytesPerSec) {
        double seconds = (p.computeNs() + p.mpiNs()) / 1e9;
        if (!(bytesPerSec > 0) || !(seconds > 0)) {
            return -1;
        }
        return (bytesWith(p, here) + bytesWith(p, there)) / bytesPerSec / seconds;
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
