package io.roam.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The greedy balancer's few-moves path: while the most loaded node is above the target, move
 * one of its processes (largest first) to the node where it would finish first, if that
 * lowers the pair's maximum and stays within the target. Fails (empty) when the most loaded
 * node cannot shed anything that way; the balancer then applies the full {@link Lpt}
 * assignment.
 */
final class Repair {
    /** One planned move. */
    record Move(SimProcess process, SimNode to) {
    }

    private Repair() {
    }

    /** The moves that bring every node to at most {@code target} (seconds), or null if this greedy cannot. */
    static List<Move> plan(World w, double target) {
        double[] load = new double[w.nodes.size()];
        Comparator<SimNode> byLoad = Comparator.<SimNode>comparingDouble(n -> load[n.id]).thenComparingInt(n -> n.id);
        TreeSet<SimNode> sources = new TreeSet<>(byLoad.reversed());
        TreeMap<Double, TreeSet<SimNode>> bySpeed = new TreeMap<>();
        for (SimNode n : w.alive()) {
            load[n.id] = n.load();
            sources.add(n);
            bySpeed.computeIfAbsent(n.speed, k -> new TreeSet<>(byLoad)).add(n);
        }
        Set<SimProcess> moved = new HashSet<>();
        List<Move> moves = new ArrayList<>();
        while (!sources.isEmpty() && load[sources.first().id] > target) {
            SimNode from = sources.first();
            List<SimProcess> own = new ArrayList<>(from.processes);
            own.sort(Comparator.<SimProcess>comparingDouble(p -> -p.job.work).thenComparingInt(p -> p.id));
            Move move = null;
            for (SimProcess p : own) {
                if (p.migrating || moved.contains(p)) {
                    continue;
                }
                SimNode best = null;
                double finish = Double.POSITIVE_INFINITY;
                for (Map.Entry<Double, TreeSet<SimNode>> e : bySpeed.entrySet()) {
                    SimNode d = e.getValue().first();
                    double f = load[d.id] + p.job.work / e.getKey();
                    if (d != from && f < finish) {
                        finish = f;
                        best = d;
                    }
                }
                if (best != null && finish <= target && finish < load[from.id]) {
                    move = new Move(p, best);
                    break;
                }
            }
            if (move == null || moves.size() > w.processes.size()) {
                return null;
            }
            SimNode to = move.to();
            update(sources, bySpeed, load, from, -move.process().job.work / from.speed);
            update(sources, bySpeed, load, to, move.process().job.work / to.speed);
            moved.add(move.process());
            moves.add(move);
        }
        return moves;
    }

    private static void update(TreeSet<SimNode> sources, TreeMap<Double, TreeSet<SimNode>> bySpeed, double[] load,
                               SimNode n, double delta) {
        TreeSet<SimNode> cls = bySpeed.get(n.speed);
        sources.remove(n);
        cls.remove(n);
        load[n.id] += delta;
        sources.add(n);
        cls.add(n);
    }
}
