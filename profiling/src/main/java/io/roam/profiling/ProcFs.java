package io.roam.profiling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The few numbers Roam reads from Linux's /proc: CPU time of the whole node, of a process,
 * a process's resident memory, and the node's memory. A value the machine does not report
 * is empty, never zero.
 */
public final class ProcFs {
    private static final long CLOCK_TICKS = 100;   // USER_HZ on Linux
    static final long NANOS_PER_TICK = 1_000_000_000L / CLOCK_TICKS;
    private final Path root;

    public ProcFs() {
        this(Path.of("/proc"));
    }

    /** A /proc elsewhere (tests). */
    public ProcFs(Path root) {
        this.root = root;
    }

    /** Node CPU time since boot, in ticks: busy and total (all columns of the "cpu" line). */
    public record CpuTimes(long busy, long total) {
        /** Share of the CPU used between {@code earlier} and this sample, 0 to 1; NaN if no time passed. */
        public double utilizationSince(CpuTimes earlier) {
            long dt = total - earlier.total;
            return dt <= 0 ? Double.NaN : Math.min(1, Math.max(0, (double) (busy - earlier.busy) / dt));
        }
    }

    public CpuTimes cpuTimes() throws IOException {
        String line = Files.readAllLines(root.resolve("stat")).get(0);
        String[] f = line.trim().split("\\s+");
        if (!f[0].equals("cpu")) {
            throw new IOException("unexpected first line of /proc/stat: " + line);
        }
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) {   // user nice system idle iowait irq softirq steal
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
        return new CpuTimes(total - idle, total);
    }

    /** CPU seconds (user + system) a process has used; empty when it is gone. */
    public OptionalLong processCpuMillis(long pid) {
        try {
            String stat = Files.readString(root.resolve(pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return OptionalLong.of(ticks * 1000 / CLOCK_TICKS);
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** Resident memory of a process in bytes; empty when it is gone. */
    public OptionalLong processRssBytes(long pid) {
        return kbField(root.resolve(pid + "/status"), "VmRSS:");
    }

    public OptionalLong memTotalBytes() {
        return kbField(root.resolve("meminfo"), "MemTotal:");
    }

    public OptionalLong memAvailableBytes() {
        return kbField(root.resolve("meminfo"), "MemAvailable:");
    }

    private static OptionalLong kbField(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String l : lines) {
                if (l.startsWith(key)) {
                    return OptionalLong.of(Long.parseLong(l.substring(key.length()).replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone or the file has another shape: unknown
        }
        return OptionalLong.empty();
    }
}
