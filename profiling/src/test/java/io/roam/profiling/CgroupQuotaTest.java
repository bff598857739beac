package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real CPU cgroup (v1 cpu + cpuacct, or v2) with a quota, as on a node whose processes are
 * throttled without the agent being told: the node profile read from that cgroup follows the
 * quota, and a managed process's measured CPU share follows it too, and both recover when
 * the quota goes. Needs root and a CPU controller under /sys/fs/cgroup; skipped only outside
 * CI where those are missing. Tolerances: 0.1 cores (the CFS period is 100 ms, samples 1 s).
 */
@Tag("system")
class CgroupQuotaTest {
    private static final Path SYS = Path.of("/sys/fs/cgroup");
    private static final double TOLERANCE = 0.1;
    private final List<Path> dirs = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();
    private final int cores = Runtime.getRuntime().availableProcessors();

    @BeforeEach
    void cgroup() throws IOException {
        boolean v1 = Files.isDirectory(SYS.resolve("cpu")) && Files.isDirectory(SYS.resolve("cpuacct"));
        boolean v2 = Files.exists(SYS.resolve("cgroup.controllers"));
        boolean root = "root".equals(System.getProperty("user.name"));
        if (System.getenv("CI") == null) {
            assumeTrue(root && (v1 || v2), "needs root and a CPU cgroup controller (outside CI only)");
        }
        String name = "roam-cgq-" + ProcessHandle.current().pid();
        if (v1) {
            dirs.add(SYS.resolve("cpu").resolve(name));
            dirs.add(SYS.resolve("cpuacct").resolve(name));
        } else {
            if (!Files.readString(SYS.resolve("cgroup.subtree_control")).contains("cpu")) {
                Files.writeString(SYS.resolve("cgroup.subtree_control"), "+cpu");
            }
            dirs.add(SYS.resolve(name));
        }
        for (Path d : dirs) {
            Files.createDirectories(d);
        }
        // the highest CPU weight: on a machine whose cores other work keeps busy, the quota
        // must be what limits the busy process, not its competition for the cores (a share of
        // 0.40 under a 0.6 quota was seen at load average 7 with the default weight)
        Path cpu = dirs.get(0);
        if (Files.exists(cpu.resolve("cpu.weight"))) {
            Files.writeString(cpu.resolve("cpu.weight"), "10000");
        } else {
            Files.writeString(cpu.resolve("cpu.shares"), "262144");
        }
    }

    @AfterEach
    void remove() throws Exception {
        for (Process p : started) {
            p.destroyForcibly().waitFor();
        }
        for (Path d : dirs) {
            for (int i = 0; i < 20 && Files.exists(d); i++) {
                try {
                    Files.delete(d);
                } catch (IOException e) {
                    // a poll, not a fixed wait: the delete is tried again until the kernel has let
                    // go of the killed processes (EBUSY until then), at most 2 s
                    Thread.sleep(100);
                }
            }
        }
    }

    private void quota(String cores) throws IOException {
        Path cpu = dirs.get(0);
        if (Files.exists(cpu.resolve("cpu.max"))) {
            Files.writeString(cpu.resolve("cpu.max"), cores.equals("max") ? "max 100000"
                    : Math.round(Double.parseDouble(cores) * 100000) + " 100000");
        } else {
            Files.writeString(cpu.resolve("cpu.cfs_period_us"), "100000");
            Files.writeString(cpu.resolve("cpu.cfs_quota_us"), cores.equals("max") ? "-1"
                    : Long.toString(Math.round(Double.parseDouble(cores) * 100000)));
        }
    }

    /** Starts a process inside the cgroup: busy spins, else it sleeps. */
    private long start(boolean busy) throws IOException {
        Process p = new ProcessBuilder("sh", "-c", busy ? "while :; do :; done" : "sleep 600").start();
        started.add(p);
        for (Path d : dirs) {
            Files.writeString(d.resolve("cgroup.procs"), Long.toString(p.pid()));
        }
        return p.pid();
    }

    private NodeProfiler node(long pid) throws IOException {
        CpuSource src = Cgroups.of(Path.of("/sys/fs/cgroup"), Path.of("/proc"), Long.toString(pid), cores,
                System::nanoTime).orElseThrow();
        return new NodeProfiler("cg", new ProcFs(), src, cores, 1.0, 0, System::currentTimeMillis);
    }

    /** Available processing (cores, speed 1) after one second. */
    private static NodeProfile second(NodeProfiler p) throws Exception {
        p.sample();
        Thread.sleep(1000);   // the window measured (not a wait for something): 10 CFS periods
        return p.sample();
    }

