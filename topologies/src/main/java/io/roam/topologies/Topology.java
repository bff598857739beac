package io.roam.topologies;

import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * An agent's view of the virtual topology: what the work-stealing protocols ask (who to
 * steal from, who is in my cluster, how to reach other clusters) and the membership events
 * that keep it current.
 *
 * <p>Implementations are not thread-safe: one owner (an actor, a simulator) feeds the
 * events and asks the questions. Every returned list is an immutable snapshot, sorted by
 * {@link NodeInfo#BY_ADDRESS address}, and never contains {@link #self()}. Events about
 * {@code self} are not membership changes: {@code memberUp(self)} only refreshes self's
 * information (same cluster required), and {@code memberRemoved(self)} and
 * {@code contactedBy(self)} are ignored. Events may repeat or arrive for unknown agents;
 * they are idempotent.
 */
public interface Topology {

    /** This agent. */
    NodeInfo self();

    /** The current neighbour set, never containing self. */
    List<NodeInfo> neighbours();

    /** A uniformly random neighbour, or empty if there is none (RS). */
    default Optional<NodeInfo> randomNeighbour(RandomGenerator rnd) {
        return Selection.random(neighbours(), rnd);
    }

    /**
     * A neighbour picked with probability proportional to {@code weight} (ATS: communication,
     * NTS: inverse latency). Weights that are zero, negative or NaN are never picked; empty if
     * all are. See {@link Selection#weighted}.
     */
    default Optional<NodeInfo> weightedNeighbour(ToDoubleFunction<NodeInfo> weight, RandomGenerator rnd) {
        return Selection.weighted(neighbours(), weight, rnd);
    }

    /** The known members of self's cluster, self excluded. */
    List<NodeInfo> localCluster();

    /** True if this agent manages its cluster. */
    boolean isManager();

    /** The manager of the named cluster, or empty if the topology has none for it. */
    Optional<NodeInfo> managerOf(String cluster);

    /** The names of the clusters with at least one known member (self's always), sorted. */
    List<String> clusters();

    /**
     * How a request that cannot be served inside the cluster reaches other clusters: for a
     * manager, its P2P neighbours among the managers of other clusters; for a non-manager,
     * its own cluster's manager (the first hop, which forwards). Empty when there is no way
     * out (P2P, or a lone cluster's manager).
     */
    List<NodeInfo> otherClusterManagers();

    /** A member came Up (or its information changed). */
    void memberUp(NodeInfo n);

    /** A member left the cluster (or was removed as unreachable). */
    void memberRemoved(String address);

    /** An agent contacted this one (IOS): it becomes a neighbour, see the implementations. */
    void contactedBy(NodeInfo n);
}
