package io.roam.profiling;

import java.util.List;
import java.util.Objects;

/**
 * What an agent knows about one PCM process at one moment: from /proc (CPU time, resident
 * memory; -1 = unknown) and from its last heartbeat (libpcm's PMPI counters, cumulative
 * since the process started; a replacement starts from zero).
 */
public record ProcessProfile(String jobId, int rank, long pid, int moves, long atMillis, long cpuMillis,
                             long rssBytes, long stateBytes, long iterations, long iterationNs, long computeNs,
                             long mpiNs, List<PeerTraffic> peers) {
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
}
