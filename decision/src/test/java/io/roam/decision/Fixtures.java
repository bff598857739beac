package io.roam.decision;

import com.typesafe.config.ConfigFactory;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.profiling.ProcessProfile.PeerTraffic;
import java.util.ArrayList;
import java.util.List;

/** Node and process profiles for the decision tests. */
final class Fixtures {
    static final double GIGA = 1e9;

    private Fixtures() {
    }

    /** A 4-core node with this speed per core and available processing, memory unknown. */
    static NodeProfile node(String host, double speedPerCore, double available) {
        return node(host, speedPerCore, available, -1);
    }

    static NodeProfile node(String host, double speedPerCore, double available, long memAvailable) {
        return new NodeProfile(host, 1000, 4, 4, speedPerCore, 0.5, available, 16L << 30, memAvailable, 0);
    }

    /**
     * A situation whose evidence is these profiles taken as a full window of identical
     * samples (spread 0): the strategies' logic on exact figures.
     */
    static Situation steady(NodeProfile local, List<ProcessProfile> candidates, List<ProcessProfile> localProcesses,
                            NodeProfile thief, List<ProcessProfile> thiefProcesses, double rate, double latency) {
        return new Situation(local, candidates, localProcesses, thief, thiefProcesses, rate, latency,
                Evidence.steady(local, candidates, thief, thiefProcesses.size(), 8));
    }

    /** The reference settings with {@code hocon} (keys under roam.decision) on top. */
    static DecisionSettings settings(String hocon) {
        return DecisionSettings.from(ConfigFactory.parseString(hocon).atPath("roam.decision")
                .withFallback(ConfigFactory.defaultReference()));
    }

    static Proc proc(String job, int rank) {
        return new Proc(job, rank);
    }

    /**
     * A process profile builder. Defaults: half a core used (its node is shared), 90% of it
     * computing, 1 MB of state, 100 ms per iteration, RSS unknown, no traffic.
     */
    static final class Proc {
        private final String job;
        private final int rank;
        private double cpuShare = 0.5;
        private double computeShare = 0.9;
        private long stateBytes = 1_000_000;
        private long rssBytes = -1;
        private long iterationNs = 100_000_000;
        private final List<PeerTraffic> peers = new ArrayList<>();

        private Proc(String job, int rank) {
            this.job = job;
            this.rank = rank;
        }

        Proc shares(double cpu, double compute) {
            this.cpuShare = cpu;
            this.computeShare = compute;
            return this;
        }

        Proc state(long bytes) {
            this.stateBytes = bytes;
            return this;
        }

        Proc rss(long bytes) {
            this.rssBytes = bytes;
            return this;
        }

        Proc iterationNs(long ns) {
            this.iterationNs = ns;
            return this;
        }

        /** Adds bytes sent by this process to {@code peer}. */
        Proc sends(int peer, long bytes) {
            peers.add(new PeerTraffic(peer, 1, bytes));
            return this;
        }

        ProcessProfile build() {
            return new ProcessProfile(job, rank, 1000 + rank, 0, 1000, 5000, rssBytes, stateBytes, 50, iterationNs,
                    (long) (iterationNs * Math.max(0, computeShare)), 0, cpuShare, computeShare, peers);
        }
    }
}
