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

    private record Heard(SwapHint hint, long at) {
    }

    private final String address;
    private final long maxAgeMs;
    private final double above;
    private final RandomGenerator rnd;
    private final Map<String, Double> estimates = new HashMap<>();
    private final Map<String, Heard> hints = new HashMap<>();
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
            estimates.put(v.address(), v.workAverage());
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
            Heard old = hints.get(a);
            SwapHint next = new SwapHint(h.node(), h.load(), h.ranks(), h.largest(), h.smallest(), h.capacity(),
                    h.hops() + 1);
            if (old == null || next.hops() <= old.hint().hops()) {
                hints.put(a, new Heard(next, now));
                if (old == null || !old.hint().equals(next)) {
                    knownCache = null;
                }
            }
        }
        if (!namesItself && hints.remove(v.address()) != null) {
            knownCache = null;
        }
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
            for (double e : estimates.values()) {
                sum += e;
                n++;
            }
            average = sum / n;
        }
        overloaded = known && !processes.isEmpty() && average > 0 && load > above * average;
        if (hints.values().removeIf(h -> now - h.at() > maxAgeMs)) {
            knownCache = null;
        }
        if (hints.size() > KEEP) {
            knownCache = null;
            List<Heard> all = new ArrayList<>(hints.values());
            all.sort(Comparator.<Heard>comparingInt(h -> h.hint().hops())
                    .thenComparing(h -> h.hint().node().address()));
            all.subList(KEEP, all.size()).forEach(h -> hints.remove(h.hint().node().address()));
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
            knownCache = hints.values().stream().map(Heard::hint)
                    .sorted(Comparator.comparing(h -> h.node().address())).toList();
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
