package io.roam.heat.auto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The CPU the machine gave the demo's hosts: each namespace host's CPU cgroup (made by
 * scripts/netns-hosts.sh: roam-PREFIX-hN, cgroup v1 cpu + cpuacct or v2) read once a second,
 * its CPU time used and its quota. A heat rank polls while it waits, so a host with a rank
 * uses its whole quota whenever the machine has the cores: what it used of its quota over a
 * window is what the machine delivered to it then. When other work on the machine takes
 * cores, the hosts get less than their quota and the job slows whatever Roam does; the
 * verdict of {@link AutoDemo} says so instead of blaming Roam (benchmarks/results/demo-runs.md:
 * a run at 1.94 x when three other weighted demos ran beside it).
 */
final class HostCpu {
    /** One reading: seconds, and per host (0-based) the CPU time used (ns) and the quota (cores; NaN: none). */
    record Reading(double seconds, Map<Integer, Long> usedNs, Map<Integer, Double> quota) {
    }

    private final String prefix;
    private final int hosts;
    private final List<Reading> readings = new ArrayList<>();

    HostCpu(String prefix, int hosts) {
        this.prefix = prefix;
        this.hosts = hosts;
    }

    /** Reads every host's cgroup now; a host without one (or unreadable) is left out. */
    void read(double seconds) {
        Map<Integer, Long> used = new TreeMap<>();
        Map<Integer, Double> quota = new TreeMap<>();
        for (int i = 0; i < hosts; i++) {
            String name = "roam-" + prefix + "-h" + (i + 1);
            try {
                Path v1 = Path.of("/sys/fs/cgroup/cpuacct", name, "cpuacct.usage");
                Path v2 = Path.of("/sys/fs/cgroup", name, "cpu.stat");
                if (Files.exists(v1)) {
                    used.put(i, Long.parseLong(Files.readString(v1).trim()));
                    long q = Long.parseLong(Files.readString(Path.of("/sys/fs/cgroup/cpu", name, "cpu.cfs_quota_us")).trim());
                    long p = Long.parseLong(Files.readString(Path.of("/sys/fs/cgroup/cpu", name, "cpu.cfs_period_us")).trim());
                    quota.put(i, q > 0 ? (double) q / p : Double.NaN);
                } else if (Files.exists(v2)) {
                    for (String line : Files.readAllLines(v2)) {
                        if (line.startsWith("usage_usec ")) {
                            used.put(i, Long.parseLong(line.substring(11).trim()) * 1000);
                        }
                    }
                    String[] max = Files.readString(Path.of("/sys/fs/cgroup", name, "cpu.max")).trim().split("\\s+");
                    quota.put(i, max[0].equals("max") ? Double.NaN : Double.parseDouble(max[0]) / Double.parseDouble(max[1]));
                }
            } catch (IOException | RuntimeException e) {
                used.remove(i);
                quota.remove(i);
            }
        }
        readings.add(new Reading(seconds, used, quota));
    }

    /**
     * The share of their quota that {@code hostsUsed} (0-based) got from {@code from} to
     * {@code to} seconds: their CPU time over (their quotas x the time), from the first reading
     * at or after {@code from} to the last at or before {@code to}; NaN when there are not two
     * such readings or a host has no quota or no counter.
     */
    double delivered(Set<Integer> hostsUsed, double from, double to) {
        Reading a = null;
        Reading b = null;
        for (Reading r : readings) {
            if (r.seconds() >= from && r.seconds() <= to) {
                if (a == null) {
                    a = r;
                }
                b = r;
            }
        }
        if (a == null || b == a || hostsUsed.isEmpty()) {
            return Double.NaN;
        }
        double usedNs = 0;
        double quotaCores = 0;
        for (int h : hostsUsed) {
            Long ua = a.usedNs().get(h);
            Long ub = b.usedNs().get(h);
            Double q = b.quota().get(h);
            if (ua == null || ub == null || q == null || q.isNaN()) {
                return Double.NaN;
            }
            usedNs += ub - ua;
            quotaCores += q;
        }
        return usedNs / (quotaCores * (b.seconds() - a.seconds()) * 1e9);
    }
}
