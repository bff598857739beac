package io.roam.simulator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * GrapevineLB (Menon and Kalé, SC13), following the authors' own implementation in Charm++
 * ({@code DistributedLB}: its phases, thresholds and acknowledgements), run at each round
 * without a migration in flight, T = {@link #THRESHOLD}:
 * <ol>
 * <li>the average and the largest load by a reduction (two messages per node); nothing to do
 * if the largest is within T x the average;</li>
 * <li><b>information propagation</b>: the underloaded nodes (below T x the average) start a
 * gossip of the underloaded set and their loads; for ceil(log2 N) rounds every node that
 * knows of underloaded nodes sends what it knows to {@link #FANOUT} nodes picked at random
 * among those it does not know to be underloaded (each message lost with the network's loss).
 * A node keeps at most {@link #KNOWN} entries (the paper's messages carry the whole set; ours
 * are bounded to keep 100,000 nodes in memory);</li>
 * <li><b>informed transfer</b> in phases (at most {@link #MAX_PHASES}): the transfer threshold
 * starts at max(T x avg, (max + avg) / 2), so that the most loaded nodes give first; every
 * node above it that is not underloaded and has two objects or more gives its smallest objects
 * one by one, each to a target drawn from the cumulative distribution of
 * (threshold - L) / threshold over the underloaded nodes it knows (drawn again, up to N draws
 * per node and step, until the target's estimated load plus the object stays below the
 * threshold), updating its estimate, while it is above the threshold;</li>
 * <li><b>refinement</b> (acknowledgements): a target accepts an object only if its real load
 * plus the object stays within the threshold, else answers no; the giver takes the object
 * back and places it again, until its refusals exceed 1 % of the underloaded nodes it knows
 * (then it keeps the object). After each phase a reduction gives the new largest load; if it
 * dropped by less than 0.01 x the average the threshold relaxes halfway toward the average,
 * else to (max + avg) / 2, never below T x avg; the phases end at T x avg.</li>
 * </ol>
 * Then the accepted transfers run as migrations. Like the {@code gossip} baseline, the exchange
 * takes no simulated time (its messages are counted and may be lost).
 */
final class GrapevineBalancer extends Balancer {
    static final double THRESHOLD = 1.05;
    static final int FANOUT = 2;
    static final int KNOWN = 256;
    static final int MAX_PHASES = 10;
    private int inFlight;
    /** Each node's underloaded set, by node id (reused from round to round: 100,000 x 256 entries). */
    private int[][] known;

    private record Transfer(SimProcess p, SimNode from, SimNode to) {
    }

    /** A giver's state over one step: what it knows of its targets, its objects, its draws. */
    private static final class Giver {
        final SimNode node;
        final int[] targets;
        final double[] estimate;
        final double[] cdf;
        final List<SimProcess> objects;   // smallest first
        int trials;
        int refusals;

        Giver(SimNode node, int[] targets, double[] estimate, double[] cdf, List<SimProcess> objects, int trials) {
            this.node = node;
            this.targets = targets;
            this.estimate = estimate;
            this.cdf = cdf;
            this.objects = objects;
            this.trials = trials;
        }
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
        double max = 0;
        for (SimNode n : alive) {
            max = Math.max(max, load[n.id]);
        }
        if (alive.size() < 2 || max <= THRESHOLD * avg) {
            return;
        }
        if (known == null || known.length < size) {
            known = java.util.Arrays.copyOf(known == null ? new int[0][] : known, size);
        }
        int[] count = new int[size];
        int keep = Math.min(KNOWN, alive.size());
        for (SimNode n : alive) {
            if (known[n.id] == null || known[n.id].length != keep) {
                known[n.id] = new int[keep];   // kept from round to round: only the first count[id] entries are read
            }
            if (load[n.id] < THRESHOLD * avg) {
                known[n.id][count[n.id]++] = n.id;
            }
        }
        propagate(alive, known, count);
        double[] real = load.clone();
        double threshold = Math.max(THRESHOLD * avg, (max + avg) / 2);
        List<Giver> givers = new ArrayList<>();
        for (SimNode n : alive) {
            if (load[n.id] >= THRESHOLD * avg && count[n.id] > 0) {
                givers.add(giver(n, known[n.id], count[n.id], load, threshold, alive.size()));
            }
        }
        List<Transfer> accepted = new ArrayList<>();
        double ratio = max / avg;
        for (int phase = 0; phase < MAX_PHASES && ratio > THRESHOLD; phase++) {
            for (Giver g : givers) {
                give(g, threshold, real, accepted);
            }
            double newMax = 0;
            for (SimNode n : alive) {
                newMax = Math.max(newMax, real[n.id]);
                world.count(n, 1);   // the reduction of the largest load after the phase
            }
            double before = ratio;
            ratio = newMax / avg;
            if (threshold <= THRESHOLD * avg) {
                break;
            }
            threshold = Math.abs(ratio - before) < 0.01 ? Math.max(THRESHOLD * avg, (threshold + avg) / 2)
                    : Math.max(THRESHOLD * avg, (newMax + avg) / 2);
        }
        for (Transfer t : accepted) {
            inFlight++;
            world.migrate(t.p(), t.from(), t.to(), (ok, detail) -> inFlight--);
        }
    }

    /** A giver: its known targets with their gossiped loads and their distribution at the first threshold. */
    private Giver giver(SimNode n, int[] known, int count, double[] load, double threshold, int draws) {
        int[] targets = java.util.Arrays.copyOf(known, count);
        double[] estimate = new double[count];
        double[] cdf = new double[count];
        double total = 0;
        for (int i = 0; i < count; i++) {
            estimate[i] = load[targets[i]];
            total += Math.max(0, (threshold - estimate[i]) / threshold);
            cdf[i] = total;
        }
        for (int i = 0; i < count; i++) {
            cdf[i] = total > 0 ? cdf[i] / total : (i + 1.0) / count;
        }
        List<SimProcess> objects = new ArrayList<>(n.processes.stream().filter(p -> !p.migrating).toList());
        objects.sort(Comparator.<SimProcess>comparingDouble(p -> p.job.work).thenComparingInt(p -> p.id));
        return new Giver(n, targets, estimate, cdf, objects, draws);
    }

    /** One phase of one giver: its smallest objects to drawn targets while it is above the threshold. */
    private void give(Giver g, double threshold, double[] real, List<Transfer> accepted) {
        SimNode n = g.node;
        int underloaded = g.targets.length;
        while (real[n.id] > threshold && g.objects.size() >= 2) {
            SimProcess p = g.objects.get(0);
            double w = p.job.work;
            int pick = -1;
            while (g.trials > 0) {
                g.trials--;
                int i = draw(g.cdf, n.rnd.nextDouble());
                SimNode c = world.nodes.get(g.targets[i]);
                if (c != n && g.estimate[i] + w / c.speed < threshold) {
                    pick = i;
                    break;
                }
            }
            if (pick < 0) {
                return;   // no target found within the draws left: this step is over for it
            }
            SimNode to = world.nodes.get(g.targets[pick]);
            g.estimate[pick] += w / to.speed;
            world.count(n, 1);    // the transfer's notice
            world.count(to, 1);   // its answer
            if (to.alive && real[to.id] + w / to.speed <= threshold) {
                real[to.id] += w / to.speed;
                real[n.id] -= w / n.speed;
                g.objects.remove(0);
                accepted.add(new Transfer(p, n, to));
            } else if (++g.refusals > 0.01 * underloaded) {
                return;   // too many refusals: it keeps the object (and stops giving in this phase)
            }
        }
    }

    private static int draw(double[] cdf, double u) {
        for (int i = 0; i < cdf.length; i++) {
            if (cdf[i] >= u) {
                return i;
            }
        }
        return cdf.length - 1;
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
                    if (count[to.id] >= dst.length) {
                        continue;   // full: it takes nothing (and its marks would not be read)
                    }
                    for (int i = 0; i < count[to.id]; i++) {
                        mark[dst[i]] = token;
                    }
                    for (int i = 0; i < before[n.id] && count[to.id] < dst.length; i++) {
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
}
