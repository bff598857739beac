package io.roam.profiling;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Latency and bandwidth to each peer from probe timings: the RTT smoothed the way the node's
 * available processing is ({@link Smoother}, the same old weight), the bandwidth the best of
 * its recent samples.
 * <ul>
 *   <li>RTT: every small probe's round trip is a sample of the smoothed RTT.</li>
 *   <li>Bandwidth: a payload probe of {@code bytes} takes longer than a small one by the time
 *       the bytes need on the way: a sample is {@code bytes / (rtt_payload - rtt_small)}, where
 *       {@code rtt_small} is the base RTT, the shortest of the peer's last
 *       {@value #BASE_WINDOW} small probes (queueing only ever adds to a round trip). A payload
 *       probe that was not slower than the base says nothing (no sample); bandwidth stays
 *       unknown (-1) until a sample exists, never 0. The bandwidth is the best of the last
 *       {@value #BANDWIDTH_WINDOW} samples, not their smoothed mean, for the reason the base RTT
 *       is the shortest: a peer or a prober short of CPU only ever adds time to a payload's round
 *       trip, so every sample is a lower bound of the link's rate. Between agents in CPU cgroups
 *       of 0.4 cores beside a spinning rank, the samples of one veth link (GB/s) were 3 to 13
 *       MB/s, 64 KiB over a few ms of scheduling delay (benchmarks/results/autonomy.md,
 *       scenario 6).</li>
 *   <li>Rate samples from the kernel ({@link #rate}): the delivery rate the kernel measured on
 *       the connection that carried a payload probe, which no agent's scheduling delays. They
 *       join the payload samples in the same window: between starved agents they are what the
 *       best of it is.</li>
 * </ul>
 * Plain class, not thread-safe: owned by one actor.
 */
public final class LinkEstimator {
    /** How many recent small-probe RTTs the base RTT is the minimum of. */
    public static final int BASE_WINDOW = 8;
    /**
     * How many recent bandwidth samples the bandwidth is the best of: with a payload every
     * 6th round of 5 s, the last 2 minutes (the last minute when the kernel's rate of each
     * payload is a sample too), so a link that got slower shows within them.
     */
    public static final int BANDWIDTH_WINDOW = 4;

    private final double oldWeight;
    private final Map<String, Link> links = new TreeMap<>();

    private final class Link {
        final String host;
        final Smoother rtt = new Smoother(oldWeight);
        final ArrayDeque<Double> bandwidths = new ArrayDeque<>();
        final ArrayDeque<Long> recent = new ArrayDeque<>();
        long samples;
        long atMillis;

        Link(String host) {
            this.host = host;
        }

        void bandwidth(double bytesPerSec) {
            bandwidths.addLast(bytesPerSec);
            if (bandwidths.size() > BANDWIDTH_WINDOW) {
                bandwidths.removeFirst();
            }
        }

        long baseNanos() {
            return recent.stream().mapToLong(Long::longValue).min().orElse(-1);
        }

        LinkProfile profile(String peer) {
            double r = rtt.value();
            double b = bandwidths.stream().mapToDouble(Double::doubleValue).max().orElse(-1);
            return new LinkProfile(peer, host, Double.isNaN(r) ? -1 : r / 1e6, b, samples, atMillis);
        }
    }

    /** @param oldWeight the weight of the previous value, as {@code roam.profiling.smoothing-old-weight} */
    public LinkEstimator(double oldWeight) {
        new Smoother(oldWeight);   // validates
        this.oldWeight = oldWeight;
    }

    /** A small probe to {@code peer} came back after {@code rttNanos}. Non-positive times are ignored. */
    public LinkProfile rtt(String peer, String host, long rttNanos, long atMillis) {
        Link l = link(peer, host);
        if (rttNanos > 0) {
            l.rtt.update(rttNanos);
            l.recent.addLast(rttNanos);
            if (l.recent.size() > BASE_WINDOW) {
                l.recent.removeFirst();
            }
            l.samples++;
            l.atMillis = atMillis;
        }
        return l.profile(peer);
    }

    /**
     * A payload probe of {@code bytes} to {@code peer} came back after {@code rttNanos}.
     * Returns whether it gave a bandwidth sample (it does not before any small probe, nor
     * when it was not slower than the base RTT).
     */
    public boolean payload(String peer, String host, long bytes, long rttNanos) {
        Link l = link(peer, host);
        long base = l.baseNanos();
        if (bytes <= 0 || base < 0 || rttNanos <= base) {
            return false;
        }
        l.bandwidth(bytes * 1e9 / (rttNanos - base));
        return true;
    }

    /**
     * A rate sample of the link to {@code peer} from elsewhere than the probe's timing, in
     * bytes/s: the kernel's delivery rate of the connection that carried the payload probe
     * ({@link TcpRates}). Counts as a payload sample does. Returns whether it was one (above 0).
     */
    public boolean rate(String peer, String host, double bytesPerSec) {
        if (!(bytesPerSec > 0) || Double.isInfinite(bytesPerSec)) {
            return false;
        }
        link(peer, host).bandwidth(bytesPerSec);
        return true;
    }

    /** Forgets every peer not in {@code peers}. */
    public void retain(Collection<String> peers) {
        links.keySet().retainAll(new HashSet<>(peers));
    }

    public Optional<LinkProfile> link(String peer) {
        Link l = links.get(peer);
        return l == null ? Optional.empty() : Optional.of(l.profile(peer));
    }

    /** Every peer's link, by address. */
    public List<LinkProfile> links() {
        List<LinkProfile> out = new ArrayList<>(links.size());
        links.forEach((peer, l) -> out.add(l.profile(peer)));
        return out;
    }

    private Link link(String peer, String host) {
        return links.computeIfAbsent(peer, p -> new Link(host));
    }
}
