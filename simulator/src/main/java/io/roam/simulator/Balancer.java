package io.roam.simulator;

/**
 * A load-balancing policy run in the simulator: the real work-stealing protocols
 * ({@link StealingBalancer}) or a baseline ({@link GreedyBalancer}, {@link GossipBalancer},
 * {@link NoBalancer}). It acts at each round and on its own events; it moves processes only
 * through {@link World#migrate}.
 */
abstract class Balancer {
    final World world;

    Balancer(World world) {
        this.world = world;
    }

    /** Called once, after the world is built and before the clock runs. */
    void start() {
    }

    /** Called at each round, after the load model was updated. */
    void onRound() {
    }

    /** A node joined (already wired). */
    void onJoin(SimNode n) {
    }

    /** Each live node's load by node id, and their mean. */
    record Loads(double[] load, double avg) {
    }

    /**
     * The gossip baselines' start of a round: every live node's load, as its neighbours learn
     * it (two messages a node: its report and the reply, counted).
     */
    Loads loads(java.util.List<SimNode> alive) {
        double[] load = new double[world.nodes.size()];
        double sum = 0;
        for (SimNode n : alive) {
            load[n.id] = n.load();
            sum += load[n.id];
            world.count(n, 2);
        }
        return new Loads(load, sum / alive.size());
    }
}
