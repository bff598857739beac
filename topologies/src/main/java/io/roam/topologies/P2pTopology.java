package io.roam.topologies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/**
 * Peer-to-peer topology: a bounded random neighbour set over all known members, extended
 * with the agents that contact this one, as in IOS.
 *
 * <p>The neighbour set is the union of two disjoint parts:
 * <ul>
 *   <li><b>Chosen</b> neighbours: a uniformly random sample of
 *       {@code min(maxNeighbours, members)} known members, kept by reservoir sampling so
 *       that it does not depend on the order members came Up. While the sample is not full,
 *       every new member joins it; once full, the k-th known member replaces a random
 *       chosen neighbour with probability {@code maxNeighbours / k}. When a chosen
 *       neighbour is removed, a random known member that is not yet chosen takes its
 *       place (refill).</li>
 *   <li><b>Contacted</b> neighbours: agents that called {@link #contactedBy} and are not
 *       chosen. They are added even when the chosen part is full, up to a hard cap of
 *       {@code 2 * maxNeighbours} neighbours in total ({@link #neighbourCap()}); past the
 *       cap, the agent that contacted this one least recently is dropped. A contacted
 *       agent need not be a known member; it leaves the set when it is removed.</li>
 * </ul>
 *
 * <p>All random choices come from the generator given to the constructor and are made over
 * address-sorted candidates, so the same seed and the same events give the same sets.
 * {@link #localCluster()} is every known member; there are no managers, so
 * {@link #isManager()} is false, {@link #managerOf} and {@link #otherClusterManagers()}
 * are empty, and {@link #clusters()} is self's cluster alone. Not thread-safe.
 */
public final class P2pTopology implements Topology {

    /** The default bound on chosen neighbours. */
    public static final int DEFAULT_MAX_NEIGHBOURS = 10;

    private final int maxNeighbours;
    private final int cap;
    private final RandomGenerator rnd;
    private NodeInfo self;
    /** Known members (self excluded) by address. */
    private final TreeMap<String, NodeInfo> members = new TreeMap<>();
    /** Addresses of the chosen neighbours, a subset of {@link #members}. */
    private final TreeSet<String> chosen = new TreeSet<>();
    /** Contacted neighbours that are not chosen, least recently contacted first. */
    private final LinkedHashMap<String, NodeInfo> contacted = new LinkedHashMap<>();

    /** A topology with {@link #DEFAULT_MAX_NEIGHBOURS}. */
    public P2pTopology(NodeInfo self, RandomGenerator rnd) {
        this(self, DEFAULT_MAX_NEIGHBOURS, rnd);
    }

    /**
     * @param self          this agent
     * @param maxNeighbours bound on chosen neighbours, at least 1
     * @param rnd           the source of every random choice (seed it for repeatable runs)
     * @throws IllegalArgumentException if {@code maxNeighbours < 1}
     */
    public P2pTopology(NodeInfo self, int maxNeighbours, RandomGenerator rnd) {
        this.self = Objects.requireNonNull(self, "self");
        this.rnd = Objects.requireNonNull(rnd, "rnd");
        if (maxNeighbours < 1) {
            throw new IllegalArgumentException("maxNeighbours must be >= 1, got " + maxNeighbours);
        }
        this.maxNeighbours = maxNeighbours;
        this.cap = (int) Math.min(Integer.MAX_VALUE, 2L * maxNeighbours);
    }

    /** The bound on chosen neighbours. */
    public int maxNeighbours() {
        return maxNeighbours;
    }

    /** The hard cap on all neighbours, chosen and contacted: {@code 2 * maxNeighbours}. */
    public int neighbourCap() {
        return cap;
    }

    @Override
    public NodeInfo self() {
        return self;
    }

    @Override
    public List<NodeInfo> neighbours() {
        List<NodeInfo> out = new ArrayList<>(chosen.size() + contacted.size());
        for (String address : chosen) {
            out.add(members.get(address));
        }
        out.addAll(contacted.values());
        out.sort(NodeInfo.BY_ADDRESS);
        return List.copyOf(out);
    }

    /** The chosen part of the neighbour set, by address. */
    List<NodeInfo> chosenNeighbours() {
        return chosen.stream().map(members::get).toList();
    }

    /** The contacted part of the neighbour set, least recently contacted first. */
    List<NodeInfo> contactedNeighbours() {
        return List.copyOf(contacted.values());
    }

    @Override
    public List<NodeInfo> localCluster() {
        return List.copyOf(members.values());
    }

    @Override
    public boolean isManager() {
        return false;
    }

    @Override
    public Optional<NodeInfo> managerOf(String cluster) {
        return Optional.empty();
    }

    @Override
    public List<String> clusters() {
        return List.of(self.cluster());
    }

    @Override
    public List<NodeInfo> otherClusterManagers() {
        return List.of();
    }

    @Override
    public void memberUp(NodeInfo n) {
        Objects.requireNonNull(n, "n");
        if (n.sameAgent(self)) {
            updateSelf(n);
            return;
        }
        String address = n.address();
        if (members.put(address, n) != null) {
            contacted.replace(address, n); // known already: information refreshed, roles kept
            return;
        }
        if (chosen.size() < maxNeighbours) {
            choose(address);
        } else if (rnd.nextInt(members.size()) < maxNeighbours) {
            chosen.remove(pick(new ArrayList<>(chosen)));
            choose(address);
        }
    }

    @Override
    public void memberRemoved(String address) {
        Objects.requireNonNull(address, "address");
        if (address.equals(self.address())) {
            return;
        }
        members.remove(address);
        contacted.remove(address);
        if (chosen.remove(address)) {
            refill();
        }
    }

    @Override
    public void contactedBy(NodeInfo n) {
        Objects.requireNonNull(n, "n");
        if (n.sameAgent(self) || chosen.contains(n.address())) {
            return;
        }
        contacted.remove(n.address()); // re-inserted last: most recently contacted
        contacted.put(n.address(), n);
        trimToCap();
    }

    private void updateSelf(NodeInfo n) {
        if (!n.cluster().equals(self.cluster())) {
            throw new IllegalArgumentException("self " + n.address() + " cannot move from cluster "
                    + self.cluster() + " to " + n.cluster());
        }
        self = n;
    }

    private void refill() {
        while (chosen.size() < maxNeighbours) {
            List<String> candidates = new ArrayList<>(members.size() - chosen.size());
            for (String address : members.keySet()) {
                if (!chosen.contains(address)) {
                    candidates.add(address);
                }
            }
            if (candidates.isEmpty()) {
                return;
            }
            choose(pick(candidates));
        }
    }

    private void choose(String address) {
        contacted.remove(address);
        chosen.add(address);
        trimToCap();
    }

    /** Drops the least recently contacted until the cap holds (chosen alone never exceeds it). */
    private void trimToCap() {
        var it = contacted.entrySet().iterator();
        while (chosen.size() + contacted.size() > cap && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    private String pick(List<String> sorted) {
        return sorted.get(rnd.nextInt(sorted.size()));
    }

    @Override
    public String toString() {
        return "P2pTopology[self=" + self.address() + ", chosen=" + chosen
                + ", contacted=" + contacted.keySet() + ", members=" + members.size() + "]";
    }
}
