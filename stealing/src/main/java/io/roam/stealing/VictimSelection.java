package io.roam.stealing;

import io.roam.profiling.ProcessProfile;
import io.roam.topologies.NodeInfo;
import io.roam.topologies.Selection;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * How a thief picks a victim, and a victim picks where to forward a request:
 * <ul>
 * <li>RS: a uniformly random neighbour;</li>
 * <li>ATS: neighbours hosting ranks that this node's processes talk to, weighted by the bytes
 * exchanged (a tenth of the weight is spread evenly so every neighbour stays reachable);
 * random when this node's processes talk to no neighbour;</li>
 * <li>NTS: ATS weights divided by the measured latency, neighbours of the same cluster
 * first; when the cluster has none left, the C2C managers towards other clusters;</li>
 * <li>INFORMED (ours): the more loaded of two overloaded nodes picked at random among those the
 * node's {@link LoadGossip} heard of (power of two choices), those of its own cluster first;
 * NTS when it knows of none.</li>
 * </ul>
 */
public enum VictimSelection {
    RS, ATS, NTS, INFORMED;

    /** Picks among the neighbourhood's candidates not in {@code exclude}. */
    public Optional<NodeInfo> choose(Neighbourhood n, List<ProcessProfile> own, Set<String> exclude,
                                     RandomGenerator rnd) {
        List<NodeInfo> candidates = n.candidates(exclude);
        return switch (this) {
            case RS -> Selection.random(candidates, rnd);
            case ATS -> byTraffic(n, candidates, own, rnd, false);
            case NTS -> {
                String cluster = n.self().cluster();
                List<NodeInfo> same = candidates.stream().filter(c -> c.cluster().equals(cluster)).toList();
                if (!same.isEmpty()) {
                    yield byTraffic(n, same, own, rnd, true);
                }
                List<NodeInfo> out = n.otherClusterManagers().stream()
                        .filter(m -> !exclude.contains(m.address())).toList();
                yield out.isEmpty() ? byTraffic(n, candidates, own, rnd, true) : byTraffic(n, out, own, rnd, true);
            }
            case INFORMED -> {
                Optional<NodeInfo> hinted = informed(n, exclude, rnd);
                yield hinted.isPresent() ? hinted : NTS.choose(n, own, exclude, rnd);
            }
        };
    }

    /** Power of two choices among the hinted overloaded nodes, the node's own cluster first. */
    private static Optional<NodeInfo> informed(Neighbourhood n, Set<String> exclude, RandomGenerator rnd) {
        List<StealMessage.Hint> all = n.hints().stream()
                .filter(h -> !exclude.contains(h.node().address()) && !h.node().address().equals(n.self().address()))
                .toList();
        List<StealMessage.Hint> same = all.stream()
                .filter(h -> h.node().cluster().equals(n.self().cluster())).toList();
        List<StealMessage.Hint> from = same.isEmpty() ? all : same;
        if (from.isEmpty()) {
            return Optional.empty();
        }
        StealMessage.Hint a = from.get(rnd.nextInt(from.size()));
        StealMessage.Hint b = from.get(rnd.nextInt(from.size()));
        return Optional.of((b.load() > a.load() ? b : a).node());
    }

    private static Optional<NodeInfo> byTraffic(Neighbourhood n, List<NodeInfo> candidates, List<ProcessProfile> own,
                                                RandomGenerator rnd, boolean latency) {
        if (candidates.isEmpty()) {
            return Optional.empty();
        }
        long total = candidates.stream().mapToLong(c -> n.trafficWith(c.address(), own)).sum();
        double known = n.latencyMillis().values().stream().mapToDouble(Double::doubleValue)
                .filter(v -> v > 0).average().orElse(1);
        return Selection.weighted(candidates, c -> {
            double w = total == 0 ? 1 : n.trafficWith(c.address(), own) + 0.1 * total / candidates.size();
            if (latency) {
                double ms = n.latencyMillis().getOrDefault(c.address(), known);
                w /= Math.max(ms, 0.001);
            }
            return w;
        }, rnd);
    }

    public static Optional<VictimSelection> byName(String name) {
        return Arrays.stream(values()).filter(v -> v.name().equalsIgnoreCase(name)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
    }
}
