package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code roam migrate} prints: each phase with the time since the command started and
 * since the previous phase; from STARTED until the state starts to move (spawn and merge) a
 * line with the time spent; while the state moves, a bar of the bytes the replacement has
 * received (libpcm reports them, MIGRATION_PROGRESS, at most every 100 ms; on a terminal the
 * bar is redrawn in place, else a line is printed at each tenth); at DONE each phase's
 * duration as libpcm timed it and the full bar with the transfer rate.
 */
final class MigrationProgress {
    static final int BAR_WIDTH = 30;
    private final long startNanos;
    private long lastNanos;
    /**
     * The state the rank registered (from its heartbeats), 0 or less unknown: a program that
     * stores its state only when told to move (as the heat sample does) reports none before.
     */
    private final long expectedBytes;

    MigrationProgress(long startNanos, long expectedBytes) {
        this.startNanos = startNanos;
        this.lastNanos = startNanos;
        this.expectedBytes = expectedBytes;
    }

    /** One line per phase: elapsed since the start, since the previous phase, the phase, its detail. */
    String phase(JsonNode event, long nowNanos) {
        String line = String.format(Locale.ROOT, "%9.1f ms  (+%8.1f ms)  %-9s %s", (nowNanos - startNanos) / 1e6,
                (nowNanos - lastNanos) / 1e6, event.get("phase").asText(), event.get("detail").asText());
        lastNanos = nowNanos;
        return line;
    }

    private int lastStep = -1;

    /** The state moving: a bar of the bytes received so far, the sizes and the time since STARTED. */
    String transfer(long sent, long total, long nowNanos) {
        double f = total > 0 ? (double) sent / total : 1.0;
        return String.format(Locale.ROOT, "             transfer [%s] %s of %s (%d %%), %.1f s since STARTED", bar(f),
                mb(sent), mb(total), Math.round(100 * f), (nowNanos - lastNanos) / 1e9);
    }

    /** Whether {@code sent} of {@code total} reaches a tenth not printed yet (for output that is not a terminal). */
    boolean nextStep(long sent, long total) {
        int step = total > 0 ? (int) (10 * sent / total) : 10;
        if (step <= lastStep) {
            return false;
        }
        lastStep = step;
        return true;
    }

    /** From STARTED until the state moves (spawn, merge): a bar with no fraction yet, the time, the size. */
    String transferring(long nowNanos, int tick) {
        char[] bar = " ".repeat(BAR_WIDTH).toCharArray();
        int width = 5;
        int pos = tick % (2 * (BAR_WIDTH - width));
        pos = pos < BAR_WIDTH - width ? pos : 2 * (BAR_WIDTH - width) - pos;
        for (int i = 0; i < width; i++) {
            bar[pos + i] = '=';
        }
        return String.format(Locale.ROOT, "             transfer [%s] %s, %.1f s since STARTED", new String(bar),
                expectedBytes > 0 ? mb(expectedBytes) + " to move" : "state size not known yet",
                (nowNanos - lastNanos) / 1e9);
    }

    /** At DONE: the summary line, each phase's duration, and the full transfer bar with its rate. */
    static List<String> done(JsonNode t) {
        long order = t.get("tOrder").asLong();
        long bytes = t.get("stateBytes").asLong();
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "             state %.1f MB: decided %.1f ms, spawned %.1f ms, merged %.1f ms,"
                        + " transferred %.1f ms, resumed %.1f ms after the order",
                bytes / 1e6, ms(order, t.get("tDecided")), ms(order, t.get("tSpawned")),
                ms(order, t.get("tMerged")), ms(order, t.get("tTransferred")), ms(order, t.get("tResumed"))));
        String[] names = {"decide", "spawn", "merge", "transfer", "resume"};
        String[] keys = {"tOrder", "tDecided", "tSpawned", "tMerged", "tTransferred", "tResumed"};
        StringBuilder phases = new StringBuilder("             phases:");
        for (int i = 0; i < names.length; i++) {
            phases.append(String.format(Locale.ROOT, " %s %.1f ms%s", names[i],
                    ms(t.get(keys[i]).asLong(), t.get(keys[i + 1])), i < names.length - 1 ? "," : ""));
        }
        out.add(phases.toString());
        double transferMs = ms(t.get("tMerged").asLong(), t.get("tTransferred"));
        out.add(String.format(Locale.ROOT, "             transfer [%s] %s in %.1f ms%s", bar(1.0), mb(bytes), transferMs,
                transferMs > 0 ? String.format(Locale.ROOT, " (%.2f GB/s)", bytes / (transferMs / 1e3) / 1e9) : ""));
        return out;
    }

    /** A bar of BAR_WIDTH characters filled to {@code fraction} (0 to 1). */
    static String bar(double fraction) {
        int full = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR_WIDTH);
        return "#".repeat(full) + ".".repeat(BAR_WIDTH - full);
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static double ms(long from, JsonNode to) {
        return (to.asLong() - from) / 1e6;
    }
}
