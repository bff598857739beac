package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.MigrationFailed;
import io.roam.pcm.wire.PcmRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spawn that never completes does not hang the job (libpcm's pcm_init.c). With Open MPI
 * 4.1.4 and PMIx 4.2 a spawned process now and then waits for good in PMIx_Init, and its
 * spawner in MPI_Comm_spawn. The test gate {@code init} holds a spawned process before its
 * MPI_Init in the same way: its spawner gives up after ROAM_PCM_SPAWN_TIMEOUT_MS and tries
 * again, and the held process ends itself; the job goes on, and ends bit-exact with nothing
 * of the abandoned process left.
 */
@Tag("system")
class SpawnTimeoutTest {
    private static final long SPAWN_TIMEOUT_MS = 6000;
    private static final Duration BOUND = Duration.ofSeconds(180);
    private static final long ORDER = 31;
    /**
     * Enough that the job is still running when the order reaches rank 1: the order is sent when
     * rank 1 registers and taken at iteration 5, and 3000 iterations of this grid once ended in
     * 0.04 s, before the agent's answer arrived on a machine at load 15. Not many more: the run
     * without Roam that the grid is compared with takes about 2 ms an iteration with two busy
     * loops beside it (3 ranks on 2 cores: 100000 took 207 s).
     */
    private static final int ITERATIONS = 20_000;

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

    private HeatJob.Spec spec(Path gates, String tries) {
        return HeatJob.spec().binary("heat-gates").ranks(3).grid(64, 64).iterations(ITERATIONS)
                .env("ROAM_PCM_SPAWN_TIMEOUT_MS", Long.toString(SPAWN_TIMEOUT_MS))
                .env("ROAM_PCM_SPAWN_TRIES", tries)
                .env("ROAM_PCM_TEST_GATE", gates.toString()).agent(agent.socketPath());
    }

    interface Step {
        void run() throws Exception;
    }

    /** Runs step; when it fails, the failure carries the job's output. */
    private static void awaitWithLogs(HeatJob job, Step step) throws Exception {
        try {
            step.run();
        } catch (AssertionError | org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "\n" + job.logs(), e);
        }
    }

    private static long reachedPid(Path reached) {
        try {
            return Files.exists(reached) ? Long.parseLong(Files.readString(reached).trim()) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aSpawnThatNeverCompletesIsTriedAgainAndTheMoveCompletes() throws Exception {
        Path gates = Files.createDirectories(dir.resolve("gates"));
        Path gate = Files.writeString(gates.resolve("init"), "");
        Path reached = gates.resolve("init.reached");
        HeatJob.Spec spec = spec(gates, "2");
        byte[] expected = Baselines.grid(spec);
        try (HeatJob job = spec.start(dir.resolve("job"))) {
            Set<Long> held = new LinkedHashSet<>();
            // the first replacement is held at the gate; its spawner gives up and spawns a second one
            awaitWithLogs(job, () -> await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(20))
                    .until(() -> { held.add(reachedPid(reached)); held.remove(-1L); return held.size() == 2; }));
            // the first gave up (at three quarters of the timeout) before its spawner did
            long first = held.iterator().next();   // in the order they reached the gate
            assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false))
                    .as("the first replacement ended itself before it was spawned again\n%s", job.logs()).isFalse();
            Files.delete(gate);   // the second goes on
            awaitWithLogs(job, () -> recorder.awaitMessage(MigrationDone.class, d -> d.orderId() == ORDER,
                    Duration.ofSeconds(90)));
            job.awaitSuccess(BOUND);
            String logs = job.logs();
            assertThat(job.grid()).as("bit-exact against a run without migration\n%s", logs).isEqualTo(expected);
            assertThat(job.stderr()).as(logs).contains("did not complete within", "trying again (try 2 of 2)")
                    .contains("its MPI_Init has not completed").doesNotContain("MPI_INIT failed");
            for (long pid : held) {
                HeatJob.awaitGone(pid, Duration.ofSeconds(30));
            }
            assertThat(recorder.messages()).as(logs).noneMatch(m -> m instanceof MigrationFailed);
        }
    }

    /**
     * Issue 22: a grow whose spawn fails leaves the job running at its old size, bit-exact.
     * The processes a grow starts are held before their MPI_Init as above: rank 0's
     * MPI_Comm_spawn_multiple gives up after the timeout, the resize fails, the two ranks go
     * on, and the held processes end themselves (mpirun, which waits for them, exits 0).
     */
    @Test
    void aGrowWhoseSpawnNeverCompletesLeavesTheJobAtItsSize() throws Exception {
        Path gates = Files.createDirectories(dir.resolve("gates"));
        Files.writeString(gates.resolve("init"), "");   // never removed: every new process is held
        HeatJob.Spec spec = HeatJob.spec().binary("heat-gates").ranks(2).grid(64, 64).iterations(3000)
                .env("ROAM_PCM_SPAWN_TIMEOUT_MS", Long.toString(SPAWN_TIMEOUT_MS))
                .env("ROAM_PCM_TEST_RESIZE", "5:4").env("ROAM_PCM_TEST_GATE", gates.toString());
        byte[] expected = Baselines.grid(spec);
        try (HeatJob job = spec.start(dir.resolve("job"))) {
            job.awaitSuccess(BOUND);
            String logs = job.logs();
            assertThat(gates.resolve("init.reached")).as("a new process reached the gate\n%s", logs).exists();
            assertThat(job.stderr()).as(logs).contains("resize failed at iteration", "continuing with 2 ranks")
                    .contains("its MPI_Init has not completed");
            assertThat(job.stdout()).as(logs).contains("ranks 2 ");
            assertThat(job.grid()).as("bit-exact against a run without Roam\n%s", logs).isEqualTo(expected);
        }
    }

    /**
     * When the one try (the default) stalls, the move fails and the job goes on; a second order
     * for the same host is then refused at once, without a spawn and without the job waiting
     * again: with Open MPI 4.1.4 and PMIx 4.2, once a spawn onto mpirun's host stalled, every
     * later one there did too (libpcm's pcm_target.c).
     */
    @Test
    void whenEveryTryStallsTheMoveFailsTheJobGoesOnAndTheHostIsRefusedAfterwards() throws Exception {
        Path gates = Files.createDirectories(dir.resolve("gates"));
        Files.writeString(gates.resolve("init"), "");   // never removed: every replacement is held
        HeatJob.Spec spec = HeatJob.spec().binary("heat-gates").ranks(3).grid(64, 64).iterations(ITERATIONS)
                .env("ROAM_PCM_SPAWN_TIMEOUT_MS", Long.toString(SPAWN_TIMEOUT_MS))   // ROAM_PCM_SPAWN_TRIES unset: 1
                .env("ROAM_PCM_TEST_GATE", gates.toString()).agent(agent.socketPath());
        byte[] expected = Baselines.grid(spec);
        long[] firstFailedAt = new long[1];
        recorder.addHook((conn, msg) -> {
            if (msg instanceof MigrationFailed f && f.orderId() == ORDER) {
                firstFailedAt[0] = System.nanoTime();
                conn.send(new PcmMessage.Migrate(ORDER + 1, "localhost", 0));
            }
        });
        try (HeatJob job = spec.start(dir.resolve("job"))) {
            MigrationFailed[] failed = new MigrationFailed[2];
            awaitWithLogs(job, () -> failed[0] = recorder.awaitMessage(MigrationFailed.class,
                    f -> f.orderId() == ORDER, Duration.ofSeconds(90)).as(MigrationFailed.class));
            long held = reachedPid(gates.resolve("init.reached"));
            awaitWithLogs(job, () -> failed[1] = recorder.awaitMessage(MigrationFailed.class,
                    f -> f.orderId() == ORDER + 1, Duration.ofSeconds(30)).as(MigrationFailed.class));
            double secondAfterS = (System.nanoTime() - firstFailedAt[0]) / 1e9;
            job.awaitSuccess(BOUND);
            String logs = job.logs();
            assertThat(failed[0].message()).as(logs).contains("MPI_Comm_spawn on host 'localhost' failed")
                    .contains("try 1 of 1").contains("further moves and grows there are refused");
            assertThat(failed[1].message()).as(logs)
                    .contains("target host 'localhost': a spawn of this job there stalled earlier");
            // refused when it arrived (at the next PCM_Status), not after another spawn timeout
            assertThat(secondAfterS).as(logs).isLessThan(SPAWN_TIMEOUT_MS / 2000.0);
            assertThat(reachedPid(gates.resolve("init.reached"))).as("no second spawn\n%s", logs).isEqualTo(held);
            assertThat(job.grid()).as("bit-exact against a run without migration\n%s", logs).isEqualTo(expected);
            assertThat(job.stderr()).as(logs).contains("its MPI_Init has not completed", "Exiting, so");
            assertThat(held).as("the replacement reached the gate\n%s", logs).isPositive();
            HeatJob.awaitGone(held, Duration.ofSeconds(30));
            assertThat(recorder.messages()).as(logs).noneMatch(m -> m instanceof PcmMessage.MigrationDone);
        }
    }
}
