package io.roam.topologies;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * Cluster-to-cluster topology: members grouped by {@link NodeInfo#cluster() cluster name},
 * one manager per cluster, managers forming a P2P network among themselves.
 *
 * <p>Exact semantics:
 * <ul>
 *   <li><b>Clusters.</b> {@link #clusters()} lists the names of the clusters with at least
 *       one known member; self's cluster is always there (self is its member). A cluster
 *       whose last member is removed disappears.</li>
 *   <li><b>Manager.</b> The manager of a cluster is its oldest known member by
 *       {@link NodeInfo#BY_AGE} (lowest {@code upNumber}, then address), self included. It
 *       needs no message: every agent that saw the same members chooses the same manager.
 *       When the manager is removed the next oldest takes over.</li>
 *   <li><b>Local network.</b> Within self's cluster the neighbours are chosen exactly as
 *       by a {@link P2pTopology} over the cluster's members (bounded by
 *       {@code maxNeighbours}, refilled on leave, extended by contacts up to the cap).
 *       {@link #localCluster()} is every known member of self's cluster.</li>
 *   <li><b>Manager network.</b> A second {@link P2pTopology}, bounded the same way, runs
 *       over the managers of the <em>other</em> clusters: when a cluster's manager changes
 *       the old one is removed from it and the new one added. It is maintained on every
 *       agent but only used while self is the manager, so an agent that becomes manager
 *       has its manager-neighbours at once.</li>
 *   <li><b>Neighbours.</b> For a non-manager, {@link #neighbours()} is its local
 *       neighbour set; for a manager, the local neighbour set plus its manager-neighbours.</li>
 *   <li><b>Leaving the cluster.</b> {@link #otherClusterManagers()}: for a manager, its
 *       manager-neighbours; for a non-manager, its own cluster's manager (the first hop,
 *       which forwards to its manager-neighbours).</li>
 *   <li><b>Contacts.</b> {@link #contactedBy} from a member of self's cluster extends the
 *       local neighbour set. From another cluster it extends the manager network only if
 *       self is a manager and the contacting agent is its cluster's manager in this view;
 *       otherwise it is ignored (cross-cluster traffic goes through managers).</li>
 * </ul>
 *
 * <p>Not thread-safe; every list is sorted by address and never contains self.
 */
public final class C2cTopology implements Topology {

    private NodeInfo self;
    /** Known members other than self, by address. */
    private final Map<String, NodeInfo> byAddress = new HashMap<>();
    /** Members of each cluster, self included, oldest first. */
    private final TreeMap<String, TreeSet<NodeInfo>> byCluster = new TreeMap<>();
    private final P2pTopology local;
    private final P2pTopology managerNet;

    /** A topology with {@link P2pTopology#DEFAULT_MAX_NEIGHBOURS}. */
    public C2cTopology(NodeInfo self, RandomGenerator rnd) {
        this(self, P2pTopology.DEFAULT_MAX_NEIGHBOURS, rnd);
    }

    /**
     * @param self          this agent
     * @param maxNeighbours bound on chosen neighbours in both the local and the manager
     *                      network, at least 1
     * @param rnd           the source of every random choice (seed it for repeatable runs)
     * @throws IllegalArgumentException if {@code maxNeighbours < 1}
     */
    public C2cTopology(NodeInfo self, int maxNeighbours, RandomGenerator rnd) {
        this.self = Objects.requireNonNull(self, "self");
        this.local = new P2pTopology(self, maxNeighbours, rnd);
        this.managerNet = new P2pTopology(self, maxNeighbours, rnd);
        clusterOf(self.cluster()).add(self);
    }

    /** The bound on chosen neighbours in each network. */
    public int maxNeighbours() {
        return local.maxNeighbours();
    }

    @Override
    public NodeInfo self() {
        return self;
    }

    @Override
    public List<NodeInfo> neighbours() {
        if (!isManager()) {
            return local.neighbours();
        }
        List<NodeInfo> out = new ArrayList<>(local.neighbours());
        out.addAll(managerNet.neighbours());
        out.sort(NodeInfo.BY_ADDRESS);
        return List.copyOf(out);
    }

    @Override
    public List<NodeInfo> localCluster() {
        return local.localCluster();
    }

    @Override
    public boolean isManager() {
        return managerOf(self.cluster()).orElseThrow().sameAgent(self);
    }

    @Override
    public Optional<NodeInfo> managerOf(String cluster) {
        TreeSet<NodeInfo> members = byCluster.get(cluster);
        return members == null ? Optional.empty() : Optional.of(members.first());
    }

    /** The manager of every known cluster, by cluster name. */
    public Map<String, NodeInfo> managers() {
        Map<String, NodeInfo> out = new TreeMap<>();
        byCluster.forEach((name, members) -> out.put(name, members.first()));
        return out;
    }

    @Override
    public List<String> clusters() {
        return List.copyOf(byCluster.keySet());
    }

    @Override
    public List<NodeInfo> otherClusterManagers() {
        return isManager() ? managerNet.neighbours() : List.of(managerOf(self.cluster()).orElseThrow());
    }

    @Override
    public void memberUp(NodeInfo n) {
        Objects.requireNonNull(n, "n");
        if (n.sameAgent(self)) {
            updateSelf(n);
            return;
        }
        NodeInfo old = byAddress.get(n.address());
        if (n.equals(old)) {
            return;
        }
        if (old != null && !old.cluster().equals(n.cluster())) {
            memberRemoved(old.address()); // moved to another cluster: leave, then join
            old = null;
        }
        Optional<NodeInfo> before = managerOf(n.cluster());
        TreeSet<NodeInfo> members = clusterOf(n.cluster());
        if (old != null) {
            members.remove(old);
        }
        members.add(n);
        byAddress.put(n.address(), n);
        if (n.cluster().equals(self.cluster())) {
            local.memberUp(n);
        } else {
            managerChanged(before, managerOf(n.cluster()));
        }
    }

    @Override
    public void memberRemoved(String address) {
        Objects.requireNonNull(address, "address");
        if (address.equals(self.address())) {
            return;
        }
        local.memberRemoved(address); // also drops contacted-only neighbours
        managerNet.memberRemoved(address);
        NodeInfo n = byAddress.remove(address);
        if (n == null) {
            return;
        }
        Optional<NodeInfo> before = managerOf(n.cluster());
        TreeSet<NodeInfo> members = byCluster.get(n.cluster());
        members.remove(n);
        if (members.isEmpty()) {
            byCluster.remove(n.cluster());
        }
        if (!n.cluster().equals(self.cluster())) {
            managerChanged(before, managerOf(n.cluster()));
        }
    }

    @Override
    public void contactedBy(NodeInfo n) {
        Objects.requireNonNull(n, "n");
        if (n.sameAgent(self)) {
            return;
        }
        if (n.cluster().equals(self.cluster())) {
            local.contactedBy(n);
        } else if (isManager() && managerOf(n.cluster()).filter(n::sameAgent).isPresent()) {
            managerNet.contactedBy(n);
        }
    }

    private void updateSelf(NodeInfo n) {
        if (!n.cluster().equals(self.cluster())) {
            throw new IllegalArgumentException("self " + n.address() + " cannot move from cluster "
                    + self.cluster() + " to " + n.cluster());
        }
        TreeSet<NodeInfo> members = byCluster.get(self.cluster());
        members.remove(self);
        members.add(n);
        self = n;
        local.memberUp(n);
        managerNet.memberUp(n);
    }

    /** Keeps the manager network over the other clusters' current managers. */
    private void managerChanged(Optional<NodeInfo> before, Optional<NodeInfo> after) {
        if (before.equals(after)) {
            return;
        }
        if (before.isPresent() && !(after.isPresent() && after.get().sameAgent(before.get()))) {
            managerNet.memberRemoved(before.get().address());
        }
        after.ifPresent(managerNet::memberUp);
    }

    private TreeSet<NodeInfo> clusterOf(String cluster) {
        return byCluster.computeIfAbsent(cluster, k -> new TreeSet<>(NodeInfo.BY_AGE));
    }

    /** Package-private view of the manager network, for tests. */
    P2pTopology managerNetwork() {
        return managerNet;
    }

    /** Package-private view of the local network, for tests. */
    P2pTopology localNetwork() {
        return local;
    }

    @Override
    public String toString() {
        return "C2cTopology[self=" + self.address() + ", cluster=" + self.cluster()
                + ", manager=" + isManager() + ", clusters=" + byCluster.keySet() + "]";
    }
}
