package io.roam.stealing;

import io.roam.decision.Weights;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.stealing.StealMessage.SwapHint;
import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The swaps' gossip ({@code roam.stealing.swaps}), carried on the neighbour views as
 * {@link LoadGossip}'s is, with the same rules, but by work ({@link Weights}) instead of by
 * process count:
 * <ul>
 * <li>an estimate of the average load by work, by diffusion: at each period a node's estimate
 * becomes the mean of its own load and the estimates of the neighbours that sent one;</li>
 * <li>{@link SwapHint}s: a node with a rank whose load is above swap-above x the estimate names
 * itself, with its load, its number of ranks, the weights of its largest and smallest ranks and
 * its capacity; each node passes on
 * {@link #MAX_HINTS} of the hints it heard, picked at random, one hop further (at most
 * {@link #MAX_HOPS}), and forgets a hint after three periods plus a second, at once when the node
 * it names sends a view without naming itself, or when that node refuses a swap.</li>
 * </ul>
 * While a rank's rates are unknown (it just arrived) the node's load is not known either: it
 * keeps its last load for the estimate and names itself only when it knows its load.
 */
public final class SwapGossip {
    /** Hints a view carries at most. */
    public static final int MAX_HINTS = 8;
    /** A hint further than this many hops is dropped (see {@link LoadGossip#MAX_HOPS}). */
    public static final int MAX_HOPS = 8;
    /** Hints a node keeps at most (the freshest, by hops). */
    public static final int KEEP = 64;

    private final String address;
    private final long maxAgeMs;
    private final double above;
    private final RandomGenerator rnd;
    /** The neighbours' estimates (one-element arrays, updated in place: no boxing per view). */
    private final Map<String, double[]> estimates = new HashMap<>();
    private final Map<String, Heard<SwapHint>> hints = new HashMap<>();
    /** A lower bound of the hearing times of the hints kept (exact after each scan for expired ones). */
    private long minAt = Long.MAX_VALUE;
    private List<SwapHint> knownCache;
    private double average = -1;
    private double load = -1;
    private double largest = -1;
    private double smallest = -1;
    private int ranks;
    private double capacity = -1;
    private boolean overloaded;

    public SwapGossip(String address, StealSettings settings, RandomGenerator rnd) {
        this.address = address;
        this.maxAgeMs = 3 * settings.period().toMillis() + 1000;
        this.above = settings.swapAbove();
        this.rnd = rnd;
    }

    /** A neighbour's view: its estimate and its swap hints. */
    public void onView(NeighbourView v, long now) {
        if (v.workAverage() >= 0) {
            double[] e = estimates.get(v.address());
            if (e == null) {
                estimates.put(v.address(), new double[] {v.workAverage()});
            } else {
                e[0] = v.workAverage();
            }
        }
        boolean namesItself = false;
        for (SwapHint h : v.swapHints()) {
            String a = h.node().address();
            if (a.equals(v.address())) {
                namesItself = true;
            }
            if (a.equals(address) || h.hops() + 1 > MAX_HOPS) {
                continue;
            }
            int hops = h.hops() + 1;
            Heard<SwapHint> old = hints.get(a);
            if (old == null) {
                minAt = Math.min(minAt, now);
                hints.put(a, new Heard<>(a, hopFurther(h), now));
                knownCache = null;
            } else if (hops <= old.hint.hops()) {
                old.at = now;
                if (!sameButOneHop(old.hint, h)) {
                    old.hint = hopFurther(h);
                    knownCache = null;
                }
            }
        }
        if (!namesItself && hints.remove(v.address()) != null) {
            knownCache = null;
        }
    }

    private static SwapHint hopFurther(SwapHint h) {
        return new SwapHint(h.node(), h.load(), h.ranks(), h.largest(), h.smallest(), h.capacity(), h.hops() + 1);
    }

    /** Whether {@code kept} equals {@code heard} one hop further (as the record's equals compares them). */
    private static boolean sameButOneHop(SwapHint kept, SwapHint heard) {
        return kept.hops() == heard.hops() + 1 && Double.compare(kept.load(), heard.load()) == 0
                && kept.ranks() == heard.ranks() && Double.compare(kept.largest(), heard.largest()) == 0
                && Double.compare(kept.smallest(), heard.smallest()) == 0
                && Double.compare(kept.capacity(), heard.capacity()) == 0 && kept.node().equals(heard.node());
    }

    /** A neighbour whose view expired: its estimate no longer counts. */
    public void forget(String neighbour) {
        estimates.remove(neighbour);
    }

    /** The hinted node refused a swap: not worth asking again on this hint. */
    public void refusedBy(String node) {
        if (hints.remove(node) != null) {
            knownCache = null;
        }
    }

    /** One period: this node's load by work, the new estimate of the average, whether it is overloaded. */
    public void tick(long now, NodeProfile self, List<ProcessProfile> processes) {
        double l = Weights.load(processes, self);
        boolean known = l >= 0;
        if (known) {
            load = l;
            capacity = self.capacity();
            largest = processes.stream().mapToDouble(p -> Weights.of(p, self)).max().orElse(0);
            smallest = processes.stream().mapToDouble(p -> Weights.of(p, self)).min().orElse(0);
            ranks = processes.size();
        }
        if (load >= 0) {
            double sum = load;
            int n = 1;
            for (double[] e : estimates.values()) {
                sum += e[0];
                n++;
            }
            average = sum / n;
        }
        overloaded = known && !processes.isEmpty() && average > 0 && load > above * average;
        if (now - minAt > maxAgeMs) {   // else none can have expired: no scan
            int before = hints.size();
            minAt = Heard.expire(hints, now, maxAgeMs);
            if (hints.size() != before) {
                knownCache = null;
            }
        }
        if (hints.size() > KEEP) {
            knownCache = null;
            Freshest.keep(hints, KEEP, MAX_HOPS, h -> h.hint.hops());
        }
    }

    /** The hints to pass on: this node first if it is overloaded, then a random sample of those heard. */
    public List<SwapHint> outgoing(NodeInfo self) {
        List<SwapHint> out = new ArrayList<>(MAX_HINTS);
        if (overloaded) {
            out.add(new SwapHint(self, load, ranks, largest, smallest, capacity, 0));
        }
        RandomSample.fill(out, known(), MAX_HINTS, rnd);
        return out;
    }

    /** The hints known now, by address. */
    public List<SwapHint> known() {
        if (knownCache == null) {
            knownCache = Heard.sorted(hints);
        }
        return knownCache;
    }

    /** The estimate of the average load by work, s per iteration (-1 before this node knew its load). */
    public double average() {
        return average;
    }

    /** This node's load by work at the last period it knew it (-1 never). */
    public double load() {
        return load;
    }

    public boolean overloaded() {
        return overloaded;
    }
}
