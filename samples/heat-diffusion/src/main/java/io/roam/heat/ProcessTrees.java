package io.roam.heat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Ends a process and everything it started, by pid (mpirun, agents, demos). */
public final class ProcessTrees {
    private ProcessTrees() {
    }

    /**
     * Asks {@code p} and its descendants to stop (SIGTERM), waits up to {@code grace} for each,
     * then kills what is left. A zero grace kills at once and waits up to 10 s for the exits.
     */
    public static void stop(Process p, Duration grace) {
        if (p == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        boolean force = grace.isZero();
        all.forEach(force ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
        long waitMillis = force ? 10_000 : grace.toMillis();
        for (ProcessHandle h : all) {
            if (h.onExit().completeOnTimeout(h, waitMillis, TimeUnit.MILLISECONDS).join().isAlive()) {
                h.destroyForcibly();
            }
        }
    }

    /** Kills {@code p} and its descendants at once and waits for them. */
    public static void kill(Process p) {
        stop(p, Duration.ZERO);
    }
}
