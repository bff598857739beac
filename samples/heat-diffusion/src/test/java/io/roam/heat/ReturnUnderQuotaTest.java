package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roam.pcm.wire.PcmConnection;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.Heartbeat;
import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.Register;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rank moves away from a host with a CPU quota and comes back: it runs there as fast as
 * before it left. What the move left behind on that host would spend the host's quota (a
 * departed process waiting in Open MPI's finalize loop did: 1.7 to 3 times slower
 * iterations after a return). Two checks: after the return, the host's CPU cgroup spends its
 * time on the returned rank, not on anything the job left there (CPU time, which another
 * load on the machine does not change); and the job's iteration time reported by rank 0 on
 * host 1 (the quota binds: it is the slow rank) after it came back, against before it left,
 * within a bound that holds on a shared machine.
 */
@Tag("system")
class ReturnUnderQuotaTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(300);
    /** Host 1's quota: well under a core's share even with both cores busy, so that it binds. */
    private static final String QUOTA = "0.25";
    /**
     * What a departed process left on the host cost 1.7 to 3 times; on a shared machine two
     * medians of the same rank on the same host differ by up to about 1.45 times (1.42 was
     * seen in CI-like runs with both cores busy). The 1.1 target itself is measured by the
     * benchmark (benchmarks/move-and-return.sh); what spends the quota is caught by
     * {@link #MAX_OTHER_SHARE}, which load does not move.
     */
    private static final double MAX_RATIO = 2.0;
    /**
     * The share of host 1's cgroup CPU time, after the return, that is not the returned rank's
     * own: its daemon (orted) and anything the job left there. A departed process that polled
     * took 40 to 65 % of the quota. Both counts are the
     * scheduler's own, in ns.
     */
    private static final double MAX_OTHER_SHARE = 0.15;
    /** How long host 1's CPU time is measured after the return (a window, not a wait). */
    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final int LEAVE_AT = 3000;
    private static final int RETURN_AT = 5000;

    @TempDir
    Path dir;

    @Test
    void aRankThatComesBackToAThrottledHostRunsAsFastAsBeforeItLeft() throws Exception {
        Mpi.requireMpirun();
        try (TwoHostAgents two = new TwoHostAgents("rq", dir, 200)) {
            two.hosts.cpu(0, QUOTA);
            two.hosts.cpu(1, "max");   // a cgroup of its own: host 2's processes must not share host 1's quota
            AtomicReference<PcmConnection> before = new AtomicReference<>();
            AtomicReference<PcmConnection> after = new AtomicReference<>();
            AtomicReference<Register> returned = new AtomicReference<>();
            two.agent1.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.rank() == 0 && r.moves() == 0) {
                    before.set(conn);
                    conn.send(new Migrate(1, two.h2, LEAVE_AT));
                } else if (msg instanceof Register r && r.rank() == 0 && r.moves() == 2) {
                    after.set(conn);
                    returned.set(r);
                }
            });
            two.agent2.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.rank() == 0 && r.moves() == 1) {
                    conn.send(new Migrate(2, two.h1, RETURN_AT));
                }
            });
            // rank 0 on host 1 (throttled), rank 1 on host 2; 256 x 1024 cells each
            HeatJob.Spec shape = HeatJob.spec().ranks(2).grid(512, 1024).iterations(12000);
            // the run without Roam: heat-nopcm, without PCM's collective per iteration (with both
            // cores busy, heat itself took 420 s for this baseline, the bound being 600 s)
            byte[] expected = Baselines.grid(HeatJob.spec().binary("heat-nopcm").ranks(2).grid(512, 1024)
                    .iterations(12000));
            // unbound: a replacement is bound to whichever core its daemon picks, and a core
            // that other work keeps busier would be measured instead of what the move left
            HeatJob.Spec run = two.onHosts(shape, 1).mpiArgs("--mca", "hwloc_base_binding_policy", "none");
            try (HeatJob job = run.start(dir.resolve("run"))) {
                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> returned.get() != null);
                long pid = returned.get().pid();
                long cgroup0 = two.hosts.cpuUsageNs(0);
                long rank0 = ProcCpu.cpuNs(pid);
                Thread.sleep(WINDOW.toMillis());
                long cgroupNs = two.hosts.cpuUsageNs(0) - cgroup0;
                long rankNs = ProcCpu.cpuNs(pid) - rank0;
                assertThat(job.isRunning()).as("the job still ran at the end of the window").isTrue();
                double other = (cgroupNs - rankNs) / (double) cgroupNs;
                System.out.printf("host 1's cgroup over %d ms after the return: %.0f ms of CPU, %.0f ms of it "
                        + "rank 0's (pid %d), other %.1f %%%n", WINDOW.toMillis(), cgroupNs / 1e6, rankNs / 1e6, pid,
                        100 * other);
                assertThat(other).as("share of host 1's CPU time not spent by the returned rank "
                        + "(%.0f of %.0f ms)", (cgroupNs - rankNs) / 1e6, cgroupNs / 1e6).isLessThan(MAX_OTHER_SHARE);
                job.awaitSuccess(TIMEOUT);
                assertThat(job.grid()).as("grid after the move and the return").isEqualTo(expected);
            }
            two.agent1.awaitMessage(MigrationDone.class, d -> d.orderId() == 2, TIMEOUT);
            assertThat(before.get()).as("rank 0 registered on host 1 at the start").isNotNull();
            assertThat(after.get()).as("rank 0 registered on host 1 after coming back").isNotNull();
            double t0 = medianIterationMs(two.agent1.messages(before.get()));
            double t1 = medianIterationMs(two.agent1.messages(after.get()));
            System.out.printf("rank 0 on host 1 (quota %s cores): %.3f ms per iteration before it left, "
                    + "%.3f ms after it came back (%.2f x)%n", QUOTA, t0, t1, t1 / t0);
            assertThat(t1 / t0).as("iteration time on host 1 after the return / before the departure "
                    + "(%.3f ms / %.3f ms)", t1, t0).isLessThan(MAX_RATIO);
        }
    }

    /**
     * The median of the iteration times rank 0 reported in its heartbeats on one connection,
     * without the first two (start-up: pages faulted in, the state loaded) nor the last (the
     * migration or the end).
     */
    private static double medianIterationMs(List<PcmMessage> messages) {
        List<Double> ms = messages.stream().filter(Heartbeat.class::isInstance).map(Heartbeat.class::cast)
                .filter(h -> h.iterationNs() > 0).map(h -> h.iterationNs() / 1e6).toList();
        assertThat(ms).as("heartbeats with an iteration time").hasSizeGreaterThanOrEqualTo(6);
        List<Double> sorted = ms.subList(2, ms.size() - 1).stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
