package io.roam.profiling;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One job's communication graph, rank to rank, from the cumulative counters libpcm sends
 * with each heartbeat, and where each rank runs. It answers the IOS gain's questions: how
 * much does a rank exchange with ranks on its own node (C_local) and on each other node
 * (C_remote). A rank's traffic counts both ways: what it sends to a peer and what the peer
 * sends to it. Counters restart from zero in a replacement, so a rank's counters are kept
 * per incarnation (its moves) and summed. Not thread-safe: owned by one actor.
 */
public final class CommunicationGraph {
    /** Bytes and messages from one rank to another. */
    public record Edge(long messages, long bytes) {
        Edge plus(Edge o) {
            return new Edge(messages + o.messages, bytes + o.bytes);
        }
    }

    /** rank -> incarnation (moves) -> peer -> cumulative edge of that incarnation. */
    private final Map<Integer, Map<Integer, Map<Integer, Edge>>> sent = new HashMap<>();
    private final Map<Integer, String> nodeOfRank = new HashMap<>();

    /** Records a heartbeat's cumulative counters of {@code rank} in its {@code moves}-th incarnation. */
    public void report(int rank, int moves, Map<Integer, Edge> cumulative) {
        sent.computeIfAbsent(rank, r -> new HashMap<>()).put(moves, Map.copyOf(cumulative));
    }

    /** Where a rank runs now. */
    public void placed(int rank, String node) {
        nodeOfRank.put(rank, node);
    }

    public Optional<String> nodeOf(int rank) {
        return Optional.ofNullable(nodeOfRank.get(rank));
    }

    /** Total traffic from rank a to rank b over all of a's incarnations. */
    public Edge sent(int a, int b) {
        Edge total = new Edge(0, 0);
        for (Map<Integer, Edge> incarnation : sent.getOrDefault(a, Map.of()).values()) {
            total = total.plus(incarnation.getOrDefault(b, new Edge(0, 0)));
        }
        return total;
    }

    /** Bytes exchanged between a and b, both directions. */
    public long exchanged(int a, int b) {
        return sent(a, b).bytes() + sent(b, a).bytes();
    }

    /** Every rank that appears, as sender or receiver. */
    public java.util.Set<Integer> ranks() {
        java.util.Set<Integer> all = new java.util.TreeSet<>(sent.keySet());
        sent.values().forEach(inc -> inc.values().forEach(m -> all.addAll(m.keySet())));
        all.addAll(nodeOfRank.keySet());
        return all;
    }

    /**
     * Bytes {@code rank} exchanges with the ranks on each node (its own node included), by
     * node name; ranks whose node is unknown are under "?".
     */
    public Map<String, Long> bytesByNode(int rank) {
        Map<String, Long> out = new TreeMap<>();
        for (int peer : ranks()) {
            if (peer == rank) {
                continue;
            }
            long b = exchanged(rank, peer);
            if (b > 0) {
                out.merge(nodeOfRank.getOrDefault(peer, "?"), b, Long::sum);
            }
        }
        return out;
    }

    /** C_local of the IOS gain: bytes exchanged with ranks on the rank's own node. */
    public long localBytes(int rank) {
        String node = nodeOfRank.get(rank);
        return node == null ? 0 : bytesByNode(rank).getOrDefault(node, 0L);
    }

    /** C_remote towards {@code node}: bytes exchanged with ranks on that node. */
    public long bytesWith(int rank, String node) {
        return bytesByNode(rank).getOrDefault(node, 0L);
    }
}
