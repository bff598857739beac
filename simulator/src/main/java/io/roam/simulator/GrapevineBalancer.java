package io.roam.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * GrapevineLB (Menon and Kalé, SC13), as we read the paper, run at each round without a
 * migration in flight:
 * <ol>
 * <li>the average load by a reduction (two messages per node);</li>
 * <li>if a node is above {@link #THRESHOLD} x the average, <b>information propagation</b>: the
 * underloaded nodes (below the average) start a gossip of the underloaded set and its loads;
 * for ceil(log2 N) rounds every node that knows of underloaded nodes sends what it knows to
 * {@link #FANOUT} nodes picked at random among those it does not know to be underloaded
 * (the paper's informed selection; each message lost with the network's loss). A node keeps
 * at most {@link #KNOWN} entries (the paper's messages carry the whole set; ours are bounded
 * to keep 100,000 nodes in memory);</li>
 * <li><b>informed transfer</b>: every overloaded node, largest object first, picks a target
 * among the underloaded nodes it knows with probability (1 - L/L_avg) / Z through their
 * cumulative distribution, sends the object if the target's estimated load plus the object
 * stays below the threshold x the average (the paper: below the average, which with about two
 * objects per node almost never holds), updates its estimate of the target and goes on while it is above
 * the threshold; no consent is asked (the paper's transfer), so several senders may fill
 * one target;</li>
 * <li><b>refinement</b>: a target that the transfers took above the threshold refuses the
 * last arrivals until it is within it (a negative answer); their senders retry once with
 * their updated estimates. Then the accepted transfers run as migrations.</li>
 * </ol>
 * Like the {@code gossip} baseline, the exchange takes no simulated time (its messages are
 * counted and may be lost).
 */
final class GrapevineBalancer extends Balancer {
    static final double THRESHOLD = 1.05;
    static final int FANOUT = 2;
    static final int KNOWN = 64;
    private int inFlight;

    private record Transfer(SimProcess p, SimNode from, SimNode to) {
    }

    GrapevineBalancer(World world) {
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
        if (alive.size() < 2 || alive.stream().noneMatch(n -> load[n.id] > THRESHOLD * avg)) {
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
        propagate(alive, known, count);
        double[] real = load.clone();
        List<Transfer> planned = new ArrayList<>();
        List<SimNode> senders = alive.stream().filter(n -> load[n.id] > THRESHOLD * avg).toList();
        for (SimNode n : senders) {
            transfer(n, avg, load, known[n.id], count[n.id], movable(n), real, planned);
        }
        List<Transfer> accepted = refine(planned, avg, real, known, count, load);
        for (Transfer t : accepted) {
            inFlight++;
            world.migrate(t.p(), t.from(), t.to(), (ok, detail) -> inFlight--);
        }
    }

    private static List<SimProcess> movable(SimNode n) {
        List<SimProcess> m = new ArrayList<>(n.processes.stream().filter(p -> !p.migrating).toList());
        m.sort(Comparator.<SimProcess>comparingDouble(p -> -p.job.work).thenComparingInt(p -> p.id));
        return m;
    }

    /** Gossip of the underloaded set: ceil(log2 N) rounds, fan-out 2, to nodes not known underloaded. */
    private void propagate(List<SimNode> alive, int[][] known, int[] count) {
        int rounds = 32 - Integer.numberOfLeadingZeros(alive.size() - 1);
        int[] mark = new int[world.nodes.size()];
        int token = 0;
        for (int r = 0; r < rounds; r++) {
            int[] before = count.clone();   // a round sends what was known at its start
            for (SimNode n : alive) {
                if (before[n.id] == 0) {
                    continue;
                }
                int[] src = known[n.id];
                for (int f = 0; f < FANOUT; f++) {
                    SimNode to = alive.get(n.rnd.nextInt(alive.size()));
                    for (int tries = 0; tries < 3 && (to == n || contains(src, before[n.id], to.id)); tries++) {
                        to = alive.get(n.rnd.nextInt(alive.size()));   // informed selection
                    }
                    if (to == n || world.sendLost(n, false)) {
                        continue;
                    }
                    token++;
                    int[] dst = known[to.id];
                    for (int i = 0; i < count[to.id]; i++) {
                        mark[dst[i]] = token;
                    }
                    for (int i = 0; i < before[n.id] && count[to.id] < KNOWN; i++) {
                        if (mark[src[i]] != token) {
                            mark[src[i]] = token;
                            dst[count[to.id]++] = src[i];
                        }
                    }
                }
            }
        }
    }

    private static boolean contains(int[] a, int n, int id) {
        for (int i = 0; i < n; i++) {
            if (a[i] == id) {
                return true;
            }
        }
        return false;
    }

    /** Informed transfer from {@code n}: targets by the CDF of their underload, estimates updated locally. */
    private void transfer(SimNode n, double avg, double[] load, int[] known, int count, List<SimProcess> movable,
                          double[] real, List<Transfer> planned) {
        double[] estimate = new double[count];
        for (int i = 0; i < count; i++) {
            estimate[i] = load[known[i]];
        }
        double mine = real[n.id];
        for (SimProcess p : movable) {
            if (mine <= THRESHOLD * avg) {
                return;
            }
            double total = 0;
            for (int i = 0; i < count; i++) {
                total += Math.max(0, 1 - estimate[i] / avg);
            }
            if (!(total > 0)) {
                return;
            }
            double r = n.rnd.nextDouble() * total;
            int pick = count - 1;
            for (int i = 0; i < count; i++) {
                r -= Math.max(0, 1 - estimate[i] / avg);
                if (r < 0) {
                    pick = i;
                    break;
                }
            }
            SimNode to = world.nodes.get(known[pick]);
            double add = p.job.work / to.speed;
            if (!to.alive || estimate[pick] + add >= avg * THRESHOLD) {
                continue;   // would not fit there by its estimate: the next object may
            }
            world.count(n, 1);
            estimate[pick] += add;
            real[to.id] += add;
            mine -= p.job.work / n.speed;
            real[n.id] = mine;
            planned.add(new Transfer(p, n, to));
        }
    }

    /**
     * Targets above the threshold refuse their last arrivals (one answer per transfer); each
     * refused object is offered once more by its sender to another target it knows.
     */
    private List<Transfer> refine(List<Transfer> planned, double avg, double[] real, int[][] known, int[] count,
                                  double[] load) {
        List<Transfer> accepted = new ArrayList<>();
        List<Transfer> refused = new ArrayList<>();
        for (int i = planned.size() - 1; i >= 0; i--) {
            Transfer t = planned.get(i);
            world.count(t.to(), 1);
            double add = t.p().job.work / t.to().speed;
            if (real[t.to().id] > THRESHOLD * avg) {
                real[t.to().id] -= add;
                real[t.from().id] += t.p().job.work / t.from().speed;
                refused.add(t);
            } else {
                accepted.add(t);
            }
        }
        for (Transfer t : refused) {
            SimNode n = t.from();
            if (real[n.id] <= THRESHOLD * avg) {
                continue;
            }
            int[] k = known[n.id];
            SimNode best = null;   // the least loaded by what the gossip told the sender
            for (int i = 0; i < count[n.id]; i++) {
                SimNode c = world.nodes.get(k[i]);
                if (c != t.to() && c.alive && (best == null || load[c.id] < load[best.id])) {
                    best = c;
                }
            }
            if (best == null) {
                continue;
            }
            world.count(n, 1);
            world.count(best, 1);   // the target checks its real load and answers
            if (real[best.id] + t.p().job.work / best.speed <= THRESHOLD * avg) {
                real[best.id] += t.p().job.work / best.speed;
                real[n.id] -= t.p().job.work / n.speed;
                accepted.add(new Transfer(t.p(), n, best));
            }
        }
        return accepted;
    }
}
