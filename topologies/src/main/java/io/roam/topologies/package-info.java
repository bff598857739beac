/**
 * The agents' virtual topologies: who an agent's neighbours are, who manages each named
 * cluster, and how a request reaches another cluster.
 *
 * <p>Everything here is a plain, single-threaded class with no actor or Pekko dependency.
 * The agent feeds cluster membership into a {@link io.roam.topologies.Topology}
 * ({@code memberUp}, {@code memberRemoved}, {@code contactedBy}) from its actor, and the
 * work-stealing protocols query it; a simulator drives the very same classes. Given the
 * same seed and the same sequence of events, a topology makes the same choices.
 *
 * <ul>
 *   <li>{@link io.roam.topologies.P2pTopology}: a bounded random neighbour set over all
 *       members, extended by agents that contact this one (as IOS does);</li>
 *   <li>{@link io.roam.topologies.C2cTopology}: members grouped by cluster, the oldest
 *       member of each cluster manages it, managers form a P2P network;</li>
 *   <li>{@link io.roam.topologies.Topologies}: the registry by name;</li>
 *   <li>{@link io.roam.topologies.Selection}: random and weighted picks over any list.</li>
 * </ul>
 */
package io.roam.topologies;
