package io.roam.simulator;

import io.roam.profiling.ProcessProfile.PeerTraffic;
import java.util.List;

/**
 * One simulated rank: fixed work per iteration and state, its peers in the job's
 * communication graph (global process ids, {@code bytesPerPeer} sent to each per iteration),
 * where it runs, and the rates the load model last computed for it (-1 = not known yet, as
 * a real agent has none until two samples of a new process).
 */
final class SimProcess {
    final int id;
    final Job job;
    final int rank;
    final long stateBytes;
    int[] peers = new int[0];
    long bytesPerPeer;
    /** The peers as the real profile carries them (per-iteration bytes, both built once). */
    List<PeerTraffic> peerTraffic = List.of();

    int node;
    long arrivedAt;
    int moves;
    boolean migrating;

    double computeShare = -1;
    long iterationNs;
    long computeNs;

    SimProcess(int id, Job job, int rank, long stateBytes) {
        this.id = id;
        this.job = job;
        this.rank = rank;
        this.stateBytes = stateBytes;
    }

    /** Resident memory: the state plus a fixed 32 MiB of code and buffers. */
    long rssBytes() {
        return stateBytes + (32L << 20);
    }
}
