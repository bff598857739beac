package io.roam.heat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a process has used, read from /proc: CPU ticks and resident memory. */
final class ProcCpu {
    /** Clock ticks per second of /proc/PID/stat's utime and stime (USER_HZ, 100 on Linux). */
    static final int TICKS_PER_SECOND = 100;

    private ProcCpu() {
    }

    /** utime + stime, in clock ticks. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * CPU time the process's threads have run, in ns, exact (the scheduler's own count, the
     * first field of /proc/PID/task/TID/schedstat, summed over the live threads).
     */
    static long cpuNs(long pid) throws IOException {
        long ns = 0;
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    ns += Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
                } catch (java.nio.file.NoSuchFileException exited) {
                    // a thread that ended between the listing and the read
                }
            }
        }
        return ns;
    }

    static long rssKb(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElseThrow();
    }
}
