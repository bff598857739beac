package io.roam.profiling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The node's network interfaces from Linux: byte counters from {@code /proc/net/dev}
 * (loopback excluded), rates between two samples, and the link speed from
 * {@code /sys/class/net/<if>/speed} in Mbit/s. A speed the kernel does not give (no file, a
 * read error as virtual interfaces answer, or -1 as a VM reports) is -1, never 0. Plain
 * class, not thread-safe.
 */
public final class InterfaceStats {
    private record Counters(long atMillis, long rx, long tx) {
    }

    private final Path procNetDev;
    private final Path sysClassNet;
    private final LongSupplier clockMillis;
    private final Map<String, Counters> last = new HashMap<>();

    public InterfaceStats() {
        this(Path.of("/proc/net/dev"), Path.of("/sys/class/net"), System::currentTimeMillis);
    }

    /** Files elsewhere (tests). */
    public InterfaceStats(Path procNetDev, Path sysClassNet, LongSupplier clockMillis) {
        this.procNetDev = procNetDev;
        this.sysClassNet = sysClassNet;
        this.clockMillis = clockMillis;
    }

    /** Reads every interface now; rates are since the previous call. Unreadable /proc: empty. */
    public List<InterfaceStat> sample() {
        long now = clockMillis.getAsLong();
        List<String> lines;
        try {
            lines = Files.readAllLines(procNetDev);
        } catch (IOException e) {
            return List.of();
        }
        List<InterfaceStat> out = new ArrayList<>();
        Map<String, Counters> seen = new HashMap<>();
        for (String line : lines) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;   // the two header lines
            }
            String name = line.substring(0, colon).trim();
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (name.equals("lo") || f.length < 9) {
                continue;
            }
            Counters c;
            try {
                c = new Counters(now, Long.parseLong(f[0]), Long.parseLong(f[8]));
            } catch (NumberFormatException e) {
                continue;
            }
            Counters prev = last.get(name);
            seen.put(name, c);
            out.add(new InterfaceStat(name, c.rx, c.tx, rate(prev, c, prev == null ? 0 : prev.rx, c.rx),
                    rate(prev, c, prev == null ? 0 : prev.tx, c.tx), speed(name)));
        }
        last.clear();
        last.putAll(seen);
        return out;
    }

    private static double rate(Counters prev, Counters now, long before, long after) {
        if (prev == null || now.atMillis <= prev.atMillis || after < before) {
            return -1;   // first sample, no time passed, or the counter was reset
        }
        return (after - before) * 1000.0 / (now.atMillis - prev.atMillis);
    }

    /** The link speed in Mbit/s; -1 when the kernel does not know it. */
    long speed(String name) {
        try {
            long s = Long.parseLong(Files.readString(sysClassNet.resolve(name).resolve("speed")).trim());
            return s > 0 ? s : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
