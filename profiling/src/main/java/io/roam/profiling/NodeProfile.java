package io.roam.profiling;

/**
 * What an agent knows about its node at one moment. Processing is in lattice updates per
 * second (CpuSpeedProbe's unit): {@code speedPerCore * cores} is the node's capacity,
 * {@code available} what the managed processes and other load leave of it (IOS's
 * available processing, smoothed). Memory is in bytes; -1 = unknown (never reported as 0).
 */
public record NodeProfile(String host, long atMillis, int cores, double speedPerCore, double utilization,
                          double available, long memTotal, long memAvailable) {
    public NodeProfile {
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be >= 1, was " + cores);
        }
    }

    /** The node's capacity: every core at the probed speed. */
    public double capacity() {
        return speedPerCore * cores;
    }

    /** Available processing as a share of the capacity, 0 to 1. */
    public double availableShare() {
        return capacity() <= 0 ? 0 : Math.max(0, Math.min(1, available / capacity()));
    }
}
