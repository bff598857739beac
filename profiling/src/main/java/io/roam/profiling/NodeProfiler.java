package io.roam.profiling;

import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Turns periodic /proc samples into {@link NodeProfile}s: CPU utilization since the last
 * sample, available processing = capacity x (1 - utilization), smoothed the IOS way.
 * Plain class: the agent's profiler actor calls {@link #sample()} at its period.
 */
public final class NodeProfiler {
    private final String host;
    private final ProcFs proc;
    private final int cores;
    private final double speedPerCore;
    private final Smoother available;
    private final LongSupplier clock;
    private ProcFs.CpuTimes last;
    private double utilization = Double.NaN;

    public NodeProfiler(String host, ProcFs proc, int cores, double speedPerCore, double oldWeight,
                        LongSupplier clockMillis) throws IOException {
        if (cores < 1 || !(speedPerCore > 0)) {
            throw new IllegalArgumentException("cores >= 1 and speedPerCore > 0 required");
        }
        this.host = host;
        this.proc = proc;
        this.cores = cores;
        this.speedPerCore = speedPerCore;
        this.available = new Smoother(oldWeight);
        this.clock = clockMillis;
        this.last = proc.cpuTimes();
    }

    /** Samples /proc now and returns the updated profile. */
    public NodeProfile sample() throws IOException {
        ProcFs.CpuTimes now = proc.cpuTimes();
        double u = now.utilizationSince(last);
        if (!Double.isNaN(u)) {
            utilization = u;
            available.update(speedPerCore * cores * (1 - u));
            last = now;
        }
        return profile();
    }

    /** The latest profile without sampling. */
    public NodeProfile profile() {
        double avail = Double.isNaN(available.value()) ? speedPerCore * cores : available.value();
        return new NodeProfile(host, clock.getAsLong(), cores, speedPerCore,
                Double.isNaN(utilization) ? 0 : utilization, avail, proc.memTotalBytes().orElse(-1),
                proc.memAvailableBytes().orElse(-1));
    }
}
