package io.roam.stealing;

import com.typesafe.config.ConfigFactory;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.JobRank;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.topologies.NodeInfo;
import java.util.List;
import java.util.Map;

/** Profiles and settings for the protocol tests: one core at 1e9 updates/s per node. */
final class Fixtures {
    private Fixtures() {
    }

    static StealSettings settings(String hocon) {
        return StealSettings.from(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()));
    }

    /** A node with one core at 1e9 of which {@code availableShare} is available. */
    static NodeProfile node(String host, double availableShare) {
        return new NodeProfile(host, 0, 1, 1.0, 1e9, 1 - availableShare, availableShare * 1e9, 8L << 30, 4L << 30, 0);
    }

    /** A process using {@code cpu} cores, computing {@code compute} of its time, sending to peers. */
    static ProcessProfile process(String job, int rank, double cpu, double compute, List<ProcessProfile.PeerTraffic> peers) {
        return new ProcessProfile(job, rank, 1000 + rank, 0, 0, 1000, 64L << 20, 1L << 20, 100, 10_000_000,
                1_000_000_000, 100_000_000, cpu, compute, peers);
    }

    /** {@code p} as profiled at {@code at} (profiles are told apart by their time). */
    static NodeProfile at(NodeProfile p, long at) {
        return new NodeProfile(p.host(), at, p.cores(), p.cpuLimit(), p.speedPerCore(), p.utilization(), p.available(),
                p.memTotal(), p.memAvailable(), p.managedRss());
    }

    /** {@code v} with its profile at {@code at}. */
    static NeighbourView at(NeighbourView v, long at) {
        return new NeighbourView(v.address(), at(v.profile(), at), v.ranks(), v.migratingJobs());
    }

    /**
     * Fills {@code o} with a full window (8) of identical samples: profiles of this node with
     * {@code own}, and the views of each neighbour, at times 1 to 8 ms.
     */
    static void warm(Observations o, NodeProfile self, List<ProcessProfile> own, NeighbourView... views) {
        for (int i = 1; i <= 8; i++) {
            o.local(i, at(self, i), own);
            for (NeighbourView v : views) {
                o.neighbour(at(v, i));
            }
        }
    }

    static NodeInfo info(String address) {
        return new NodeInfo(address, "default", address, 1);
    }

    static NodeInfo info(String address, String cluster) {
        return new NodeInfo(address, cluster, address, 1);
    }

    static Neighbourhood around(String self, List<String> neighbours, Map<String, NeighbourView> views) {
        return new Neighbourhood(info(self), neighbours.stream().map(Fixtures::info).toList(), List.of(), views, Map.of());
    }

    static NeighbourView view(String address, JobRank... ranks) {
        return new NeighbourView(address, node(address, 0), List.of(ranks), List.of());
    }
}
