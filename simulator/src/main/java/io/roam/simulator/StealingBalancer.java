package io.roam.simulator;

import io.roam.decision.Strategy;
import io.roam.stealing.Outgoing;
import io.roam.stealing.StealMessage;
import io.roam.stealing.StealSettings;
import io.roam.stealing.StealingNode;
import io.roam.stealing.Victim;
import io.roam.stealing.VictimSelection;
import java.util.HashMap;
import java.util.Map;

/**
 * Work stealing as the agents run it: every node runs the real {@link StealingNode} (the
 * real Thief, Victim, VictimSelection and the decision strategy), ticking every
 * {@code roam.stealing.period} at its own phase, exactly as the agent's Stealer actor drives
 * it: a tick sends the node's view to its neighbours and maybe a steal request; a message is
 * handled with the node's current profiles; a migration order runs as a simulated migration
 * whose end is reported to the victim, which tells the thief. Messages take the link's
 * latency and may be lost; the thief's and the victim's own timeouts deal with losses.
 */
final class StealingBalancer extends Balancer {
    private final StealSettings settings;
    private final Strategy strategy;
    private final Map<String, Job> jobs = new HashMap<>();
    long ticks;

    StealingBalancer(World world, VictimSelection protocol, Strategy strategy, boolean swaps) {
        super(world);
        this.settings = world.scenario.stealing().withProtocol(protocol).withSwaps(swaps);
        this.strategy = strategy;
        world.jobs.forEach(j -> jobs.put(j.id, j));
    }

    @Override
    void start() {
        world.alive().forEach(this::onJoin);
    }

    @Override
    void onJoin(SimNode n) {
        n.stealing = new StealingNode(n.address, settings, strategy, n.rnd);
        long period = settings.period().toMillis();
        world.clock.after(n.rnd.nextLong(period), () -> tick(n, period));
    }

    private void tick(SimNode n, long period) {
        if (!n.alive) {
            return;
        }
        ticks++;
        for (Outgoing o : n.stealing.tick(world.now(), Profiles.local(world, n))) {
            send(n, o);
        }
        world.clock.after(period, () -> tick(n, period));
    }

    private void send(SimNode from, Outgoing o) {
        if (world.sendLost(from, o.message() instanceof StealMessage.NeighbourView)) {
            return;
        }
        SimNode to = world.byAddress.get(o.to());
        if (to == null) {
            return;
        }
        StealMessage m = o.message();
        world.clock.after(world.latencyMs(from, to), () -> deliver(to, m));
    }

    private void deliver(SimNode n, StealMessage m) {
        if (!n.alive) {
            return;
        }
        StealingNode.Handled h = n.stealing.handle(m, world.now(),
                m instanceof StealMessage.NeighbourView ? null : Profiles.local(world, n));
        if (h.outgoing() != null) {
            send(n, h.outgoing());
        }
        if (h.order() != null) {
            migrate(n, h.order());
        }
    }

    private void migrate(SimNode victim, Victim.MigrateOrder order) {
        Job job = jobs.get(order.jobId());
        SimProcess p = job == null || order.rank() >= job.ranks.size() ? null : job.ranks.get(order.rank());
        SimNode thief = world.byAddress.get(order.thief());
        if (p == null || p.node != victim.id || p.migrating || thief == null || !thief.alive) {
            ended(victim, order, false, "cannot migrate: process or thief gone");
            return;
        }
        world.migrate(p, victim, thief, (ok, detail) -> ended(victim, order, ok, detail));
    }

    private void ended(SimNode victim, Victim.MigrateOrder order, boolean ok, String detail) {
        if (victim.alive) {
            victim.stealing.migrationEnded(order.jobId(), order.rank(), ok, detail).ifPresent(o -> send(victim, o));
        }
    }
}
