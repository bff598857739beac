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
 * The PCM_Store / PCM_Load contract across a real migration: the C program
 * (src/test/c/pcm_restore_prog.c) checks in its replacement every load error, loads out
 * of order, a count-0 entry and a key drained by PCM_Status; this test moves its rank 1.
 */
@Tag("system")
class PcmRestoreContractTest {
    @TempDir
    Path dir;

    @Test
    void aReplacementLoadsWhatWasStoredAndRefusesWrongRequests() throws Exception {
        MpiJob.requireMpirun();
        Path prog = Path.of("target/native/test/pcm_restore_prog").toAbsolutePath();
        assertThat(prog).as("built by make check").isExecutable();
        PcmRecorder agent = new PcmRecorder();
        agent.addHook((conn, msg) -> {
            if (msg instanceof Register r && r.rank() == 1 && r.moves() == 0) {
                conn.send(new Migrate(7, "localhost", 3));
            }
        });
        try (PcmServer server = new PcmServer(dir.resolve("a.sock"), agent, new PcmServer.Options("t", 0)).start()) {
            MpiJob.Result job = MpiJob.run(dir, server.socketPath(), 2, List.of(prog.toString()), 120);
            String out = job.output();
            assertThat(job.exit()).as(out).isZero();
            assertThat(out).contains("restore-check ok rank 1", "drained-check ok").doesNotContain("FAILED");
            MigrationDone done = agent.awaitMessage(MigrationDone.class, d -> d.orderId() == 7,
                    Duration.ofSeconds(10)).as(MigrationDone.class);
            // 100000 doubles + 7 int64 + 0 + 16 chars + 1 int
            assertThat(done.stateBytes()).isEqualTo(100000L * 8 + 7 * 8 + 16 + 4);
        }
    }
}
