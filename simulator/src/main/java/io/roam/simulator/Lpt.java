package io.roam.simulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * The centralized greedy assignment with full knowledge (LPT on uniform machines): the
 * processes, largest work first, each to the alive node where it would finish first
 * ((load + work) / speed). Nodes are grouped by speed (one heap of loads per distinct
 * speed), so a process costs O(speeds x log nodes). Then, inside each speed class, the
 * greedy bins are given to the nodes that already hold most of their processes, so that
 * applying the assignment moves few processes. Used as the greedy balancer and as the
 * reference of the best reachable balance.
 */
final class Lpt {
    private Lpt() {
    }

    /** Process id -> node id. */
    static int[] assign(World w) {
        List<SimNode> alive = w.alive();
        TreeMap<Double, List<SimNode>> bySpeed = new TreeMap<>();
        for (SimNode n : alive) {
            bySpeed.computeIfAbsent(n.speed, k -> new ArrayList<>()).add(n);
        }
        double[] binLoad = new double[alive.size()];
        int[] binSpeedClass = new int[alive.size()];
        double[] speeds = new double[bySpeed.size()];
        List<PriorityQueue<Integer>> heaps = new ArrayList<>();
        int bin = 0;
        int cls = 0;
        List<List<Integer>> binsOfClass = new ArrayList<>();
        for (Map.Entry<Double, List<SimNode>> e : bySpeed.entrySet()) {
            speeds[cls] = e.getKey();
            PriorityQueue<Integer> heap = new PriorityQueue<>(
                    Comparator.<Integer>comparingDouble(b -> binLoad[b]).thenComparingInt(b -> b));
            List<Integer> bins = new ArrayList<>();
            for (int k = 0; k < e.getValue().size(); k++) {
                binSpeedClass[bin] = cls;
                heap.add(bin);
                bins.add(bin++);
            }
            heaps.add(heap);
            binsOfClass.add(bins);
            cls++;
        }
        SimProcess[] order = w.processes.toArray(new SimProcess[0]);
        Arrays.sort(order, Comparator.<SimProcess>comparingDouble(p -> -p.job.work).thenComparingInt(p -> p.id));
        int[] binOf = new int[order.length];
        for (SimProcess p : order) {
            int best = -1;
            double finish = Double.POSITIVE_INFINITY;
            for (int c = 0; c < speeds.length; c++) {
                int b = heaps.get(c).peek();
                double f = binLoad[b] + p.job.work / speeds[c];
                if (f < finish) {
                    finish = f;
                    best = c;
                }
            }
            int b = heaps.get(best).poll();
            binLoad[b] += p.job.work / speeds[best];
            heaps.get(best).add(b);
            binOf[p.id] = b;
        }
        return label(w, bySpeed, binsOfClass, binOf);
    }

    /** Gives each bin a node of its speed class, preferring the node that holds most of the bin's processes. */
    private static int[] label(World w, TreeMap<Double, List<SimNode>> bySpeed, List<List<Integer>> binsOfClass,
                               int[] binOf) {
        int bins = bySpeed.values().stream().mapToInt(List::size).sum();
        List<List<SimProcess>> members = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            members.add(new ArrayList<>());
        }
        for (SimProcess p : w.processes) {
            members.get(binOf[p.id]).add(p);
        }
        int[] nodeOfBin = new int[members.size()];
        Arrays.fill(nodeOfBin, -1);
        boolean[] taken = new boolean[w.nodes.size()];
        int cls = 0;
        for (List<SimNode> nodes : bySpeed.values()) {
            List<Integer> classBins = new ArrayList<>(binsOfClass.get(cls++));
            classBins.sort(Comparator.<Integer>comparingInt(b -> -members.get(b).size()).thenComparingInt(b -> b));
            double speed = nodes.get(0).speed;
            for (int b : classBins) {
                Map<Integer, Integer> votes = new HashMap<>();
                for (SimProcess p : members.get(b)) {
                    SimNode n = w.nodes.get(p.node);
                    if (n.speed == speed && !taken[n.id]) {
                        votes.merge(n.id, 1, Integer::sum);
                    }
                }
                votes.entrySet().stream().max(Map.Entry.<Integer, Integer>comparingByValue()
                                .thenComparing(Map.Entry.<Integer, Integer>comparingByKey(Comparator.reverseOrder())))
                        .ifPresent(e -> {
                            nodeOfBin[b] = e.getKey();
                            taken[e.getKey()] = true;
                        });
            }
            int next = 0;
            for (int b : classBins) {
                if (nodeOfBin[b] < 0) {
                    while (taken[nodes.get(next).id]) {
                        next++;
                    }
                    nodeOfBin[b] = nodes.get(next).id;
                    taken[nodeOfBin[b]] = true;
                }
            }
        }
        int[] nodeOf = new int[binOf.length];
        for (int i = 0; i < binOf.length; i++) {
            nodeOf[i] = nodeOfBin[binOf[i]];
        }
        return nodeOf;
    }
}
