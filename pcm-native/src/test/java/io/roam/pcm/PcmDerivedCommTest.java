package io.roam.pcm;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MPI_COMM_WORLD and derived communicators across a real migration (the mapping on, as by
 * default): src/test/c/pcm_derived_prog.c uses MPI_COMM_WORLD only and derives a duplicate,
 * a Cartesian ring and a split from it. After the move of rank 1, the replacement's
 * MPI_COMM_WORLD is the job's world (rank 1 of 3); in the ranks that stayed, the
 * communicators derived before the move hold the departed process (MPI_UNEQUAL to
 * MPI_COMM_WORLD) until the program derives them again, which is the program's job.
 */
@Tag("system")
class PcmDerivedCommTest {
    @TempDir
    Path dir;

    @Test
    void worldIsMappedAndDerivedCommunicatorsAreDerivedAgainByTheProgram() throws Exception {
        MpiJob.requireMpirun();
        Path prog = Path.of("target/native/test/pcm_derived_prog").toAbsolutePath();
        assertThat(prog).as("built by make check").isExecutable();
        PcmRecorder agent = new PcmRecorder();
        agent.addHook((conn, msg) -> {
            if (msg instanceof Register r && r.rank() == 1 && r.moves() == 0) {
                conn.send(new Migrate(11, "localhost", 3));
            }
        });
        try (PcmServer server = new PcmServer(dir.resolve("a.sock"), agent, new PcmServer.Options("t", 0)).start()) {
            MpiJob.Result job = MpiJob.run(dir, server.socketPath(), 3, List.of(prog.toString()), 120);
            String out = job.output();
            assertThat(job.exit()).as(out).isZero();
            assertThat(out).doesNotContain("FAILED")
                    .contains("world-check ok rank 1 size 3 moves 1", "stale-check ok rank 0", "stale-check ok rank 2",
                            "derived-check ok rank 0", "derived-check ok rank 1", "derived-check ok rank 2");
            MigrationDone done = agent.awaitMessage(MigrationDone.class, d -> d.orderId() == 11,
                    Duration.ofSeconds(10)).as(MigrationDone.class);
            assertThat(done.rank()).isEqualTo(1);
        }
    }
}
