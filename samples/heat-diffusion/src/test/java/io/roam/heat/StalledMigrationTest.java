package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.MigrationStalled;
import io.roam.pcm.wire.PcmMessage.MigrationStarted;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No silent hang (libpcm's pcm_stall.c): a reconfiguration that makes no progress within
 * ROAM_PCM_STALL_MS is reported by every process of the job to its agent
 * (MIGRATION_STALLED, naming the process, the MPI call and step, and the time), and the job
 * ends with a clear message and a non-zero exit of mpirun instead of hanging. The test gate
 * {@code merge} holds the departing process (rank 1 of 3, ordered to move at iteration 5) in
 * the merge with its replacement, past a 3 s bound: the replacement then waits in its merge
 * and the ranks that stay in building the new world. The gates are in libpcm's test build
 * only: the job runs heat-gates, heat.c linked with it; the second test shows that the
 * production library ignores the gate (with one warning).
 */
@Tag("system")
class StalledMigrationTest {
    private static final long STALL_MS = 3000;
    /** mpirun must end within this, whatever happens: a hang fails the test (and ends the job). */
    private static final Duration BOUND = Duration.ofSeconds(120);
    private static final long ORDER = 23;

    @TempDir
    Path dir;

    private MovingAgent agent;
    private PcmRecorder recorder;

    @BeforeEach
    void startAgent() throws Exception {
        Mpi.requireMpirun();
        agent = MovingAgent.movingRank1(dir, ORDER, 5);   // rank 1 moves to this host at its 5th iteration
        recorder = agent.recorder();
    }

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void aMigrationHeldInTheMergePastTheBoundIsReportedAndTheJobEndsWithoutHanging() throws Exception {
        Path gates = Files.createDirectories(dir.resolve("gates"));
        Files.writeString(gates.resolve("merge"), "");   // never removed: the departing process stays there
        // heat-gates: heat.c on the test build of libpcm, the one with the test gates
        HeatJob.Spec spec = HeatJob.spec().binary("heat-gates").ranks(3).grid(64, 64).iterations(1_000_000)
                .env("ROAM_PCM_STALL_MS", Long.toString(STALL_MS)).env("ROAM_PCM_TEST_GATE", gates.toString())
                .agent(agent.socketPath());
        try (HeatJob job = spec.start(dir.resolve("job"))) {
            recorder.awaitMessage(MigrationStarted.class, s -> s.orderId() == ORDER, Duration.ofSeconds(60));
            long started = System.nanoTime();
            int exit = job.awaitExit(BOUND);   // fails, ending the job, if mpirun still runs then
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            String logs = job.logs();
            assertThat(Files.exists(gates.resolve("merge.reached"))).as("the departing process reached the gate\n%s",
                    logs).isTrue();
            assertThat(exit).as("mpirun's exit code\n%s", logs).isEqualTo(75);
            // the bound, then a grace of min(10 s, bound) for the reports; generous for a loaded machine
            assertThat(took).as(logs).isGreaterThanOrEqualTo(Duration.ofMillis(STALL_MS))
                    .isLessThan(Duration.ofSeconds(60));
            assertThat(job.stderr()).as(logs)
                    .contains("migration stalled: the departing process of job")
                    .contains("waits in MPI_Intercomm_merge (merging with the replacement)")
                    .contains("no progress within ROAM_PCM_STALL_MS=" + STALL_MS)
                    .contains("ending job", "no safe way back", "Exit code 75");
            assertThat(job.stdout()).as(logs).doesNotContain("checksum");

            List<MigrationStalled> stalls = recorder.messages().stream()
                    .filter(m -> m instanceof MigrationStalled).map(MigrationStalled.class::cast).toList();
            assertThat(stalls).as("MIGRATION_STALLED reports\n%s", logs).isNotEmpty()
                    .allSatisfy(s -> {
                        assertThat(s.orderId()).isEqualTo(ORDER);
                        assertThat(s.rank()).isEqualTo(1);
                        assertThat(s.waitedMs()).isGreaterThanOrEqualTo(STALL_MS);
                        assertThat(s.detail()).contains("move of rank 1 to localhost, order " + ORDER);
                    });
            // every process of the job reported, each naming its own MPI call and step
            assertThat(stalls).extracting(MigrationStalled::detail).as(logs)
                    .anySatisfy(d -> assertThat(d).startsWith("the departing process of job")
                            .contains("waits in MPI_Intercomm_merge (merging with the replacement)"))
                    .anySatisfy(d -> assertThat(d).startsWith("the replacement of job")
                            .contains("waits in MPI_Intercomm_merge (merging with the departing process)"))
                    .anySatisfy(d -> assertThat(d).startsWith("rank 0 (staying)")
                            .contains("waits in MPI_Intercomm_create (building the new world"))
                    .anySatisfy(d -> assertThat(d).startsWith("rank 2 (staying)")
                            .contains("waits in MPI_Intercomm_create (building the new world"))
                    .hasSize(4);
            // nothing of the job is left: every process that registered (the replacement too) is gone
            List<Register> registered = recorder.messages().stream().filter(m -> m instanceof Register)
                    .map(Register.class::cast).toList();
            assertThat(registered).extracting(Register::moves).as("3 ranks and the replacement").containsOnly(0L, 1L)
                    .hasSize(4);
            for (Register r : registered) {
                HeatJob.awaitGone(r.pid(), Duration.ofSeconds(20));
            }
            assertThat(recorder.messages()).noneMatch(m -> m instanceof PcmMessage.MigrationDone);
        }
    }

    /**
     * The production libpcm has no test gates: the same gate does not hold the move of a job
     * run by heat (linked with the production library). The job says once that
     * ROAM_PCM_TEST_GATE is ignored, the move completes and the job ends normally.
     */
    @Test
    void theProductionLibraryIgnoresTheGateWithOneWarning() throws Exception {
        Path gates = Files.createDirectories(dir.resolve("gates"));
        Files.writeString(gates.resolve("merge"), "");
        HeatJob.Spec spec = HeatJob.spec().ranks(3).grid(64, 64).iterations(3000)
                .env("ROAM_PCM_TEST_GATE", gates.toString()).agent(agent.socketPath());
        try (HeatJob job = spec.start(dir.resolve("job"))) {
            recorder.awaitMessage(MigrationDone.class, d -> d.orderId() == ORDER, Duration.ofSeconds(90));
            job.awaitSuccess(BOUND);
            String logs = job.logs();
            assertThat(gates.resolve("merge.reached")).as(logs).doesNotExist();
            assertThat(job.stderr().lines()
                    .filter(l -> l.contains("ROAM_PCM_TEST_GATE is set, but this libpcm has no test gates")))
                    .as(logs).hasSize(1);
            assertThat(job.stderr()).as(logs).doesNotContain("test gate:", "migration stalled");
            assertThat(job.stdout()).as(logs).contains("checksum");
        }
    }
}
