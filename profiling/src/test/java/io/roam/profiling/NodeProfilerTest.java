package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    /** A CPU hog on this machine lowers the measured available processing; it comes back after. */
    @Test
    void aCpuHogLowersAvailableProcessingAndItRecovers() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        NodeProfiler p = new NodeProfiler("here", new ProcFs(), cores, 1e9, 0, System::currentTimeMillis);
        double idle = measure(p);
        AtomicBoolean run = new AtomicBoolean(true);
        List<Thread> hogs = new ArrayList<>();
        for (int i = 0; i < cores; i++) {
            Thread t = new Thread(() -> {
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
        try {
            Thread.sleep(200);
            loaded = measure(p);
        } finally {
            run.set(false);
            for (Thread t : hogs) {
                t.join();
            }
        }
        Thread.sleep(200);
        double after = measure(p);
        double capacity = cores * 1e9;
        // a hog on every core leaves (almost) nothing; tolerance: 15 % of the capacity
        assertThat(loaded).isLessThan(0.15 * capacity);
        assertThat(idle - loaded).isGreaterThan(0.5 * capacity);
        assertThat(after).isGreaterThan(loaded + 0.5 * capacity);
    }

    private static double measure(NodeProfiler p) throws Exception {
        p.sample();
        Thread.sleep(500);
        return p.sample().available();
    }
}
