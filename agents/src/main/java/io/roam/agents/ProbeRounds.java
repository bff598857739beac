package io.roam.agents;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which probes a round sends and which are still out: the plain part of {@link LinkProber}.
 * A round probes at most {@code maxPeers} peers, taking turns over the peers when there are
 * more; a peer whose previous probe is still out is skipped (a slow or dead peer never
 * accumulates probes). Each probed peer gets a small probe, and on its 1st, then every
 * {@code bandwidthEvery}-th probe (0 = never) a payload probe as well. A probe not answered
 * within {@code expiryNanos} is forgotten. Not thread-safe: owned by one actor.
 */
final class ProbeRounds {
    /** One probe to send: {@code bytes} 0 is the small probe. */
    record Probe(String peer, long seq, int bytes) {
    }

    /** A probe whose answer is complete: its payload bytes (0: small) and its round-trip time. */
    record Done(String peer, int bytes, long rttNanos) {
    }

    private static final class Pending {
        final String peer;
        final int bytes;
        final long startedNanos;
        long received;

        Pending(String peer, int bytes, long startedNanos) {
            this.peer = peer;
            this.bytes = bytes;
            this.startedNanos = startedNanos;
        }
    }

    private final int maxPeers;
    private final int bandwidthEvery;
    private final int payloadBytes;
    private final long expiryNanos;
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Map<String, Long> probesPerPeer = new HashMap<>();
    private long nextSeq = 1;
    private String lastProbed = "";

    ProbeRounds(int maxPeers, int bandwidthEvery, int payloadBytes, long expiryNanos) {
        if (maxPeers < 0 || bandwidthEvery < 0 || payloadBytes < 1 || expiryNanos <= 0) {
            throw new IllegalArgumentException("maxPeers >= 0, bandwidthEvery >= 0, payloadBytes >= 1, expiry > 0");
        }
        this.maxPeers = maxPeers;
        this.bandwidthEvery = bandwidthEvery;
        this.payloadBytes = payloadBytes;
        this.expiryNanos = expiryNanos;
    }

    /** The probes of a round over {@code peers} at {@code nowNanos}, registered as out. */
    List<Probe> next(Collection<String> peers, long nowNanos) {
        pending.values().removeIf(p -> nowNanos - p.startedNanos > expiryNanos);
        Set<String> busy = new HashSet<>();
        pending.values().forEach(p -> busy.add(p.peer));
        // take turns: start after the last peer probed, in address order, wrapping around
        TreeSet<String> sorted = new TreeSet<>(peers);
        List<String> order = new ArrayList<>(sorted.tailSet(lastProbed, false));
        order.addAll(sorted.headSet(lastProbed, true));
        List<Probe> out = new ArrayList<>();
        int chosen = 0;
        for (Iterator<String> it = order.iterator(); it.hasNext() && chosen < maxPeers; ) {
            String peer = it.next();
            if (busy.contains(peer)) {
                continue;
            }
            chosen++;
            lastProbed = peer;
            long n = probesPerPeer.merge(peer, 1L, Long::sum);
            out.add(start(peer, 0, nowNanos));
            if (bandwidthEvery > 0 && (n - 1) % bandwidthEvery == 0) {
                out.add(start(peer, payloadBytes, nowNanos));
            }
        }
        return out;
    }

    private Probe start(String peer, int bytes, long nowNanos) {
        long seq = nextSeq++;
        pending.put(seq, new Pending(peer, bytes, nowNanos));
        return new Probe(peer, seq, bytes);
    }

    /**
     * A reply to probe {@code seq} carrying {@code bytes} of its payload arrived at
     * {@code nowNanos}; the probe left at {@code sentNanos}. Done once all of its bytes are
     * answered; empty for a part, or for a probe that expired or was never sent.
     */
    Optional<Done> replied(long seq, int bytes, long sentNanos, long nowNanos) {
        Pending p = pending.get(seq);
        if (p == null) {
            return Optional.empty();
        }
        p.received += bytes;
        if (p.received < p.bytes) {
            return Optional.empty();
        }
        pending.remove(seq);
        return Optional.of(new Done(p.peer, p.bytes, nowNanos - sentNanos));
    }

    /** No probe is out. */
    boolean idle() {
        return pending.isEmpty();
    }

    /** Forgets the peers not in {@code peers} and their probes. */
    void retain(Collection<String> peers) {
        Set<String> keep = new HashSet<>(peers);
        pending.values().removeIf(p -> !keep.contains(p.peer));
        probesPerPeer.keySet().retainAll(keep);
    }
}
