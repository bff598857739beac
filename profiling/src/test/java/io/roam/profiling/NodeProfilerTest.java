package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeProfilerTest {
    @TempDir
    Path fake;

    private void stat(long busy, long idle) throws Exception {
        Files.writeString(fake.resolve("stat"), "cpu  " + busy + " 0 0 " + idle + " 0 0 0 0\n");
    }

    @Test
    void availableFollowsUtilizationWithIosSmoothing() throws Exception {
        Files.writeString(fake.resolve("meminfo"), "MemTotal: 1000 kB\n");
        stat(0, 0);
        NodeProfiler p = new NodeProfiler("n1", new ProcFs(fake), 2, 1e9, 0.25, () -> 7);
        assertThat(p.profile().available()).isEqualTo(2e9);         // before any sample: all of it
        stat(100, 100);                                              // 50 % busy
        NodeProfile a = p.sample();
        assertThat(a.utilization()).isEqualTo(0.5);
        assertThat(a.available()).isCloseTo(1e9, within(1.0));
        stat(100, 300);                                              // idle since
        NodeProfile b = p.sample();
        assertThat(b.utilization()).isZero();
        assertThat(b.available()).isCloseTo(0.25 * 1e9 + 0.75 * 2e9, within(1.0));
        assertThat(b.memTotal()).isEqualTo(1024_000);
        assertThat(b.memAvailable()).isEqualTo(-1);                  // not reported: unknown, not 0
        assertThat(b.availableShare()).isCloseTo(0.875, within(1e-9));
        stat(100, 300);                                              // no time passed: unchanged
        assertThat(p.sample().available()).isEqualTo(b.available());
    }

    /** A later probe counts only when it is faster: the best probe is the speed, and the profile uses it. */
    @Test
    void aLaterProbeRaisesTheSpeedNeverLowersIt() throws Exception {
        Files.writeString(fake.resolve("meminfo"), "MemTotal: 1000 kB\n");
        stat(0, 0);
        NodeProfiler p = new NodeProfiler("n1", new ProcFs(fake), 2, 4e8, 0, () -> 7);
        assertThat(p.raiseSpeed(3e8)).isFalse();
        assertThat(p.raiseSpeed(Double.NaN)).isFalse();
        assertThat(p.profile().speedPerCore()).isEqualTo(4e8);
        assertThat(p.raiseSpeed(8e8)).isTrue();
        assertThat(p.speedPerCore()).isEqualTo(8e8);
        stat(100, 100);                                              // 50 % busy of 2 cores
        NodeProfile a = p.sample();
        assertThat(a.speedPerCore()).isEqualTo(8e8);
        assertThat(a.available()).isCloseTo(8e8, within(1.0));        // 8e8 x (2 - 1)
        assertThat(a.capacity()).isCloseTo(16e8, within(1.0));
    }

    /**
     * A CPU hog on every core of this machine shows in the measured available processing: it
     * falls to (almost) nothing, and the busy share it measures covers at least the hogs' own
     * CPU time over the same window. Both hold whatever else the machine runs (a shared CI
     * machine); the recovery after a load is the arithmetic of the test above.
     */
    @Test
    void aCpuHogOnEveryCoreShowsInAvailableProcessing() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        NodeProfiler p = new NodeProfiler("here", new ProcFs(), cores, 1e9, 0, System::currentTimeMillis);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        AtomicBoolean run = new AtomicBoolean(true);
        CountDownLatch running = new CountDownLatch(cores);
        List<Thread> hogs = new ArrayList<>();
        for (int i = 0; i < cores; i++) {
            Thread t = new Thread(() -> {
                running.countDown();
                long x = 0;
                while (run.get()) {
                    x++;
                }
                if (x == 42) {
                    System.out.print("");
                }
            });
            t.setDaemon(true);
            t.start();
            hogs.add(t);
        }
        double loaded;
        double hogCores;
        long hogCpuNs;
        try {
            assertThat(running.await(30, TimeUnit.SECONDS)).as("every hog runs").isTrue();
            p.sample();
            long cpu0 = hogs.stream().mapToLong(t -> mx.getThreadCpuTime(t.getId())).sum();
            long t0 = System.nanoTime();
            // the window measured: at least 500 ms, and until the hogs have had 250 ms of CPU
            // between them (at most 20 s): where other work keeps the cores busy they get a
            // small share of them (0.07 cores was seen)
            long hogCpu;
            do {
                Thread.sleep(100);
                hogCpu = hogs.stream().mapToLong(t -> mx.getThreadCpuTime(t.getId())).sum() - cpu0;
            } while ((System.nanoTime() - t0 < 500_000_000L || hogCpu < 250_000_000L)
                    && System.nanoTime() - t0 < 20_000_000_000L);
            loaded = p.sample().available();
            hogCpuNs = hogs.stream().mapToLong(t -> mx.getThreadCpuTime(t.getId())).sum() - cpu0;
            hogCores = hogCpuNs / (double) (System.nanoTime() - t0);
        } finally {
            run.set(false);
            for (Thread t : hogs) {
                t.join();
            }
        }
        double capacity = cores * 1e9;
        // a hog on every core leaves (almost) nothing; tolerance: 15 % of the capacity
        assertThat(loaded).isLessThan(0.15 * capacity);
        // what is measured busy includes the hogs' own CPU time (20 % tolerance for the windows)
        assertThat(capacity - loaded).as("busy, against the hogs' %.2f cores", hogCores)
                .isGreaterThan(0.8 * hogCores * 1e9);
        assertThat(hogCpuNs).as("the hogs ran").isGreaterThanOrEqualTo(250_000_000L);
    }
}
