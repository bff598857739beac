package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage.Bye;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmMessage.Resize;
import io.roam.pcm.wire.PcmMessage.ResizeDone;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resize orders over the agent socket (the RESIZE frame, 13): a test agent grows heat from 2
 * to 4 processes when rank 0 registers, and shrinks it to 3 when the new rank 3 registers
 * (its own order: it leaves). An order takes effect at the first PCM_Status at or after its
 * iteration that finds it read from the socket. The joiners register as ranks 2 and 3, the leaver says BYE
 * (reason MIGRATED, as a departed process), rank 0 reports each resize (RESIZE_DONE with its
 * phase times), and the grid equals heat-nopcm's.
 */
@Tag("system")
class HeatResizeOrderTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(600);

    @TempDir
    Path dir;

    @Test
    void theAgentGrowsAndShrinksTheJobOverThePcmSocket() throws Exception {
        Mpi.requireMpirun();
        PcmRecorder recorder = new PcmRecorder();
        try (PcmServer server = new PcmServer(dir.resolve("agent.sock"), recorder,
                new PcmServer.Options("test-agent", 0)).start()) {
            recorder.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.rank() == 0 && r.size() == 2) {
                    conn.send(new Resize(1, 4, "localhost,localhost", 50));
                } else if (msg instanceof Register r && r.rank() == 3) {
                    conn.send(new Resize(2, 3, "", 400));
                }
            });
            HeatJob.Spec shape = HeatJob.spec().ranks(2).grid(128, 128).iterations(5000)
                    .mpiArgs("--mca", "mpi_yield_when_idle", "1");   // 4 ranks on 2 busy cores
            byte[] expected = Baselines.grid(HeatJob.spec().binary("heat-nopcm").ranks(2).grid(128, 128)
                    .iterations(5000));
            try (HeatJob job = shape.agent(server.socketPath()).start(dir.resolve("run"))) {
                job.awaitSuccess(TIMEOUT);
                assertThat(job.stderr()).contains("resized 2 -> 4 ranks at iteration ", "resized 4 -> 3 ranks at iteration ");
                assertThat(job.stdout()).contains("ranks 3 ");
                assertThat(job.grid()).as("grid after 2 -> 4 -> 3").isEqualTo(expected);
            }
            assertThat(recorder.messages()).filteredOn(m -> m instanceof Register r && r.rank() >= 2)
                    .extracting(m -> ((Register) m).rank()).containsExactlyInAnyOrder(2L, 3L);
            assertThat(recorder.messages()).filteredOn(m -> m instanceof Bye b && b.reason() == Bye.Reason.MIGRATED)
                    .hasSize(1);
            // rank 0 reports each resize with libpcm's phase times (RESIZE_DONE, frame 14)
            List<ResizeDone> done = recorder.messages().stream().filter(m -> m instanceof ResizeDone)
                    .map(m -> (ResizeDone) m).toList();
            assertThat(done).extracting(d -> d.orderId() + ":" + d.oldSize() + "->" + d.newSize())
                    .containsExactly("1:2->4", "2:4->3");
            assertThat(done).allSatisfy(d -> {
                assertThat(d.jobId()).isNotEmpty();
                assertThat(d.tOrder()).isPositive();
                assertThat(d.worldNs()).isPositive();
                assertThat(d.totalNs()).isGreaterThanOrEqualTo(d.spawnNs() + d.worldNs() + d.redistributeNs());
            });
            assertThat(done.get(0).spawnNs()).as("the grow's spawn").isPositive();
            assertThat(done.get(0).redistributeNs()).as("heat moves its rows").isPositive();
            assertThat(done.get(1).spawnNs()).as("a shrink spawns nothing").isZero();
        }
    }
}
