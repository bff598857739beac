package io.roam.profiling;

import java.util.List;
import java.util.Objects;

/**
 * What an agent knows about one PCM process at one moment: from /proc (CPU time, resident
 * memory; -1 = unknown) and from its heartbeats (libpcm's PMPI counters, cumulative since
 * the process started; a replacement starts from zero). The rates are over the agent's last
 * sampling period: {@code cpuShare} is the cores it used, {@code computeShare} the share of
 * its time spent outside MPI (both -1 until two samples exist). {@code iterationNs} is the
 * job's recent iteration time as this rank sees it (0 = unknown).
 */
public record ProcessProfile(String jobId, int rank, long pid, int moves, long atMillis, long cpuMillis,
                             long rssBytes, long stateBytes, long iterations, long iterationNs, long computeNs,
                             long mpiNs, double cpuShare, double computeShare, List<PeerTraffic> peers) {
    /** Messages and bytes this process sent to one peer rank. */
    public record PeerTraffic(int rank, long messages, long bytes) {
    }

    public ProcessProfile {
        Objects.requireNonNull(jobId, "jobId");
        peers = List.copyOf(peers);
    }

    /** Bytes sent to all peers. */
    public long bytesSent() {
        return peers.stream().mapToLong(PeerTraffic::bytes).sum();
    }

    /** Bytes sent to {@code peer} (0 if none). */
    public long bytesTo(int peer) {
        return peers.stream().filter(t -> t.rank() == peer).mapToLong(PeerTraffic::bytes).sum();
    }

    /** Cores this process used computing (outside MPI) in the last period; 0 if unknown. */
    public double computingCores() {
        return cpuShare < 0 || computeShare < 0 ? 0 : cpuShare * computeShare;
    }

    /** Cores this process spent waiting (polling) in MPI in the last period; 0 if unknown. */
    public double waitingCores() {
        return cpuShare < 0 || computeShare < 0 ? 0 : cpuShare * (1 - computeShare);
    }
}
