package io.roam.profiling;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

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

    /** Round-trip time (ms) of each measured link by peer address; unmeasured links are left out. */
    public Map<String, Double> rttMillisByPeer() {
        return byPeer(LinkProfile::rttMillis);
    }

    /** Transfer rate (bytes/s) of each measured link by peer address; unmeasured links are left out. */
    public Map<String, Double> bandwidthByPeer() {
        return byPeer(LinkProfile::bandwidthBytesPerSec);
    }

    private Map<String, Double> byPeer(ToDoubleFunction<LinkProfile> f) {
        Map<String, Double> out = new HashMap<>();
        for (LinkProfile l : links) {
            double v = f.applyAsDouble(l);
            if (v > 0) {
                out.put(l.peerAddress(), v);
            }
        }
        return Map.copyOf(out);
    }
}
