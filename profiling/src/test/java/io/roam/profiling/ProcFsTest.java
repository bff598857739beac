package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFsTest {
    @TempDir
    Path fake;

    @Test
    void readsAFakeProc() throws Exception {
        Files.writeString(fake.resolve("stat"), "cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n");
        Files.writeString(fake.resolve("meminfo"), "MemTotal:       24683524 kB\nMemAvailable:   20000000 kB\n");
        Files.createDirectories(fake.resolve("42"));
        Files.writeString(fake.resolve("42/stat"), "42 (my (odd) app) S 1 2 3 4 5 6 7 8 9 10 250 150 0 0\n");
        Files.writeString(fake.resolve("42/status"), "Name: app\nVmRSS:\t   2048 kB\n");
        ProcFs p = new ProcFs(fake);
        assertThat(p.cpuTimes()).isEqualTo(new ProcFs.CpuTimes(150, 1000));
        assertThat(p.processCpuMillis(42)).hasValue(4000);
        assertThat(p.processRssBytes(42)).hasValue(2048 * 1024);
        assertThat(p.memTotalBytes()).hasValue(24683524L * 1024);
        assertThat(p.memAvailableBytes()).hasValue(20000000L * 1024);
        assertThat(p.processCpuMillis(43)).isEmpty();
        assertThat(p.processRssBytes(43)).isEmpty();
    }

    @Test
    void utilizationBetweenTwoSamples() {
        ProcFs.CpuTimes a = new ProcFs.CpuTimes(100, 1000);
        assertThat(new ProcFs.CpuTimes(150, 1100).utilizationSince(a)).isEqualTo(0.5);
        assertThat(new ProcFs.CpuTimes(100, 1000).utilizationSince(a)).isNaN();
    }

    @Test
    void theRealProcOfThisJvm() throws Exception {
        ProcFs p = new ProcFs();
        long pid = ProcessHandle.current().pid();
        assertThat(p.processCpuMillis(pid)).isPresent();
        assertThat(p.processRssBytes(pid).getAsLong()).isGreaterThan(1 << 20);
        assertThat(p.cpuTimes().total()).isPositive();
    }
}
