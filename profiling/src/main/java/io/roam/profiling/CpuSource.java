package io.roam.profiling;

import java.io.IOException;

/**
 * Where a node's CPU use and capacity are read: the whole machine ({@code /proc/stat}) or,
 * when the agent runs in a cgroup with a CPU quota, that cgroup (the node is then the
 * cgroup: a container, a slice, or a simulated host on a shared machine).
 */
public interface CpuSource {
    /** Cumulative counters: CPU time used (summed over cores) and wall time, both in ns. */
    record Counters(long usedNanos, long wallNanos) {
        /** Cores used on average between {@code earlier} and this sample; NaN if no time passed. */
        public double coresUsedSince(Counters earlier) {
            long dt = wallNanos - earlier.wallNanos;
            return dt <= 0 ? Double.NaN : Math.max(0, (double) (usedNanos - earlier.usedNanos) / dt);
        }
    }

    Counters counters() throws IOException;

    /** How many cores' worth of CPU the node may use: its cores, or its CPU quota if lower. */
    double limitCores() throws IOException;

    /** What this source reads, for logs and {@code roam profile}. */
    String describe();

    /** The whole machine from /proc/stat. */
    static CpuSource machine(ProcFs proc, int cores) {
        return new CpuSource() {
            @Override
            public Counters counters() throws IOException {
                ProcFs.CpuTimes t = proc.cpuTimes();
                // ticks of all cores: busy ticks are CPU time, total ticks / cores is wall time
                return new Counters(t.busy() * ProcFs.NANOS_PER_TICK, t.total() * ProcFs.NANOS_PER_TICK / cores);
            }

            @Override
            public double limitCores() {
                return cores;
            }

            @Override
            public String describe() {
                return "machine (/proc/stat, " + cores + " cores)";
            }
        };
    }
}
