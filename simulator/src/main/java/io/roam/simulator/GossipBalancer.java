package io.roam.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The diffusive baseline, in the style of Charm++'s DistributedLB: at each round without a
 * migration in flight, the average load is computed by a reduction (two messages per
 * node); if some node is above {@link #TARGET} x the average, the underloaded nodes (below
 * the average) gossip their load for ceil(log2 N) rounds with fan-out 2 (each message lost
 * with the network's loss probability; a node keeps at most {@link #KNOWN} underloaded
 * nodes, the first it learned of); then every overloaded node, largest process first, sends
 * processes to underloaded nodes it knows, picked at random weighted by their underload,
 * while it stays above the target; a target accepts (request + answer, two messages) only
 * if the process keeps it at most at the target.
 */
final class GossipBalancer extends Balancer {
    static final double TARGET = 1.05;
    static final int FANOUT = 2;
    static final int KNOWN = 16;
    private int inFlight;

    GossipBalancer(World world) {
        super(world);
    }

    @Override
    void onRound() {
        if (inFlight > 0) {
            return;
        }
        List<SimNode> alive = world.alive();
        int size = world.nodes.size();
        Loads loads = loads(alive);
        double[] load = loads.load();
        double avg = loads.avg();
        boolean over = alive.stream().anyMatch(n -> load[n.id] > TARGET * avg);
        if (!over || alive.size() < 2) {
            return;
        }
        int[][] known = new int[size][];
        int[] count = new int[size];
        for (SimNode n : alive) {
            known[n.id] = new int[KNOWN];
            if (load[n.id] < avg) {
                known[n.id][count[n.id]++] = n.id;
            }
        }
        gossip(alive, known, count);
        double[] incoming = new double[size];
        for (SimNode n : alive) {
            if (load[n.id] > TARGET * avg) {
                transfer(n, avg, load, known[n.id], count[n.id], incoming);
            }
        }
    }

    private void gossip(List<SimNode> alive, int[][] known, int[] count) {
        int rounds = 32 - Integer.numberOfLeadingZeros(alive.size() - 1);
        int[] mark = new int[world.nodes.size()];
        int token = 0;
        for (int r = 0; r < rounds; r++) {
            for (SimNode n : alive) {
                if (count[n.id] == 0) {
                    continue;
                }
                for (int f = 0; f < FANOUT; f++) {
                    SimNode to = alive.get(n.rnd.nextInt(alive.size()));
                    if (to == n || world.sendLost(n, false)) {
                        continue;
                    }
                    token++;
                    int[] dst = known[to.id];
                    for (int i = 0; i < count[to.id]; i++) {
                        mark[dst[i]] = token;
                    }
                    for (int i = 0; i < count[n.id] && count[to.id] < KNOWN; i++) {
                        int id = known[n.id][i];
                        if (mark[id] != token) {
                            mark[id] = token;
                            dst[count[to.id]++] = id;
                        }
                    }
                }
            }
        }
    }

    private void transfer(SimNode n, double avg, double[] load, int[] known, int count, double[] incoming) {
        double[] estimate = new double[count];
        for (int i = 0; i < count; i++) {
            estimate[i] = load[known[i]];
        }
        List<SimProcess> movable = new ArrayList<>(n.processes.stream().filter(p -> !p.migrating).toList());
        movable.sort(Comparator.<SimProcess>comparingDouble(p -> -p.job.work).thenComparingInt(p -> p.id));
        for (SimProcess p : movable) {
            if (load[n.id] <= TARGET * avg) {
                return;
            }
            double total = 0;
            for (int i = 0; i < count; i++) {
                total += Math.max(0, avg - estimate[i]);
            }
            if (!(total > 0)) {
                return;
            }
            double r = n.rnd.nextDouble() * total;
            int pick = 0;
            for (int i = 0; i < count; i++) {
                r -= Math.max(0, avg - estimate[i]);
                if (r < 0) {
                    pick = i;
                    break;
                }
            }
            SimNode to = world.nodes.get(known[pick]);
            double add = p.job.work / to.speed;
            world.count(n, 1);
            world.count(to, 1);
            if (!to.alive || to.load() + incoming[to.id] + add > TARGET * avg) {
                estimate[pick] = avg;
                continue;
            }
            incoming[to.id] += add;
            estimate[pick] += add;
            load[n.id] -= p.job.work / n.speed;
            inFlight++;
            world.migrate(p, n, to, (ok, detail) -> inFlight--);
        }
    }
}
