package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java ranks ({@link JavaHeat} over the JNI binding, JVMs under mpirun with
 * {@code -Xcheck:jni}) migrate like C ranks: two moves ordered through the agent socket, each
 * replacement a new JVM started with the same command line, and the final grid bit-exact with a
 * Java run without migration and with the C program's grid.
 */
@Tag("system")
class JavaHeatMigrationTest {
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(180);
    private static final Pattern RESULT = Pattern.compile("checksum ([0-9a-f]{16}) sum (\\S+)");

    @TempDir
    Path dir;

    private PcmServer server;
    private PcmRecorder recorder;

    @BeforeEach
    void startServer() throws Exception {
        Mpi.requireMpirun();
        recorder = new PcmRecorder();
        server = new PcmServer(dir.resolve("agent.sock"), recorder, new PcmServer.Options("test-agent", 0)).start();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private void orderWhenRegistered(long id, long rank, String host, long atIteration) {
        recorder.addHook((conn, msg) -> {
            if (msg instanceof Register r && r.rank() == rank && r.moves() == 0) {
                conn.send(new Migrate(id, host, atIteration));
            }
        });
    }

    @Test
    void fourJavaRanksMoveTwiceAndTheGridEqualsJavaAndC() throws Exception {
        HeatJob.Spec spec = HeatJob.spec().java().ranks(4).grid(512, 512).iterations(500).agent(server.socketPath());
        byte[] c = Baselines.cGrid(spec);
        byte[] java = Baselines.grid(spec);
        assertThat(java).as("Java without migration = C").isEqualTo(c);
        orderWhenRegistered(1, 2, "localhost", 100);
        orderWhenRegistered(2, 0, "localhost", 300);
        try (HeatJob job = spec.start(dir.resolve("run"))) {
            job.awaitSuccess(JOB_TIMEOUT);
            assertThat(job.grid()).as("final grid after two migrations of Java ranks").isEqualTo(c);
            MigrationDone d1 = recorder.awaitMessage(MigrationDone.class, d -> d.orderId() == 1, JOB_TIMEOUT)
                    .as(MigrationDone.class);
            MigrationDone d2 = recorder.awaitMessage(MigrationDone.class, d -> d.orderId() == 2, JOB_TIMEOUT)
                    .as(MigrationDone.class);
            assertThat(d1.rank()).isEqualTo(2);
            assertThat(d2.rank()).isEqualTo(0);
            // 500 iterations' grid of rank 2 (128 + 2 rows of 514), the iteration and t0
            assertThat(d1.stateBytes()).isEqualTo(130L * 514 * 8 + 4 + 8);
            List<Register> replacements = recorder.messages().stream()
                    .filter(m -> m instanceof Register r && r.moves() == 1).map(Register.class::cast).toList();
            assertThat(replacements).extracting(Register::rank).containsExactlyInAnyOrder(2L, 0L);
            assertThat(replacements).extracting(Register::pid).doesNotContain(d1.sourcePid(), d2.sourcePid());
            // the replacement is a JVM, started with the JVM's own command line
            assertThat(replacements).extracting(Register::program).allMatch(p -> p.endsWith("/bin/java"));
            for (MigrationDone d : List.of(d1, d2)) {
                assertThat(d.tOrder()).isLessThanOrEqualTo(d.tDecided());
                assertThat(d.tSpawned()).isLessThanOrEqualTo(d.tMerged());
                assertThat(d.tTransferred()).isLessThanOrEqualTo(d.tResumed());
            }
            assertThat(job.stderr()).contains("restored at iteration 100", "restored at iteration 300");
            assertThat(job.logs()).doesNotContain("WARNING in native method", "FATAL ERROR", "Exception in thread");
            // the same result line as the C program: checksum and sum
            assertThat(result(job.stdout())).isEqualTo(result(cRun(spec)));
        }
    }

    /**
     * The Java sample is malleable as heat.c is: grown 2 -> 4 (two new JVMs join) and shrunk
     * 4 -> 3 (uneven rows) by ROAM_PCM_TEST_RESIZE, its rows moved by
     * PcmResize.redistributeRows; the grid equals the C program's on 2 ranks without Roam.
     */
    @Test
    void javaRanksGrowAndShrinkAndTheGridEqualsC() throws Exception {
        HeatJob.Spec spec = HeatJob.spec().java().ranks(2).grid(203, 96).iterations(600).agent(server.socketPath())
                .env("ROAM_PCM_TEST_RESIZE", "100:4;300:3");
        byte[] c = Baselines.grid(HeatJob.spec().binary("heat-nopcm").ranks(2).grid(203, 96).iterations(600));
        try (HeatJob job = spec.start(dir.resolve("resize"))) {
            job.awaitSuccess(JOB_TIMEOUT);
            assertThat(job.stderr()).as(job.logs()).contains("resized 2 -> 4 ranks at iteration 100",
                    "resized 4 -> 3 ranks at iteration 300");
            assertThat(job.stdout()).contains("ranks 3 ");
            assertThat(job.logs()).doesNotContain("WARNING in native method", "FATAL ERROR", "Exception in thread");
            assertThat(job.grid()).as("grid after 2 -> 4 -> 3 of Java ranks").isEqualTo(c);
        }
    }

    private String cRun(HeatJob.Spec shape) throws Exception {
        try (HeatJob c = HeatJob.spec().ranks(shape.ranks).grid(shape.rows, shape.cols).iterations(shape.iterations)
                .start(dir.resolve("c"))) {
            return c.awaitSuccess(JOB_TIMEOUT).stdout();
        }
    }

    private static String result(String stdout) {
        Matcher m = RESULT.matcher(stdout);
        assertThat(m.find()).as("result line in %s", stdout).isTrue();
        return m.group(0);
    }
}
