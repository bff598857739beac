package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.MigrationFailed;
import io.roam.pcm.wire.PcmRecorder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program rebuilt while its job runs: the file at the job's program path is a new one (as
 * make or mpicc leave it), so a new process would run another program. libpcm refuses moves and
 * grows then, with the reason, and the job goes on where it is, bit-exact. Found in the
 * migration stress run: with the sample rebuilt under a running job, a move's spawn of
 * "heat (deleted)" made mpirun abort the whole job.
 */
@Tag("system")
class ProgramReplacedTest {
    private static final Duration BOUND = Duration.ofSeconds(180);
    /**
     * About 0.7 s of 1024 x 512 on two idle cores: the job must still run when its agent has
     * checked its REGISTER (at 64 x 64 it ended first) and when the grow order arrives, with few
     * iterations (600,000 of 64 x 64 took minutes beside a busy loop: each one's halo exchange
     * waits for the other rank's turn).
     */
    private static final int ITERATIONS = 3000;
    private static final int ROWS = 1024;
    private static final int COLS = 512;

    @TempDir
    Path dir;

    /** A copy of a built heat binary that the test may replace. */
    private Path copyOf(String binary) throws Exception {
        Path bin = dir.resolve(binary + "-copy");
        Files.copy(Mpi.heatBinary(binary), bin, StandardCopyOption.COPY_ATTRIBUTES);
        return bin;
    }

    /** What a rebuild does: a new file (another inode) at the path, with the same bytes here. */
    private static void rebuild(Path bin) throws Exception {
        Path fresh = bin.resolveSibling(bin.getFileName() + ".new");
        Files.copy(bin, fresh, StandardCopyOption.COPY_ATTRIBUTES);
        Files.move(fresh, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static byte[] baseline(int iterations) throws Exception {
        return Baselines.grid(HeatJob.spec().binary("heat-nopcm").ranks(2).grid(ROWS, COLS).iterations(iterations));
    }

    private static MigrationFailed failed(PcmRecorder recorder, long orderId) throws InterruptedException {
        return recorder.awaitMessage(MigrationFailed.class, f -> f.orderId() == orderId, BOUND)
                .as(MigrationFailed.class);
    }

    @Test
    void aMoveAndAGrowOrderedAfterTheRebuildAreRefusedWhenTheyArrive() throws Exception {
        Mpi.requireMpirun();
        Path bin = copyOf("heat");
        try (MovingAgent agent = MovingAgent.movingRank1(dir, 1, 0, () -> rebuild(bin))) {
            PcmRecorder recorder = agent.recorder();
            HeatJob.Spec spec = HeatJob.spec().binary(bin.toString()).ranks(2).grid(ROWS, COLS)
                    .iterations(ITERATIONS).agent(agent.socketPath());
            try (HeatJob job = spec.start(dir.resolve("arrival"))) {
                MigrationFailed move = failed(recorder, 1);
                // then a grow, through rank 0 (registered by now, or soon: the ranks register in any order)
                await().atMost(BOUND).until(() -> recorder.connectionFor(0).isPresent() || !job.isRunning());
                recorder.connectionFor(0).orElseThrow().send(new PcmMessage.Resize(2, 3, "", 0));
                MigrationFailed grow = failed(recorder, 2);
                job.awaitSuccess(BOUND);
                String logs = job.logs();
                assertThat(move.message()).as(logs).contains(bin.toString(),
                        "was replaced since this process started", "moves are refused");
                assertThat(grow.message()).as(logs).contains(bin.toString(), "grows are refused");
                assertThat(job.stdout()).as(logs).contains("ranks 2 ");
                assertThat(job.grid()).as("bit-exact, nothing moved\n%s", logs).isEqualTo(baseline(ITERATIONS));
                assertThat(recorder.messages()).noneMatch(m -> m instanceof PcmMessage.MigrationDone);
            }
        }
    }

    /** Replaced between the order's arrival and the spawn (held at the test gate "spawn"): checked again there. */
    @Test
    void aRebuildDuringTheMoveStopsItBeforeTheSpawn() throws Exception {
        Mpi.requireMpirun();
        Path bin = copyOf("heat-gates");
        Path gates = Files.createDirectories(dir.resolve("gates"));
        Files.writeString(gates.resolve("spawn"), "");
        try (MovingAgent agent = MovingAgent.movingRank1(dir, 1, 0)) {
            HeatJob.Spec spec = HeatJob.spec().binary(bin.toString()).ranks(2).grid(ROWS, COLS)
                    .iterations(ITERATIONS).env("ROAM_PCM_TEST_GATE", gates.toString()).agent(agent.socketPath());
            try (HeatJob job = spec.start(dir.resolve("spawn"))) {
                await().atMost(BOUND).until(() -> Files.exists(gates.resolve("spawn.reached")) || !job.isRunning());
                rebuild(bin);
                Files.delete(gates.resolve("spawn"));
                MigrationFailed move = failed(agent.recorder(), 1);
                job.awaitSuccess(BOUND);
                String logs = job.logs();
                assertThat(move.message()).as(logs).contains("was replaced since this process started");
                assertThat(job.grid()).as("bit-exact, nothing moved\n%s", logs).isEqualTo(baseline(ITERATIONS));
                assertThat(agent.recorder().messages()).noneMatch(m -> m instanceof PcmMessage.MigrationDone);
            }
        }
    }
}
