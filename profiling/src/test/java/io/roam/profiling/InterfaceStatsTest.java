package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InterfaceStatsTest {
    @TempDir
    Path root;

    private Path dev;
    private Path sys;

    private void dev(long ethRx, long ethTx, long vethRx, long vethTx) throws Exception {
        Files.writeString(dev, """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo: 53057051359 3332617    0    0    0     0          0         0 53057051359 3332617    0    0    0     0       0          0
                  eth0: %d    3547    0    0    0     0          0         0   %d    3042    0    0    0     0       0          0
                veth1:%d 10 0 0 0 0 0 0 %d 12 0 0 0 0 0 0
                """.formatted(ethRx, ethTx, vethRx, vethTx));
    }

    private InterfaceStats stats(AtomicLong clock) throws Exception {
        dev = root.resolve("dev");
        sys = root.resolve("sys");
        Files.createDirectories(sys.resolve("eth0"));
        Files.createDirectories(sys.resolve("veth1"));
        return new InterfaceStats(dev, sys, clock::get);
    }

    @Test
    void countersAndRatesBetweenSamplesWithoutLoopback() throws Exception {
        AtomicLong clock = new AtomicLong(10_000);
        InterfaceStats s = stats(clock);
        Files.writeString(sys.resolve("eth0/speed"), "10000\n");
        dev(78_371_332, 424_436, 0, 5);
        List<InterfaceStat> first = s.sample();
        assertThat(first).extracting(InterfaceStat::name).containsExactly("eth0", "veth1");
        assertThat(first.get(0).rxBytes()).isEqualTo(78_371_332);
        assertThat(first.get(0).txBytes()).isEqualTo(424_436);
        assertThat(first.get(0).rxBytesPerSec()).as("no rate before two samples").isEqualTo(-1);
        assertThat(first.get(0).speedMbitPerSec()).isEqualTo(10_000);
        clock.addAndGet(2000);
        dev(78_371_332 + 2_000_000, 424_436 + 500, 0, 5);
        List<InterfaceStat> second = s.sample();
        assertThat(second.get(0).rxBytesPerSec()).isEqualTo(1_000_000.0);
        assertThat(second.get(0).txBytesPerSec()).isEqualTo(250.0);
        assertThat(second.get(1).rxBytesPerSec()).isZero();
        clock.addAndGet(1000);
        dev(100, 200, 0, 5);                     // counters reset (interface re-created)
        assertThat(s.sample().get(0).rxBytesPerSec()).isEqualTo(-1);
    }

    @Test
    void aSpeedTheKernelDoesNotKnowIsUnknownNeverZero() throws Exception {
        InterfaceStats s = stats(new AtomicLong());
        dev(1, 2, 3, 4);
        Files.writeString(sys.resolve("eth0/speed"), "-1\n");   // what a VM reports
        assertThat(s.sample()).extracting(InterfaceStat::speedMbitPerSec).containsExactly(-1L, -1L);  // veth1: no file
        Files.writeString(sys.resolve("eth0/speed"), "0\n");
        Files.writeString(sys.resolve("veth1/speed"), "garbage");
        assertThat(s.sample()).extracting(InterfaceStat::speedMbitPerSec).containsExactly(-1L, -1L);
    }

    @Test
    void noProcGivesNoInterfaces() {
        assertThat(new InterfaceStats(root.resolve("none"), root, () -> 0).sample()).isEmpty();
    }

    @Test
    void theRealMachineListsNoLoopback() {
        assertThat(new InterfaceStats().sample()).noneMatch(i -> i.name().equals("lo"))
                .allMatch(i -> i.speedMbitPerSec() == -1 || i.speedMbitPerSec() > 0);
    }
}
