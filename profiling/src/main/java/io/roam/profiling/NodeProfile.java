package io.roam.profiling;

/**
 * What an agent knows about its node at one moment. Processing is in lattice updates per
 * second (CpuSpeedProbe's unit): {@code speedPerCore * cpuLimit} is the node's capacity,
 * {@code available} what the managed processes' computing and other load leave of it (IOS's
 * available processing, smoothed). {@code cpuLimit} is the node's cores or its cgroup CPU
 * quota, whichever is lower; {@code utilization} the share of it in use (MPI processes
 * waiting in MPI count as idle). Memory is in bytes; -1 = unknown (never reported as 0).
 */
public record NodeProfile(String host, long atMillis, int cores, double cpuLimit, double speedPerCore,
                          double utilization, double available, long memTotal, long memAvailable,
                          long managedRss) {
    public NodeProfile {
        if (cores < 1) {
            throw new IllegalArgumentException("cores must be >= 1, was " + cores);
        }
        if (!(cpuLimit > 0)) {
            throw new IllegalArgumentException("cpuLimit must be > 0, was " + cpuLimit);
        }
    }

    /** The node's capacity: its CPU limit at the probed speed. */
    public double capacity() {
        return speedPerCore * cpuLimit;
    }

    /** Available processing as a share of the capacity, 0 to 1. */
    public double availableShare() {
        return capacity() <= 0 ? 0 : Math.max(0, Math.min(1, available / capacity()));
    }

    /** This profile with no available processing: a drained node offers none. */
    public NodeProfile withNothingAvailable() {
        return new NodeProfile(host, atMillis, cores, cpuLimit, speedPerCore, utilization, 0, memTotal, memAvailable,
                managedRss);
    }

    /** What one more single-threaded process could get here: the available processing, at most one core. */
    public double availableForOneProcess() {
        return Math.min(available, speedPerCore);
    }
}
