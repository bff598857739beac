package io.roam.stealing;

import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.JobRank;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.topologies.NodeInfo;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What an agent knows around it when it chooses whom to steal from or forward to: its
 * topology neighbours, the way to other clusters (C2C managers), the last view each
 * neighbour sent (its profile and ranks), the measured latency to each (ms; absent =
 * unknown) and, under the informed protocol, the overloaded nodes its gossip heard of. A snapshot, taken by the agent or the simulator at each step.
 */
public record Neighbourhood(NodeInfo self, List<NodeInfo> neighbours, List<NodeInfo> otherClusterManagers,
                            Map<String, NeighbourView> views, Map<String, Double> latencyMillis,
                            List<StealMessage.Hint> hints) {
    public Neighbourhood {
        Objects.requireNonNull(self, "self");
        neighbours = List.copyOf(neighbours);
        otherClusterManagers = List.copyOf(otherClusterManagers);
        views = Map.copyOf(views);
        latencyMillis = Map.copyOf(latencyMillis);
        hints = List.copyOf(hints);
    }

    /** A neighbourhood without the informed protocol's hints ({@link LoadGossip}). */
    public Neighbourhood(NodeInfo self, List<NodeInfo> neighbours, List<NodeInfo> otherClusterManagers,
                         Map<String, NeighbourView> views, Map<String, Double> latencyMillis) {
        this(self, neighbours, otherClusterManagers, views, latencyMillis, List.of());
    }

    /** Bytes {@code own} processes sent to ranks that the neighbour at {@code address} hosts. */
    public long trafficWith(String address, List<ProcessProfile> own) {
        NeighbourView v = views.get(address);
        if (v == null || v.ranks().isEmpty()) {
            return 0;
        }
        Set<JobRank> there = Set.copyOf(v.ranks());
        long bytes = 0;
        for (ProcessProfile p : own) {
            for (ProcessProfile.PeerTraffic t : p.peers()) {
                if (there.contains(new JobRank(p.jobId(), t.rank()))) {
                    bytes += t.bytes();
                }
            }
        }
        return bytes;
    }

    /** Neighbours other than those in {@code exclude}. */
    public List<NodeInfo> candidates(Set<String> exclude) {
        return neighbours.stream().filter(n -> !exclude.contains(n.address())).toList();
    }
}
