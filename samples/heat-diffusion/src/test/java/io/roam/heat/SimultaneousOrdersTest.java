package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roam.pcm.wire.PcmConnection;
import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.MigrationStarted;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: orders that meet in one job. Two orders for two ranks given at the same moment
 * are carried out one after the other (one reconfiguration per PCM_Status round); a rank
 * moves back onto a host that the job's original processes have all left (Open MPI's orted
 * there would have forgotten the job without the keeper of pcm_keep.c, and the replacement
 * would hang or die). Both keep the grid bit-exact.
 */
@Tag("system")
class SimultaneousOrdersTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(300);

    @TempDir
    Path dir;

    @Test
    void twoOrdersGivenAtOnceMoveOneRankAfterTheOther() throws Exception {
        Mpi.requireMpirun();
        PcmRecorder agent = new PcmRecorder();
        HeatJob.Spec spec = HeatJob.spec().ranks(4).grid(512, 512).iterations(1000);
        byte[] expected = Baselines.grid(spec);
        Map<Long, PcmConnection> registered = new HashMap<>();
        try (PcmServer server = new PcmServer(dir.resolve("agent.sock"), agent,
                new PcmServer.Options("test-agent", 0)).start()) {
            // both orders go out together, to ranks 1 and 2, as soon as both have registered
            agent.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.moves() == 0 && (r.rank() == 1 || r.rank() == 2)) {
                    synchronized (registered) {
                        registered.put(r.rank(), conn);
                        if (registered.size() == 2) {
                            registered.get(1L).send(new Migrate(11, "localhost", 200));
                            registered.get(2L).send(new Migrate(12, "localhost", 200));
                        }
                    }
                }
            });
            try (HeatJob job = spec.agent(server.socketPath()).start(dir.resolve("run"))) {
                job.awaitSuccess(TIMEOUT);
                assertThat(job.grid()).as("final grid after two simultaneous orders").isEqualTo(expected);
            }
            MigrationDone d1 = done(agent, 11);
            MigrationDone d2 = done(agent, 12);
            assertThat(d1.rank()).isEqualTo(1);
            assertThat(d2.rank()).isEqualTo(2);
            long i1 = started(agent, 11).iteration();
            long i2 = started(agent, 12).iteration();
            assertThat(i1).as("one reconfiguration per round").isNotEqualTo(i2);
            assertThat(Math.min(i1, i2)).isGreaterThanOrEqualTo(200);
            MigrationDone first = i1 < i2 ? d1 : d2;
            MigrationDone second = i1 < i2 ? d2 : d1;
            assertThat(second.tDecided()).as("the second is decided once the first's new world exists")
                    .isGreaterThanOrEqualTo(first.tMerged());
        }
    }

    @Test
    void aRankMovesBackOntoAHostTheOriginalJobLeft() throws Exception {
        Mpi.requireMpirun();
        try (TwoHostAgents two = new TwoHostAgents("sox", dir)) {
            // rank 1 starts on host 2 (one slot per host), the only original process there;
            // it moves to host 1, and its replacement comes back to host 2
            two.agent2.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.rank() == 1 && r.moves() == 0) {
                    conn.send(new Migrate(21, two.h1, 100));
                }
            });
            two.agent1.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.rank() == 1 && r.moves() == 1) {
                    conn.send(new Migrate(22, two.h2, 300));
                }
            });
            String socket = dir.resolve("agent-%h.sock").toString();
            // the job runs until the keeper has been measured and the move back is done (StopFile):
            // with a fixed 20000 iterations it once ended inside the keeper's measured second (CI)
            Path stop = dir.resolve("stop");
            HeatJob.Spec spec = HeatJob.spec().ranks(2).grid(256, 256).iterations(StopFile.UNTIL_STOPPED)
                    .programArgs(StopFile.args(stop).toArray(String[]::new))
                    .env("ROAM_AGENT_SOCKET", socket).launcherEnv("ROAM_HOST", two.h1)
                    .prefix(two.hosts.exec(0).toArray(String[]::new))
                    .mpiArgs(two.hosts.mpiArgs(two.hosts.hostfile(dir, 1)));
            spec.agentSocket = socket;
            long original;
            try (HeatJob job = spec.start(dir.resolve("run"))) {
                original = two.agent2.awaitRegistrations(r -> r.rank() == 1 && r.moves() == 0, 1, TIMEOUT).get(0)
                        .as(Register.class).pid();
                two.agent1.awaitMessage(MigrationDone.class, d -> d.orderId() == 21, TIMEOUT);
                // the original process stays on host 2 as the job's keeper, in a small image
                // of its own (roam-pcm-keeper): no CPU, a few hundred KiB
                await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                        .untilAsserted(() -> assertThat(keeperImage(original))
                                .as("pid %d runs roam-pcm-keeper", original).isTrue());
                // the exec is over once the keeper waits in accept(): until then the kernel may still be
                // freeing the old image's memory, on the keeper's account (1 tick seen in CI under load)
                await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                        .untilAsserted(() -> assertThat(waitsInAccept(original))
                                .as("pid %d waits in accept()", original).isTrue());
                {
                    assertThat(job.isRunning()).as("the job still runs while its keeper is measured").isTrue();
                    long t0 = ProcCpu.cpuTicks(original);
                    Thread.sleep(1000);   // the window measured (not a wait for something): no CPU in it
                    long t1 = ProcCpu.cpuTicks(original);
                    long rssKb = ProcCpu.rssKb(original);
                    System.out.printf("keeper pid %d: %d kB resident, %.3f of a core over 1 s%n", original, rssKb,
                            (t1 - t0) / (double) ProcCpu.TICKS_PER_SECOND);
                    assertThat(t1 - t0).as("CPU ticks of the keeper over 1 s").isZero();
                    assertThat(rssKb).as("resident kB of the keeper").isLessThan(2048);
                }
                MigrationDone back = two.agent2.awaitMessage(MigrationDone.class, d -> d.orderId() == 22, TIMEOUT)
                        .as(MigrationDone.class);
                assertThat(back.sourceHost()).isEqualTo(two.h1);
                StopFile.stop(stop);
                job.awaitSuccess(TIMEOUT);
                assertThat(job.grid()).as("grid after host 2 -> host 1 -> host 2")
                        .isEqualTo(StopFile.baseline(2, 256, 256, job, dir));
            }
            assertThat(two.host2Netns).as("the replacement ran in host 2's namespace")
                    .containsValue(two.hosts.netnsId(1));
            HeatJob.awaitGone(original, Duration.ofSeconds(10));   // the keeper left with the job
        }
    }

    private static MigrationDone done(PcmRecorder agent, long order) throws InterruptedException {
        return agent.awaitMessage(MigrationDone.class, d -> d.orderId() == order, TIMEOUT).as(MigrationDone.class);
    }

    private static MigrationStarted started(PcmRecorder agent, long order) throws InterruptedException {
        return agent.awaitMessage(MigrationStarted.class, s -> s.orderId() == order, TIMEOUT)
                .as(MigrationStarted.class);
    }

    /** The process sleeps in accept or accept4 (x86-64 syscalls 43 and 288), as /proc/PID/syscall says. */
    private static boolean waitsInAccept(long pid) {
        try {
            String call = Files.readString(Path.of("/proc/" + pid + "/syscall")).strip().split(" ")[0];
            return call.equals("43") || call.equals("288");
        } catch (IOException gone) {
            return false;
        }
    }

    private static boolean keeperImage(long pid) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString().endsWith("/roam-pcm-keeper");
        } catch (IOException gone) {
            return false;
        }
    }
}
