package io.roam.simulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * The simulated system: nodes (alive or gone), jobs and their processes, the clock, the
 * run's random generator, and the moves of processes. Every random choice of the run comes
 * from {@link #rnd} or from a node's generator split from it in creation order, so a seed
 * determines the run.
 */
final class World {
    final Scenario scenario;
    final EventQueue clock = new EventQueue();
    final SplittableRandom rnd;
    final List<SimNode> nodes = new ArrayList<>();
    final Map<String, SimNode> byAddress = new HashMap<>();
    final List<Job> jobs = new ArrayList<>();
    final List<SimProcess> processes = new ArrayList<>();
    final Trace trace = new Trace();
    /** Bumped when the load model or the wiring changes: every node's protocol view is then stale. */
    long epoch;
    /** Bumped when nodes join, leave or change speed: the greedy reference is then stale. */
    long nodeVersion;
    long migrations;
    long messages;
    /** Of {@link #messages}: the neighbour views of work stealing. */
    long viewMessages;
    private List<SimNode> alive;
    private long nextUp;

    World(Scenario scenario, long seed) {
        this.scenario = scenario;
        this.rnd = new SplittableRandom(seed);
    }

    /** A new node in {@code cluster}, with a speed drawn from the scenario's distribution. */
    SimNode addNode(int cluster) {
        Scenario.Cpu cpu = scenario.cpu();
        double factor = switch (cpu.distribution()) {
            case "uniform" -> cpu.min() + (cpu.max() - cpu.min()) * rnd.nextInt(16) / 15.0;
            case "bimodal" -> rnd.nextDouble() < cpu.slowShare() ? cpu.slowFactor() : 1.0;
            default -> 1.0;
        };
        SimNode n = new SimNode(nodes.size(), cluster, cpu.baseSpeed() * factor, nextUp++, rnd.split());
        nodes.add(n);
        byAddress.put(n.address, n);
        alive = null;
        nodeVersion++;
        return n;
    }

    /** The nodes alive now, by id. */
    List<SimNode> alive() {
        if (alive == null) {
            alive = nodes.stream().filter(n -> n.alive).toList();
        }
        return alive;
    }

    void markGone(SimNode n) {
        n.alive = false;
        alive = null;
        nodeVersion++;
        epoch++;
    }

    void speedChanged() {
        nodeVersion++;
    }

    long now() {
        return clock.now();
    }

    /** Moves {@code p} to {@code to} at once (the end of a migration, or a leaving node's hand-over). */
    void move(SimProcess p, SimNode to) {
        SimNode from = nodes.get(p.node);
        if (!from.processes.remove(p)) {
            throw new IllegalStateException("process " + p.id + " not on its node " + from.id);
        }
        to.processes.add(p);
        p.node = to.id;
        p.arrivedAt = now();
        p.moves++;
        p.computeShare = -1;
        from.localEpoch = -1;
        to.localEpoch = -1;
        migrations++;
        trace.add(now(), p.id, from.id, to.id);
    }

    /**
     * Migrates {@code p} from {@code from} to {@code to}: it runs on {@code from} meanwhile and
     * moves after its state transfer and the spawn time; {@code done} gets whether it moved
     * (not if it left {@code from} meanwhile or {@code to} is gone) and a detail.
     */
    void migrate(SimProcess p, SimNode from, SimNode to, BiConsumer<Boolean, String> done) {
        p.migrating = true;
        long ms = latencyMs(from, to) + Math.round(p.stateBytes / bandwidth(from, to) * 1000)
                + scenario.spawnMs();
        clock.after(ms, () -> {
            p.migrating = false;
            if (p.node == from.id && from.alive && to.alive) {
                move(p, to);
                done.accept(true, "migrated in " + ms + " ms");
            } else {
                done.accept(false, to.alive ? "the process left its node meanwhile" : "the target left");
            }
        });
    }

    long latencyMs(SimNode a, SimNode b) {
        return a.cluster == b.cluster ? scenario.network().latencyMs() : scenario.network().wanLatencyMs();
    }

    double bandwidth(SimNode a, SimNode b) {
        return a.cluster == b.cluster ? scenario.network().bandwidth() : scenario.network().wanBandwidth();
    }

    /** Counts one message sent by {@code from} ({@code view}: a neighbour view); true if the network loses it. */
    boolean sendLost(SimNode from, boolean view) {
        count(from, 1);
        if (view) {
            viewMessages++;
        }
        double loss = scenario.network().loss();
        return loss > 0 && rnd.nextDouble() < loss;
    }

    /** Counts {@code k} messages sent by {@code from} on a reliable channel. */
    void count(SimNode from, int k) {
        from.messagesSent += k;
        messages += k;
    }

    /**
     * Checks that every process is on exactly one alive node, the one it records.
     *
     * @throws IllegalStateException naming the first process lost or duplicated
     */
    void checkConservation() {
        int count = 0;
        for (SimNode n : alive()) {
            count += n.processes.size();
        }
        for (SimProcess p : processes) {
            SimNode n = nodes.get(p.node);
            if (!n.alive || !n.processes.contains(p)) {
                throw new IllegalStateException("at " + now() + " ms process " + p.id + " (" + p.job.id + " rank "
                        + p.rank + ") is not on its node " + n.id + (n.alive ? "" : " (gone)"));
            }
        }
        if (count != processes.size()) {
            throw new IllegalStateException("at " + now() + " ms the nodes hold " + count + " processes, not "
                    + processes.size());
        }
    }
}
