package io.roam.heat;

import java.util.Locale;

/**
 * Where a slow system test spends its time: each step's end, printed to the test's output (the
 * build log and the Failsafe report) with the time since the test's start and since the step
 * before. Changes nothing the test does.
 */
final class Phases {
    private final String test;
    private final long t0 = System.nanoTime();
    private long last = t0;

    Phases(String test) {
        this.test = test;
    }

    /** Prints "TEST: WHAT after T s (+D s)". */
    synchronized void mark(String what) {
        long now = System.nanoTime();
        System.out.printf(Locale.ROOT, "%s: %s after %.1f s (+%.1f s)%n", test, what, (now - t0) / 1e9,
                (now - last) / 1e9);
        System.out.flush();
        last = now;
    }
}
