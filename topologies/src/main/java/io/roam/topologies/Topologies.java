package io.roam.topologies;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * The registry of topologies by name, for the agent's configuration: {@code "p2p"} and
 * {@code "c2c"}, each with a one-line description. Names are
 * matched case-insensitively after trimming; an unknown name fails fast listing the valid
 * ones.
 */
public final class Topologies {

    /** Builds a topology for one agent. */
    @FunctionalInterface
    private interface Factory {
        Topology create(NodeInfo self, int maxNeighbours, RandomGenerator rnd);
    }

    private record Entry(String description, Factory factory) {
    }

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("p2p", new Entry("peer-to-peer: a bounded random neighbour set over all members,"
                + " extended by agents that make contact", P2pTopology::new));
        REGISTRY.put("c2c", new Entry("cluster-to-cluster: neighbours inside the named cluster; the oldest"
                + " member of each cluster manages it and managers form a P2P network", C2cTopology::new));
    }

    private Topologies() {
    }

    /** Valid names and their one-line descriptions, in registry order. */
    public static Map<String, String> available() {
        Map<String, String> out = new LinkedHashMap<>();
        REGISTRY.forEach((name, entry) -> out.put(name, entry.description()));
        return out;
    }

    /**
     * Creates the topology registered as {@code name} for agent {@code self}.
     *
     * @throws IllegalArgumentException if the name is unknown (the message lists the valid
     *                                  names with their descriptions) or
     *                                  {@code maxNeighbours < 1}
     */
    public static Topology create(String name, NodeInfo self, int maxNeighbours, RandomGenerator rnd) {
        Objects.requireNonNull(name, "name");
        Entry entry = REGISTRY.get(name.trim().toLowerCase(Locale.ROOT));
        if (entry == null) {
            throw new IllegalArgumentException("unknown topology '" + name + "'; valid names: "
                    + REGISTRY.entrySet().stream()
                            .map(e -> e.getKey() + " (" + e.getValue().description() + ")")
                            .collect(Collectors.joining(", ")));
        }
        return entry.factory().create(self, maxNeighbours, rnd);
    }
}
