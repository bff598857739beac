package io.roam.agents;

import com.typesafe.config.Config;
import io.roam.protocol.NodeHistory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The recent past of this node in bounded memory: its available processing and, for each job
 * with ranks here, their iteration time, each a ring of {@code points} steps of {@code step}
 * (samples within one step are averaged: downsampled), at most {@code maxJobs} jobs (the one
 * not seen for the longest is dropped first), and the last {@code moves} moves from here.
 * Not thread-safe: owned by the agent actor, which answers {@link NodeHistory.Query}.
 */
final class HistoryLog {
    /** roam.agent.history: step, points, max-jobs, moves. */
    record Settings(Duration step, int points, int maxJobs, int moves) {
        static Settings of(Config c) {
            io.roam.config.Settings s = io.roam.config.Settings.of(c, "roam.agent.history");
            return new Settings(s.duration("step", Duration.ofMillis(100), Duration.ofMinutes(10)),
                    s.integer("points", 10, 3000), s.integer("max-jobs", 1, 16), s.integer("moves", 0, 500));
        }

        Duration range() {
            return step.multipliedBy(points);
        }
    }

    /** One series: the sum and count of the samples of each of the last {@code size} steps. */
    static final class Ring {
        private final double[] sum;
        private final int[] count;
        private long first = -1;
        private long last = -1;

        Ring(int size) {
            sum = new double[size];
            count = new int[size];
        }

        /** A sample in step number {@code step}; samples older than the ring are dropped. */
        void add(long step, double value) {
            if (Double.isNaN(value) || (last >= 0 && step <= last - sum.length)) {
                return;
            }
            if (last < 0) {
                first = step;
                last = step;
            }
            for (long s = last + 1; s <= step && s <= last + sum.length; s++) {
                sum[slot(s)] = 0;
                count[slot(s)] = 0;
            }
            if (step > last) {
                last = step;
                first = Math.max(first, last - sum.length + 1);
            }
            sum[slot(step)] += value;
            count[slot(step)]++;
        }

        long lastStep() {
            return last;
        }

        NodeHistory.Series series(long stepMillis) {
            if (last < 0) {
                return new NodeHistory.Series(0, new byte[0]);
            }
            ByteBuffer out = ByteBuffer.allocate(4 * (int) (last - first + 1));
            for (long s = first; s <= last; s++) {
                int i = slot(s);
                out.putFloat(count[i] == 0 ? Float.NaN : (float) (sum[i] / count[i]));
            }
            return new NodeHistory.Series(first * stepMillis, out.array());
        }

        private int slot(long step) {
            return (int) Math.floorMod(step, (long) sum.length);
        }
    }

    private final String host;
    private final Settings settings;
    private final long stepMillis;
    private final Ring available;
    private final Map<String, Ring> jobs = new HashMap<>();
    private final ArrayDeque<NodeHistory.Move> moves = new ArrayDeque<>();
    private final ArrayDeque<NodeHistory.Resize> resizes = new ArrayDeque<>();

    HistoryLog(String host, Settings settings) {
        this.host = host;
        this.settings = settings;
        this.stepMillis = settings.step().toMillis();
        this.available = new Ring(settings.points());
    }

    /** The node's available processing (updates per second) at {@code atMillis}. */
    void available(long atMillis, double updatesPerSecond) {
        available.add(atMillis / stepMillis, updatesPerSecond);
    }

    /** An iteration time of a rank of {@code jobId} here, reported at {@code atMillis}. */
    void iteration(String jobId, long atMillis, double millis) {
        if (!(millis > 0)) {
            return;
        }
        Ring r = jobs.get(jobId);
        if (r == null) {
            if (jobs.size() >= settings.maxJobs()) {
                jobs.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().lastStep()))
                        .ifPresent(e -> jobs.remove(e.getKey()));
            }
            r = new Ring(settings.points());
            jobs.put(jobId, r);
        }
        r.add(atMillis / stepMillis, millis);
    }

    /** A rank of {@code jobId} moved from here to {@code to}. */
    void moved(long atMillis, String jobId, int rank, String to) {
        if (settings.moves() == 0) {
            return;
        }
        if (moves.size() >= settings.moves()) {
            moves.removeFirst();
        }
        moves.addLast(new NodeHistory.Move(atMillis, jobId, rank, host, to));
    }

    /** Job {@code jobId}, whose rank 0 runs here, went from {@code oldSize} to {@code newSize} processes. */
    void resized(long atMillis, String jobId, int oldSize, int newSize) {
        if (settings.moves() == 0) {
            return;
        }
        if (resizes.size() >= settings.moves()) {
            resizes.removeFirst();
        }
        resizes.addLast(new NodeHistory.Resize(atMillis, jobId, oldSize, newSize));
    }

    /** What is kept, as of {@code nowMillis}: jobs with no point within the range are forgotten. */
    NodeHistory snapshot(long nowMillis) {
        long oldest = nowMillis / stepMillis - settings.points();
        jobs.values().removeIf(r -> r.lastStep() <= oldest);
        long oldestMove = nowMillis - settings.range().toMillis();
        moves.removeIf(m -> m.atMillis() < oldestMove);
        resizes.removeIf(r -> r.atMillis() < oldestMove);
        List<NodeHistory.JobSeries> out = new ArrayList<>();
        jobs.forEach((job, r) -> out.add(new NodeHistory.JobSeries(job, r.series(stepMillis))));
        out.sort(Comparator.comparing(NodeHistory.JobSeries::jobId));
        return new NodeHistory(host, stepMillis, available.series(stepMillis), out, List.copyOf(moves),
                List.copyOf(resizes));
    }
}
