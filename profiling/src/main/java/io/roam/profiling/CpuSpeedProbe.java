package io.roam.profiling;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * A short calibrated probe of one core's processing speed: a fixed 5-point stencil sweep
 * over a small grid (in cache), timed in the probing thread's own CPU time, so that the
 * result does not drop when the node is busy (load is measured separately). The unit is
 * lattice updates per CPU-second, the unit of the heat-diffusion sample. Best of a few runs.
 */
public final class CpuSpeedProbe {
    private static final int N = 128;
    private static final long WARM_UP_NANOS = 100_000_000L;
    private static final int MAX_EXTRA_RUNS = 5;
    /** The JIT counts as idle when its total compilation time has not grown for this long. */
    private static final long JIT_IDLE_NANOS = 50_000_000L;
    /** The longest the warm-up waits for an idle JIT (a JVM that compiles all the time: an agent
     * starting; its later probes, roam.profiling.probe-repeats, catch a first one made too early). */
    private static final long WARM_UP_WALL_CAP_NANOS = 300_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private final int sweeps;
    private final int runs;
    private volatile double sink;

    /** @param sweeps sweeps of a 128x128 grid per run (each about 16k updates); @param runs runs, the best counts */
    public CpuSpeedProbe(int sweeps, int runs) {
        if (sweeps < 1 || runs < 1) {
            throw new IllegalArgumentException("sweeps and runs must be >= 1");
        }
        this.sweeps = sweeps;
        this.runs = runs;
    }

    /** Updates per CPU-second of one core. */
    public double measure() {
        double[] u = new double[(N + 2) * (N + 2)];
        double[] v = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            u[i] = i % 7;
        }
        // untimed warm-up: the sweep must be compiled before it is timed, or a short probe
        // measures the interpreter or C1's code (2-4x slower) instead of the core; at least
        // WARM_UP_NANOS of CPU, and until the JIT is idle: the optimizing compiler works in
        // the background, and on a busy machine, in a JVM with a queue of other methods to
        // compile, it came after the warm-up (a probe 4x too slow, beside the stress benchmark)
        long warmUntil = cpuNanos() + WARM_UP_NANOS;
        long wallCap = System.nanoTime() + WARM_UP_WALL_CAP_NANOS;
        JitWatch jit = new JitWatch();
        for (int s = 0; s < Math.max(sweeps, 100) || cpuNanos() < warmUntil
                || (!jit.idle() && System.nanoTime() < wallCap); s++) {
            sweep(u, v);
        }
        double best = 0;
        int extra = 0;
        for (int r = 0; r < runs + extra; r++) {
            long t0 = cpuNanos();
            for (int s = 0; s < sweeps; s++) {
                sweep(u, v);
                double[] t = u;
                u = v;
                v = t;
            }
            long dt = Math.max(1, cpuNanos() - t0);
            double rate = (double) sweeps * N * N / (dt / 1e9);
            // a run much faster than all before it: compiled code arrived late, measure again
            if (r > 0 && rate > 1.15 * best && extra < MAX_EXTRA_RUNS) {
                extra++;
            }
            best = Math.max(best, rate);
        }
        sink = u[N];
        return best;
    }

    /** Whether the JIT has compiled nothing for JIT_IDLE_NANOS (always idle where it is not monitored). */
    private static final class JitWatch {
        private final boolean monitored = JIT != null && JIT.isCompilationTimeMonitoringSupported();
        private long lastTotal = -1;
        private long since = System.nanoTime();

        boolean idle() {
            if (!monitored) {
                return true;
            }
            long total = JIT.getTotalCompilationTime();
            long now = System.nanoTime();
            if (total != lastTotal) {
                lastTotal = total;
                since = now;
            }
            return now - since >= JIT_IDLE_NANOS;
        }
    }

    private static void sweep(double[] u, double[] v) {
        int w = N + 2;
        for (int i = 1; i <= N; i++) {
            for (int j = 1; j <= N; j++) {
                int k = i * w + j;
                v[k] = 0.25 * ((u[k - w] + u[k + w]) + (u[k - 1] + u[k + 1]));
            }
        }
    }

    private static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }
}
