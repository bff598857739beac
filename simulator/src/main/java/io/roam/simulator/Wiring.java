package io.roam.simulator;

import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulated topology, as {@code P2pTopology} and {@code C2cTopology} define it: inside a
 * cluster every node has at most {@code neighbours} random neighbours (symmetric links,
 * refilled when a neighbour leaves); with C2C the oldest alive node of a cluster is its
 * manager, a manager's neighbours include the other managers, and
 * {@code otherClusterManagers} is, for a manager, the other managers and, for anyone else,
 * its own manager. Builds the {@link NodeInfo} lists and the link maps the protocol reads.
 */
final class Wiring {
    private final World world;
    private final int bound;
    private final List<List<SimNode>> clusters = new ArrayList<>();
    private SimNode[] managers;

    Wiring(World world) {
        this.world = world;
        this.bound = world.scenario.topology().neighbours();
        int count = world.scenario.topology().c2c() ? world.scenario.topology().clusters() : 1;
        for (int i = 0; i < count; i++) {
            clusters.add(new ArrayList<>());
        }
        managers = new SimNode[count];
    }

    int clusterCount() {
        return clusters.size();
    }

    /** Records a new node in its cluster (before {@link #linkAll} or {@link #join}). */
    void add(SimNode n) {
        clusters.get(n.cluster).add(n);
    }

    /** Links every node, then derives what each one sees. */
    void linkAll() {
        for (List<SimNode> members : clusters) {
            for (SimNode n : members) {
                fill(n, members);
            }
        }
        electManagers();
        world.alive().forEach(this::refresh);
    }

    /** A node that joined: links in its cluster, its neighbours see it. */
    void join(SimNode n) {
        add(n);
        List<SimNode> members = clusters.get(n.cluster);
        fill(n, members);
        List<SimNode> touched = new ArrayList<>();
        int attempts = 4 * bound + 10;
        while (n.neighbours.size() < Math.max(1, bound / 2) && members.size() > n.neighbours.size() + 1
                && attempts-- > 0) {
            // every member has its bound: take over one of a random member's links
            SimNode m = members.get(world.rnd.nextInt(members.size()));
            if (m == n || n.linkedTo(m)) {
                continue;
            }
            if (m.neighbours.size() >= bound) {
                SimNode x = m.neighbours.get(world.rnd.nextInt(m.neighbours.size()));
                m.neighbours.remove(x);
                x.neighbours.remove(m);
                touched.add(x);
            }
            link(n, m);
        }
        touched.forEach(this::refresh);
        if (managers[n.cluster] == null) {
            electManagers();
            world.alive().forEach(this::refresh);
        } else {
            refresh(n);
            n.neighbours.forEach(this::refresh);
        }
    }

    /** A node that left (already marked gone): its links go, its neighbours refill theirs. */
    void leave(SimNode n) {
        List<SimNode> members = clusters.get(n.cluster);
        members.remove(n);
        List<SimNode> former = new ArrayList<>(n.neighbours);
        for (SimNode m : former) {
            m.neighbours.remove(n);
        }
        n.neighbours.clear();
        for (SimNode m : former) {
            if (m.neighbours.size() < Math.max(1, bound / 2)) {
                fill(m, members);
            }
        }
        if (managers[n.cluster] == n) {
            electManagers();
            world.alive().forEach(this::refresh);
        } else {
            for (SimNode m : former) {
                refresh(m);
                m.neighbours.forEach(this::refresh);
            }
        }
    }

    /** Adds random links from {@code n} to members with room until {@code n} has {@code bound}. */
    private void fill(SimNode n, List<SimNode> members) {
        if (members.size() <= bound + 1) {
            for (SimNode m : members) {
                if (m != n && !n.linkedTo(m)) {
                    link(n, m);
                }
            }
            return;
        }
        int attempts = 4 * bound + 10;
        while (n.neighbours.size() < bound && attempts-- > 0) {
            SimNode m = members.get(world.rnd.nextInt(members.size()));
            if (m != n && m.neighbours.size() < bound && !n.linkedTo(m)) {
                link(n, m);
            }
        }
    }

    private static void link(SimNode a, SimNode b) {
        a.neighbours.add(b);
        b.neighbours.add(a);
    }

    private void electManagers() {
        for (int c = 0; c < clusters.size(); c++) {
            managers[c] = clusters.get(c).stream().filter(m -> m.alive)
                    .min(Comparator.comparing((SimNode m) -> m.info, NodeInfo.BY_AGE)).orElse(null);
        }
        world.epoch++;
    }

    boolean isManager(SimNode n) {
        return world.scenario.topology().c2c() && managers[n.cluster] == n;
    }

    /** Recomputes what {@code n} sees: neighbours, managers, latency and bandwidth by address. */
    void refresh(SimNode n) {
        List<NodeInfo> infos = new ArrayList<>(n.neighbours.size());
        Map<String, Double> lat = new HashMap<>();
        Map<String, Double> bw = new HashMap<>();
        for (SimNode m : n.neighbours) {
            infos.add(m.info);
            lat.put(m.address, (double) world.latencyMs(n, m));
            bw.put(m.address, world.bandwidth(n, m));
        }
        List<NodeInfo> out = new ArrayList<>();
        if (world.scenario.topology().c2c()) {
            if (isManager(n)) {
                for (SimNode m : managers) {
                    if (m != null && m != n) {
                        out.add(m.info);
                        infos.add(m.info);
                        lat.put(m.address, (double) world.latencyMs(n, m));
                        bw.put(m.address, world.bandwidth(n, m));
                    }
                }
            } else if (managers[n.cluster] != null) {
                out.add(managers[n.cluster].info);
                lat.put(managers[n.cluster].address, (double) world.latencyMs(n, managers[n.cluster]));
            }
        }
        infos.sort(NodeInfo.BY_ADDRESS);
        out.sort(NodeInfo.BY_ADDRESS);
        n.neighbourInfos = List.copyOf(infos);
        n.otherManagers = List.copyOf(out);
        n.latencyMillis = Map.copyOf(lat);
        n.bytesPerSec = Map.copyOf(bw);
        n.localEpoch = -1;
    }
}
