package io.roam.profiling;

import java.util.List;

/**
 * The network side of a node's profile: its interfaces (loopback excluded) and its measured
 * links to the peer agents it probes.
 */
public record NetworkProfile(List<InterfaceStat> interfaces, List<LinkProfile> links) {
    /** Nothing measured yet. */
    public static final NetworkProfile EMPTY = new NetworkProfile(List.of(), List.of());

    public NetworkProfile {
        interfaces = List.copyOf(interfaces);
        links = List.copyOf(links);
    }

    /** The link to the agent at {@code peerAddress}, if this node probes it. */
    public java.util.Optional<LinkProfile> link(String peerAddress) {
        return links.stream().filter(l -> l.peerAddress().equals(peerAddress)).findFirst();
    }
}
