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
}
