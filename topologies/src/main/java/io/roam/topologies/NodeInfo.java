package io.roam.topologies;

import java.util.Comparator;
import java.util.Objects;

/**
 * One agent as the topologies see it.
 *
 * @param address  uniquely identifies the agent: its Pekko address string, for example
 *                 {@code "pekko://roam@10.0.0.1:2552"}; two {@code NodeInfo} with the same
 *                 address are the same agent
 * @param cluster  the named cluster the agent belongs to (C2C); {@link #DEFAULT_CLUSTER}
 *                 when none is configured
 * @param host     the MPI host name of the agent's node (where processes are spawned)
 * @param upNumber the order in which members came Up: lower is older; ties are broken by
 *                 address (see {@link #BY_AGE}); never negative
 */
public record NodeInfo(String address, String cluster, String host, long upNumber) {

    /** The cluster name of an agent whose cluster is not configured. */
    public static final String DEFAULT_CLUSTER = "default";

    /** Oldest first: lowest {@code upNumber}, then lowest address. A total order. */
    public static final Comparator<NodeInfo> BY_AGE =
            Comparator.comparingLong(NodeInfo::upNumber).thenComparing(NodeInfo::address);

    /** By address, the order of every list a topology returns. */
    public static final Comparator<NodeInfo> BY_ADDRESS = Comparator.comparing(NodeInfo::address);

    /**
     * Validates the fields.
     *
     * @throws NullPointerException     if a string field is null
     * @throws IllegalArgumentException if a string field is blank or {@code upNumber < 0}
     */
    public NodeInfo {
        requireText(address, "address");
        requireText(cluster, "cluster");
        requireText(host, "host");
        if (upNumber < 0) {
            throw new IllegalArgumentException("upNumber must be >= 0, got " + upNumber);
        }
    }

    /** An agent of the {@link #DEFAULT_CLUSTER}. */
    public NodeInfo(String address, String host, long upNumber) {
        this(address, DEFAULT_CLUSTER, host, upNumber);
    }

    /** True if this agent came Up before {@code other} (see {@link #BY_AGE}). */
    public boolean isOlderThan(NodeInfo other) {
        return BY_AGE.compare(this, other) < 0;
    }

    /** True if {@code other} is the same agent, that is, has the same address. */
    public boolean sameAgent(NodeInfo other) {
        return other != null && address.equals(other.address);
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name + " must not be null");
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
