package io.roam.simulator;

/** The baseline without balancing: processes stay where they started (or were handed over). */
final class NoBalancer extends Balancer {
    NoBalancer(World world) {
        super(world);
    }
}
