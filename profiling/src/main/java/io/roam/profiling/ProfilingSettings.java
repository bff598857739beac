package io.roam.profiling;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/** The validated {@code roam.profiling} configuration (reference.conf, key by key). */
public record ProfilingSettings(Duration period, double smoothingOldWeight, int probeSweeps, int probeRuns,
                                String cpuSource, Network network) {
    /**
     * {@code roam.profiling.network}: a probe round to at most {@code maxPeers} neighbours
     * every {@code period}; every {@code bandwidthEvery} rounds (0 = never) a payload of
     * {@code probeBytes} as well.
     */
    public record Network(Duration period, int bandwidthEvery, int probeBytes, int maxPeers) {
    }

    /** The allowed values of {@code roam.profiling.cpu-source}. */
    public static final java.util.List<String> CPU_SOURCES = java.util.List.of("auto", "machine", "cgroup");

    public static ProfilingSettings from(Config root) {
        try {
            Config c = root.getConfig("roam.profiling");
            Duration period = c.getDuration("period");
            if (period.compareTo(Duration.ofMillis(100)) < 0 || period.compareTo(Duration.ofMinutes(1)) > 0) {
                throw bad("period", c.getValue("period").unwrapped(), "100 ms to 1 min");
            }
            double w = c.getDouble("smoothing-old-weight");
            if (!(w >= 0 && w <= 0.95)) {
                throw bad("smoothing-old-weight", w, "0 to 0.95");
            }
            int sweeps = c.getInt("probe-sweeps");
            if (sweeps < 10 || sweeps > 100_000) {
                throw bad("probe-sweeps", sweeps, "10 to 100000");
            }
            int runs = c.getInt("probe-runs");
            if (runs < 1 || runs > 20) {
                throw bad("probe-runs", runs, "1 to 20");
            }
            String source = c.getString("cpu-source");
            if (!CPU_SOURCES.contains(source)) {
                throw bad("cpu-source", source, "one of " + CPU_SOURCES);
            }
            return new ProfilingSettings(period, w, sweeps, runs, source, network(c.getConfig("network")));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    private static Network network(Config c) {
        Duration period = c.getDuration("period");
        if (period.compareTo(Duration.ofMillis(100)) < 0 || period.compareTo(Duration.ofMinutes(10)) > 0) {
            throw bad("network.period", c.getValue("period").unwrapped(), "100 ms to 10 min");
        }
        int every = c.getInt("bandwidth-every");
        if (every < 0 || every > 1000) {
            throw bad("network.bandwidth-every", every, "0 (never) to 1000");
        }
        long bytes = c.getBytes("probe-bytes");
        if (bytes < 1024 || bytes > 16L << 20) {
            throw bad("network.probe-bytes", c.getValue("probe-bytes").unwrapped(), "1 KiB to 16 MiB");
        }
        int peers = c.getInt("max-peers");
        if (peers < 0 || peers > 1000) {
            throw bad("network.max-peers", peers, "0 (no probes) to 1000");
        }
        return new Network(period, every, (int) bytes, peers);
    }

    /**
     * The node's CPU source: "machine" reads /proc/stat; "cgroup" the agent's own CPU cgroup
     * (an error if it has none); "auto" the agent's cgroup if it has a CPU quota, else the machine.
     */
    public CpuSource cpuSource(ProcFs proc, int cores) throws java.io.IOException {
        java.nio.file.Path sys = java.nio.file.Path.of("/sys/fs/cgroup");
        java.nio.file.Path procRoot = java.nio.file.Path.of("/proc");
        return switch (cpuSource) {
            case "machine" -> CpuSource.machine(proc, cores);
            case "cgroup" -> Cgroups.of(sys, procRoot, "self", cores, System::nanoTime).orElseThrow(
                    () -> new IllegalArgumentException("roam.profiling.cpu-source = cgroup, but this process has "
                            + "no readable CPU cgroup under " + sys));
            default -> Cgroups.limitedCpu(sys, procRoot, "self", cores, System::nanoTime)
                    .orElse(CpuSource.machine(proc, cores));
        };
    }

    private static IllegalArgumentException bad(String key, Object value, String allowed) {
        return new IllegalArgumentException("invalid configuration roam.profiling." + key + " = " + value
                + ": allowed " + allowed);
    }
}
