package io.roam.profiling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * A process's CPU cgroup, v1 ({@code cpu} and {@code cpuacct} hierarchies) or v2 (unified),
 * read as a {@link CpuSource}: usage from {@code cpuacct.usage} or {@code cpu.stat}, the
 * limit from the tightest quota ({@code cpu.cfs_quota_us}/{@code cpu.max}) of the cgroup
 * and its ancestors.
 */
public final class Cgroups {
    private Cgroups() {
    }

    /** The cgroup of {@code pid} ("self" for this process), if it or an ancestor has a CPU quota. */
    public static Optional<CpuSource> limitedCpu(Path sysfs, Path proc, String pid, int cores, LongSupplier nanoClock) {
        try {
            Optional<CpuSource> src = of(sysfs, proc, pid, cores, nanoClock);
            if (src.isPresent() && src.get().limitCores() < cores) {
                return src;
            }
        } catch (IOException | RuntimeException e) {
            // no readable cgroup: the machine is the node
        }
        return Optional.empty();
    }

    /** The CPU cgroup of {@code pid}, limited or not. */
    public static Optional<CpuSource> of(Path sysfs, Path proc, String pid, int cores, LongSupplier nanoClock)
            throws IOException {
        List<String> lines = Files.readAllLines(proc.resolve(pid).resolve("cgroup"));
        String cpuPath = null;
        String acctPath = null;
        String unified = null;
        for (String line : lines) {
            String[] f = line.split(":", 3);
            if (f.length < 3) {
                continue;
            }
            if (f[0].equals("0") && f[1].isEmpty()) {
                unified = f[2];
            }
            for (String c : f[1].split(",")) {
                if (c.equals("cpu")) {
                    cpuPath = f[2];
                } else if (c.equals("cpuacct")) {
                    acctPath = f[2];
                }
            }
        }
        if (cpuPath != null && acctPath != null) {
            Path cpuRoot = v1Root(sysfs, "cpu");
            Path acctRoot = v1Root(sysfs, "cpuacct");
            if (cpuRoot != null && acctRoot != null) {
                return Optional.of(new V1(cpuRoot, rel(cpuRoot, cpuPath), rel(acctRoot, acctPath), cores, nanoClock));
            }
        }
        if (unified != null && Files.exists(sysfs.resolve("cgroup.controllers"))) {
            return Optional.of(new V2(sysfs, rel(sysfs, unified), cores, nanoClock));
        }
        return Optional.empty();
    }

    /**
     * The CPU cgroup at {@code path} (from the cgroup root, e.g. "/roam.slice": where the
     * node's MPI jobs run when the agent runs elsewhere), v2 or v1; an error naming the
     * directory if it does not exist.
     */
    public static CpuSource at(Path sysfs, String path, int cores, LongSupplier nanoClock) throws IOException {
        if (Files.exists(sysfs.resolve("cgroup.controllers"))) {
            return new V2(sysfs, existing(rel(sysfs, path)), cores, nanoClock);
        }
        Path cpuRoot = v1Root(sysfs, "cpu");
        Path acctRoot = v1Root(sysfs, "cpuacct");
        if (cpuRoot == null || acctRoot == null) {
            throw new IOException("no CPU cgroup controller (v2, or v1 cpu and cpuacct) under " + sysfs);
        }
        return new V1(cpuRoot, existing(rel(cpuRoot, path)), existing(rel(acctRoot, path)), cores, nanoClock);
    }

    private static Path existing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no cgroup " + dir);
        }
        return dir;
    }

    private static Path v1Root(Path sysfs, String controller) {
        for (Path p : List.of(sysfs.resolve(controller), sysfs.resolve("cpu,cpuacct"), sysfs.resolve("cpuacct,cpu"))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    private static Path rel(Path root, String cgroupPath) {
        String p = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        return p.isEmpty() ? root : root.resolve(p);
    }

    private static long readLong(Path p) throws IOException {
        return Long.parseLong(Files.readString(p).trim());
    }

    /** The tightest limit of {@code dir} and its ancestors up to {@code root}, in cores. */
    private static double tightest(Path root, Path dir, int cores, LimitReader reader) throws IOException {
        double limit = cores;
        for (Path d = dir; d != null && d.startsWith(root); d = d.getParent()) {
            OptionalDouble l = reader.read(d);
            if (l.isPresent()) {
                limit = Math.min(limit, l.getAsDouble());
            }
        }
        return limit;
    }

    private interface LimitReader {
        OptionalDouble read(Path dir) throws IOException;
    }

    private record V1(Path cpuRoot, Path cpu, Path acct, int cores, LongSupplier clock) implements CpuSource {
        @Override
        public Counters counters() throws IOException {
            return new Counters(readLong(acct.resolve("cpuacct.usage")), clock.getAsLong());
        }

        @Override
        public double limitCores() throws IOException {
            return tightest(cpuRoot, cpu, cores, d -> {
                Path q = d.resolve("cpu.cfs_quota_us");
                if (!Files.exists(q)) {
                    return OptionalDouble.empty();
                }
                long quota = readLong(q);
                long period = readLong(d.resolve("cpu.cfs_period_us"));
                return quota <= 0 || period <= 0 ? OptionalDouble.empty() : OptionalDouble.of((double) quota / period);
            });
        }

        @Override
        public String describe() {
            return "cgroup v1 " + cpu;
        }
    }

    private record V2(Path root, Path dir, int cores, LongSupplier clock) implements CpuSource {
        @Override
        public Counters counters() throws IOException {
            for (String line : Files.readAllLines(dir.resolve("cpu.stat"))) {
                if (line.startsWith("usage_usec ")) {
                    return new Counters(Long.parseLong(line.substring(11).trim()) * 1000, clock.getAsLong());
                }
            }
            throw new IOException("no usage_usec in " + dir.resolve("cpu.stat"));
        }

        @Override
        public double limitCores() throws IOException {
            return tightest(root, dir, cores, d -> {
                Path max = d.resolve("cpu.max");
                if (!Files.exists(max)) {
                    return OptionalDouble.empty();
                }
                String[] f = Files.readString(max).trim().split("\\s+");
                if (f[0].equals("max") || f.length < 2) {
                    return OptionalDouble.empty();
                }
                return OptionalDouble.of(Double.parseDouble(f[0]) / Double.parseDouble(f[1]));
            });
        }

        @Override
        public String describe() {
            return "cgroup v2 " + dir;
        }
    }
}
