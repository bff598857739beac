package io.roam.topologies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Test helper: N agents' topologies fed the same membership events, the way the agents of
 * one Pekko cluster see them. A joining agent gets the current members (a snapshot, in
 * address order) and itself; every other agent gets {@code memberUp} of the newcomer. A
 * leaving agent's view is dropped and every other agent gets {@code memberRemoved}.
 */
final class SimCluster {

    /** Builds one agent's topology. */
    interface Factory {
        Topology create(NodeInfo self, RandomGenerator rnd);
    }

    private final Factory factory;
    private final long seed;
    private final Map<String, Topology> views = new LinkedHashMap<>();
    private final Map<String, NodeInfo> members = new LinkedHashMap<>();
    private long nextUp = 1;
    private int nextIndex = 0;

    SimCluster(Factory factory, long seed) {
        this.factory = factory;
        this.seed = seed;
    }

    static SimCluster p2p(int maxNeighbours, long seed) {
        return new SimCluster((self, rnd) -> new P2pTopology(self, maxNeighbours, rnd), seed);
    }

    static SimCluster c2c(int maxNeighbours, long seed) {
        return new SimCluster((self, rnd) -> new C2cTopology(self, maxNeighbours, rnd), seed);
    }

    /** Address of the i-th agent ever created; sorts like i for i < 1000. */
    static String address(int i) {
        return String.format("pekko://roam@10.0.%d.%d:2552", i / 100, 100 + i % 100);
    }

    NodeInfo join() {
        return join(NodeInfo.DEFAULT_CLUSTER);
    }

    NodeInfo join(String cluster) {
        int i = nextIndex++;
        NodeInfo n = new NodeInfo(address(i), cluster, "node" + i, nextUp++);
        Topology view = factory.create(n, new Random(seed * 1_000_003L + i));
        members.values().stream().sorted(NodeInfo.BY_ADDRESS).forEach(view::memberUp);
        view.memberUp(n);
        views.values().forEach(v -> v.memberUp(n));
        views.put(n.address(), view);
        members.put(n.address(), n);
        return n;
    }

    SimCluster joinAll(int n) {
        for (int i = 0; i < n; i++) {
            join();
        }
        return this;
    }

    void leave(String address) {
        if (views.remove(address) == null) {
            throw new IllegalArgumentException("not a member: " + address);
        }
        members.remove(address);
        views.values().forEach(v -> v.memberRemoved(address));
    }

    Topology view(String address) {
        return views.get(address);
    }

    Topology view(NodeInfo n) {
        return views.get(n.address());
    }

    List<Topology> views() {
        return List.copyOf(views.values());
    }

    List<NodeInfo> members() {
        return new ArrayList<>(members.values());
    }

    NodeInfo member(String address) {
        return members.get(address);
    }
}
