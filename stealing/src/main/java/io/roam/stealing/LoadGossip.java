package io.roam.stealing;

import io.roam.profiling.NodeProfile;
import io.roam.stealing.StealMessage.Hint;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The informed protocol's gossip (ours; {@code roam.stealing.protocol = informed}), carried on
 * the neighbour views every node sends anyway, so it costs no message of its own:
 * <ul>
 * <li>an estimate of the average load, by diffusion: at each period a node's estimate becomes
 * the mean of its own load and the estimates of the neighbours that sent one (load = its
 * processes per 10^8 updates/s of capacity, so a slower or throttled node counts as more
 * loaded);</li>
 * <li>a short list of overloaded nodes ({@link Hint}s): a node with at least two processes whose
 * load is above {@link #OVERLOAD} x the estimate names itself; each node passes on the
 * {@link #MAX_HINTS} hints it heard, picked at random, one hop further (at most
 * {@link #MAX_HOPS}), and forgets a hint after three periods plus a second, at once when the
 * node it names sends a view without naming itself, or when that node refuses a steal.</li>
 * </ul>
 * A thief steals from a hinted node, picking the more loaded of two at random (power of two
 * choices, {@link VictimSelection#INFORMED}); C2C managers, whose neighbours include the
 * other managers, pass their cluster's hints on to other clusters. Information spreads one hop
 * per period: within the diameter of the neighbour graph (about log P / log neighbours).
 */
public final class LoadGossip {
    /** A node above this times the average load (with two processes or more) names itself. */
    public static final double OVERLOAD = 1.05;
    /** Hints a view carries at most. */
    public static final int MAX_HINTS = 8;

    /**
     * A hint further than this many hops is dropped: hints travel one hop per period, so this
     * is also their age in periods (without it, hints bouncing between nodes outlive the
     * overload they name: measured, a thief then asked stale victims and backed off).
     */
    public static final int MAX_HOPS = 8;
    /** Hints a node keeps at most (the freshest, by hops). */
    public static final int KEEP = 64;

    private final String address;
    private final long maxAgeMs;
    private final java.util.random.RandomGenerator rnd;
    /** The neighbours' estimates (one-element arrays, updated in place: no boxing per view). */
    private final Map<String, double[]> estimates = new HashMap<>();
    private final Map<String, Heard<Hint>> hints = new HashMap<>();
    /** A lower bound of the hearing times of the hints kept (exact after each scan for expired ones). */
    private long minAt = Long.MAX_VALUE;
    /** {@link #known()} as last computed, null after any change of {@link #hints}. */
    private List<Hint> knownCache;
    private double average = -1;
    private double load = -1;
    private boolean overloaded;

    public LoadGossip(String address, StealSettings settings, java.util.random.RandomGenerator rnd) {
        this.address = address;
        this.rnd = rnd;
        this.maxAgeMs = 3 * settings.period().toMillis() + 1000;
    }

    /** The load of a node running {@code processes} (processes per 10^8 updates/s of capacity). */
    public static double load(NodeProfile p, int processes) {
        double capacity = p.capacity();
        return capacity > 0 ? processes * 1e8 / capacity : Double.MAX_VALUE;
    }

    /** A neighbour's view: its estimate and its hints. */
    public void onView(NeighbourView v, long now) {
        if (v.averageLoad() >= 0) {
            double[] e = estimates.get(v.address());
            if (e == null) {
                estimates.put(v.address(), new double[] {v.averageLoad()});
            } else {
                e[0] = v.averageLoad();
            }
        }
        boolean namesItself = false;
        for (Hint h : v.hints()) {
            String a = h.node().address();
            if (a.equals(v.address())) {
                namesItself = true;
            }
            if (a.equals(address)) {
                continue;
            }
            int hops = h.hops() + 1;
            if (hops > MAX_HOPS) {
                continue;
            }
            Heard<Hint> old = hints.get(a);
            if (old == null) {
                minAt = Math.min(minAt, now);
                hints.put(a, new Heard<>(a, new Hint(h.node(), h.load(), hops), now));
                knownCache = null;
            } else if (hops <= old.hint.hops()) {
                old.at = now;
                if (hops != old.hint.hops() || Double.compare(h.load(), old.hint.load()) != 0
                        || !h.node().equals(old.hint.node())) {
                    old.hint = new Hint(h.node(), h.load(), hops);
                    knownCache = null;   // a fresher copy of the same hint leaves known() as it was
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

    /** The hinted node refused a steal: it is no longer worth asking. */
    public void refusedBy(String victim) {
        if (hints.remove(victim) != null) {
            knownCache = null;
        }
    }

    /** One period: this node's load, the new estimate of the average, whether it is overloaded. */
    public void tick(long now, NodeProfile self, int processes) {
        load = load(self, processes);
        double sum = load;
        int n = 1;
        for (double[] e : estimates.values()) {
            sum += e[0];
            n++;
        }
        average = sum / n;
        overloaded = processes >= 2 && load > OVERLOAD * average;
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

    /**
     * The hints to pass on: this node first if it is overloaded, then a random sample of those
     * heard (not the most loaded: every thief would then ask the same few nodes).
     */
    public List<Hint> outgoing(NodeInfo self) {
        List<Hint> out = new ArrayList<>(MAX_HINTS);
        if (overloaded) {
            out.add(new Hint(self, load, 0));
        }
        RandomSample.fill(out, known(), MAX_HINTS, rnd);
        return out;
    }

    /** The hints known now (for the thief's choice). */
    public List<Hint> known() {
        if (knownCache == null) {
            knownCache = Heard.sorted(hints);
        }
        return knownCache;
    }

    /** The estimate of the average load (-1 before the first period). */
    public double average() {
        return average;
    }

    public boolean overloaded() {
        return overloaded;
    }
}
