package io.roam.profiling;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Turns periodic CPU samples into {@link NodeProfile}s, the IOS way: available processing
 * = speed x (limit - cores in use), where the cores MPI processes spend waiting in MPI do
 * not count as use (Open MPI polls while it waits; that time would go to any other work),
 * smoothed with the configured old weight. Plain class: the agent calls {@link #sample} at
 * its period.
 */
public final class NodeProfiler {
    private final String host;
    private final ProcFs proc;
    private final CpuSource cpu;
    private final int cores;
    private volatile double speedPerCore;
    private final Smoother available;
    private final LongSupplier clock;
    private CpuSource.Counters last;
    private double limit;
    private double utilization = Double.NaN;
    private long managedRss;

    public NodeProfiler(String host, ProcFs proc, CpuSource cpu, int cores, double speedPerCore, double oldWeight,
                        LongSupplier clockMillis) throws IOException {
        if (cores < 1 || !(speedPerCore > 0)) {
            throw new IllegalArgumentException("cores >= 1 and speedPerCore > 0 required");
        }
        this.host = host;
        this.proc = proc;
        this.cpu = cpu;
        this.cores = cores;
        this.speedPerCore = speedPerCore;
        this.available = new Smoother(oldWeight);
        this.clock = clockMillis;
        this.last = cpu.counters();
        this.limit = cpu.limitCores();
    }

    /**
     * Takes a later probe of the CPU speed: the best of all probes counts, as a probe can
     * only err low (whatever else runs on the core slows the probe, nothing speeds it up).
     * Returns whether the speed went up.
     */
    public boolean raiseSpeed(double probed) {
        if (!(probed > speedPerCore)) {
            return false;
        }
        speedPerCore = probed;
        return true;
    }

    /** The CPU speed per core in use: the best probe so far. */
    public double speedPerCore() {
        return speedPerCore;
    }

    /** The whole machine as the node (/proc/stat), e.g. in tests. */
    public NodeProfiler(String host, ProcFs proc, int cores, double speedPerCore, double oldWeight,
                        LongSupplier clockMillis) throws IOException {
        this(host, proc, CpuSource.machine(proc, cores), cores, speedPerCore, oldWeight, clockMillis);
    }

    /** Samples now without managed processes' information. */
    public NodeProfile sample() throws IOException {
        return sample(0, 0);
    }

    /**
     * Samples now. {@code waitingCores}: cores the managed processes spent waiting in MPI
     * since the last sample; {@code rss}: their resident memory.
     */
    public NodeProfile sample(double waitingCores, long rss) throws IOException {
        CpuSource.Counters now = cpu.counters();
        limit = cpu.limitCores();
        managedRss = rss;
        double used = now.coresUsedSince(last);
        if (!Double.isNaN(used)) {
            double busy = Math.max(0, Math.min(limit, used - Math.max(0, waitingCores)));
            utilization = busy / limit;
            available.update(speedPerCore * (limit - busy));
            last = now;
        }
        return profile();
    }

    /** The latest profile without sampling. */
    public NodeProfile profile() {
        double capacity = speedPerCore * limit;
        double avail = Double.isNaN(available.value()) ? capacity : Math.min(capacity, available.value());
        return new NodeProfile(host, clock.getAsLong(), cores, limit, speedPerCore,
                Double.isNaN(utilization) ? 0 : utilization, avail, proc.memTotalBytes().orElse(-1),
                proc.memAvailableBytes().orElse(-1), managedRss);
    }

    /** What the CPU numbers come from. */
    public String source() {
        return cpu.describe();
    }
}
