package io.roam.agents;

import io.roam.decision.Summary;
import io.roam.decision.Window;
import java.util.HashMap;
import java.util.Map;

/**
 * The job's iteration time as each process of this node reports it in its heartbeats (libpcm
 * times the application's PCM_Status calls), over a window of the last ones: the "before"
 * that a move from here sends to its target, which measures the "after"
 * ({@link TargetMigration}). A new process of a rank (a new pid: it arrived by a move)
 * starts a new window, and its first {@code skipped} heartbeats are not counted, as on the
 * target. Not thread-safe: owned by the agent actor.
 */
final class IterationWindows {
    private final int size;
    private final int skipped;
    private final Map<String, Held> byRank = new HashMap<>();

    private static final class Held {
        final long pid;
        final Window window;
        int seen;

        Held(long pid, int size) {
            this.pid = pid;
            this.window = new Window(size);
        }
    }

    IterationWindows(int size, int skipped) {
        this.size = size;
        this.skipped = skipped;
    }

    /** A heartbeat of process {@code pid} of the rank: {@code iterationNs} is its iteration time (0 unknown). */
    void add(String jobId, int rank, long pid, long iterationNs) {
        Held h = byRank.get(key(jobId, rank));
        if (h == null || h.pid != pid) {
            h = new Held(pid, size);
            byRank.put(key(jobId, rank), h);
        }
        if (iterationNs > 0 && h.seen++ >= skipped) {
            h.window.add(iterationNs);
        }
    }

    /** The process {@code pid} of the rank is gone: its window goes with it. */
    void gone(String jobId, int rank, long pid) {
        Held h = byRank.get(key(jobId, rank));
        if (h != null && h.pid == pid) {
            byRank.remove(key(jobId, rank));
        }
    }

    /** The window of the rank's iteration times here (ns; noise as a factor: {@link Summary#ofFactors}), or none. */
    Summary before(String jobId, int rank) {
        Held h = byRank.get(key(jobId, rank));
        return h == null ? Summary.NONE : h.window.factorSummary();
    }

    private static String key(String jobId, int rank) {
        return jobId + "/" + rank;
    }
}