    @Test
    void cpuSourceCgroupAtAPathReadsThatCgroupWhereverTheAgentRuns() throws Exception {
        quota("1.0");
        String name = dirs.get(0).getFileName().toString();
        ProfilingSettings s = ProfilingSettings.from(com.typesafe.config.ConfigFactory.parseString(
                "roam.profiling.cpu-source = \"cgroup:/" + name + "\"").withFallback(
                com.typesafe.config.ConfigFactory.defaultReference()));
        CpuSource src = s.cpuSource(new ProcFs(), cores);
        assertThat(src.describe()).contains(name);
        NodeProfiler p = new NodeProfiler("cg", new ProcFs(), src, cores, 1.0, 0, System::currentTimeMillis);
        // this JVM and whatever else keeps the machine busy are not in it: its core is all available
        assertThat(second(p).available()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(TOLERANCE));
        start(true);
        assertThat(second(p).available()).as("a busy loop in it uses part of its core").isLessThan(0.9);
        ProfilingSettings missing = ProfilingSettings.from(com.typesafe.config.ConfigFactory.parseString(
                "roam.profiling.cpu-source = \"cgroup:/roam-no-such-cgroup\"").withFallback(
                com.typesafe.config.ConfigFactory.defaultReference()));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> missing.cpuSource(new ProcFs(), cores))
                .hasMessageStartingWith("roam.profiling.cpu-source = cgroup:/roam-no-such-cgroup: no cgroup /sys/fs/cgroup/");
    }

    @Test
    void aQuotaOnTheNodeLowersAvailableProcessingAndItRecovers() throws Exception {
        quota("1.0");
        NodeProfiler p = node(start(false));
        double before = second(p).available();
        quota("0.25");
        NodeProfile throttled = second(p);
        quota("max");
        NodeProfile after = second(p);

        assertThat(before).isCloseTo(1.0, org.assertj.core.data.Offset.offset(TOLERANCE));
        assertThat(throttled.cpuLimit()).isEqualTo(0.25);
        assertThat(throttled.available()).isCloseTo(0.25, org.assertj.core.data.Offset.offset(TOLERANCE));
        assertThat(after.cpuLimit()).isEqualTo(cores);
        assertThat(after.available()).isGreaterThan(cores - 0.5);
    }

    @Test
    void aQuotaOnABusyManagedProcessShowsInItsShareAndTheNodeAndRecovers() throws Exception {
        quota("0.6");
        long pid = start(true);
        NodeProfiler node = node(pid);
        ProcFs proc = new ProcFs();
        ProcessRates rates = new ProcessRates();
        rates.sample("p", System.currentTimeMillis(), proc.processCpuMillis(pid).orElseThrow(), 0, 0);
        // ProcessRates skips a process's first period (its start): time passes for that period,
        // nothing is waited for
        Thread.sleep(200);

        double[] share = new double[3];
        NodeProfile[] profile = new NodeProfile[3];
        String[] quotas = {"0.6", "0.2", "0.6"};
        for (int i = 0; i < 3; i++) {
            quota(quotas[i]);
            rates.sample("p", System.currentTimeMillis(), proc.processCpuMillis(pid).orElseThrow(), 0, 0);
            node.sample();
            Thread.sleep(2000);   // the window measured at this quota (not a wait for something)
            share[i] = rates.sample("p", System.currentTimeMillis(), proc.processCpuMillis(pid).orElseThrow(), 0, 0)
                    .cpuShare();
            profile[i] = node.sample();
        }

        String seen = String.format(Locale.ROOT, "shares %.2f %.2f %.2f, available %.2f %.2f %.2f", share[0], share[1],
                share[2], profile[0].available(), profile[1].available(), profile[2].available());
        assertThat(share[0]).as(seen).isCloseTo(0.6, org.assertj.core.data.Offset.offset(TOLERANCE));
        assertThat(share[1]).as(seen).isCloseTo(0.2, org.assertj.core.data.Offset.offset(TOLERANCE));
        assertThat(share[2]).as(seen).isCloseTo(0.6, org.assertj.core.data.Offset.offset(TOLERANCE));
        for (NodeProfile n : profile) {
            // the busy process takes its whole quota: nothing is left on this node
            assertThat(n.available()).as(seen).isLessThan(TOLERANCE);
        }
        assertThat(profile[1].cpuLimit()).isEqualTo(0.2);
        assertThat(profile[1].capacity()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(1e-9));
        // its process would get a whole core's worth elsewhere: what IOS compares
        assertThat(share[1] / share[0]).as(seen).isLessThan(0.5);
    }
}
