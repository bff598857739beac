package io.roam.profiling;

import com.typesafe.config.Config;
import io.roam.config.Settings;
import java.time.Duration;

/** The validated {@code roam.profiling} configuration (reference.conf, key by key). */
public record ProfilingSettings(Duration period, double smoothingOldWeight, int probeSweeps, int probeRuns,
                                int probeRepeats, String cpuSource, Network network) {
    /**
     * {@code roam.profiling.network}: a probe round to at most {@code maxPeers} neighbours
     * every {@code period}; every {@code bandwidthEvery} rounds (0 = never) a payload of
     * {@code probeBytes} as well, and with {@code kernelRates} the kernel's delivery rate of
     * the connection that carried it ({@link TcpRates}).
     */
    public record Network(Duration period, int bandwidthEvery, int probeBytes, int maxPeers, boolean kernelRates) {
    }

    /** The allowed values of {@code roam.profiling.cpu-source}, besides "cgroup:/PATH". */
    public static final java.util.List<String> CPU_SOURCES = java.util.List.of("auto", "machine", "cgroup");
    private static final String CGROUP_AT = "cgroup:";

    public static ProfilingSettings from(Config root) {
        Settings s = Settings.of(root, "roam.profiling");
        return new ProfilingSettings(s.duration("period", Duration.ofMillis(100), Duration.ofMinutes(1)),
                s.number("smoothing-old-weight", 0, 0.95), s.integer("probe-sweeps", 10, 100_000),
                s.integer("probe-runs", 1, 20), s.integer("probe-repeats", 0, 20), cpuSource(s),
                network(s.section("network")));
    }

    private static String cpuSource(Settings s) {
        String v = s.string("cpu-source");
        if (CPU_SOURCES.contains(v) || v.matches(CGROUP_AT + "/[^\\s]*")) {
            return v;
        }
        throw s.bad("cpu-source", v, "one of " + String.join(", ", CPU_SOURCES) + ", or cgroup:/PATH");
    }

    private static Network network(Settings s) {
        return new Network(s.duration("period", Duration.ofMillis(100), Duration.ofMinutes(10)),
                s.integer("bandwidth-every", 0, 1000, "0 (never) to 1000"),
                (int) s.bytes("probe-bytes", 1024, 16L << 20), s.integer("max-peers", 0, 1000, "0 (no probes) to 1000"),
                s.flag("kernel-rates"));
    }

    /**
     * The node's CPU source: "machine" reads /proc/stat; "cgroup" the agent's own CPU cgroup
     * (an error if it has none); "cgroup:/PATH" the cgroup at PATH (an error if it does not
     * exist); "auto" the agent's cgroup if it has a CPU quota, else the machine.
     */
    public CpuSource cpuSource(ProcFs proc, int cores) throws java.io.IOException {
        java.nio.file.Path sys = java.nio.file.Path.of("/sys/fs/cgroup");
        java.nio.file.Path procRoot = java.nio.file.Path.of("/proc");
        if (cpuSource.startsWith(CGROUP_AT)) {
            try {
                return Cgroups.at(sys, cpuSource.substring(CGROUP_AT.length()), cores, System::nanoTime);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("roam.profiling.cpu-source = " + cpuSource + ": " + e.getMessage());
            }
        }
        return switch (cpuSource) {
            case "machine" -> CpuSource.machine(proc, cores);
            case "cgroup" -> Cgroups.of(sys, procRoot, "self", cores, System::nanoTime).orElseThrow(
                    () -> new IllegalArgumentException("roam.profiling.cpu-source = cgroup, but this process has "
                            + "no readable CPU cgroup under " + sys));
            default -> Cgroups.limitedCpu(sys, procRoot, "self", cores, System::nanoTime)
                    .orElse(CpuSource.machine(proc, cores));
        };
    }
}
