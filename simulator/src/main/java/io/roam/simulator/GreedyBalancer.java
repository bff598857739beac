package io.roam.simulator;

import java.util.List;

/**
 * The centralized greedy baseline with full knowledge: every node reports its load to a
 * coordinator each round (one message per node); when the largest node load is more than
 * 1.05 times what the greedy assignment ({@link Lpt}) reaches and no migration is in flight,
 * the coordinator first tries to get within that with few moves ({@link Repair}: the most
 * loaded node's processes to the nodes where they finish first), else orders every move to
 * the greedy assignment (one message per move).
 */
final class GreedyBalancer extends Balancer {
    static final double TARGET = 1.05;
    private int inFlight;
    int repairs;
    int reassignments;
    private long refVersion = -1;
    private double ref;

    GreedyBalancer(World world) {
        super(world);
    }

    @Override
    void onRound() {
        for (SimNode n : world.alive()) {
            world.count(n, 1);
        }
        if (inFlight > 0) {
            return;
        }
        if (refVersion != world.nodeVersion) {
            // the greedy assignment's largest node load depends on the nodes and the processes'
            // work, not on where the processes are: computed again only when the nodes change
            double[] best = LoadModel.evaluate(world, Lpt.assign(world)).nodeLoad();
            ref = 0;
            for (SimNode n : world.alive()) {
                ref = Math.max(ref, best[n.id]);
            }
            refVersion = world.nodeVersion;
        }
        double now = 0;
        for (SimNode n : world.alive()) {
            now = Math.max(now, n.load());
        }
        if (now <= TARGET * ref) {
            return;
        }
        SimNode coordinator = world.alive().get(0);
        List<Repair.Move> moves = Repair.plan(world, TARGET * ref);
        if (moves != null) {
            repairs++;
            for (Repair.Move m : moves) {
                order(coordinator, m.process(), m.to());
            }
            return;
        }
        reassignments++;
        int[] target = Lpt.assign(world);
        for (SimProcess p : world.processes) {
            if (target[p.id] != p.node && !p.migrating) {
                order(coordinator, p, world.nodes.get(target[p.id]));
            }
        }
    }

    private void order(SimNode coordinator, SimProcess p, SimNode to) {
        world.count(coordinator, 1);
        inFlight++;
        world.migrate(p, world.nodes.get(p.node), to, (ok, detail) -> inFlight--);
    }
}
