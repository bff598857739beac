package io.roam.pcm;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java binding across a real migration: {@link JniContractProgram} under mpirun (2 JVMs
 * with {@code -Xcheck:jni}, the binding loaded from the jar's layout in target/classes), rank 1
 * moved by this test's agent. Its replacement is a JVM that loads every stored kind of state,
 * gets the right exception for each wrong load, and both ranks run the JNI layer under load
 * (several threads at once) before and after the move.
 */
@Tag("system")
class PcmJniMigrationTest {
    @TempDir
    Path dir;

    @Test
    void aJavaReplacementLoadsItsStateRefusesWrongLoadsAndSurvivesConcurrentCalls() throws Exception {
        MpiJob.requireMpirun();
        PcmRecorder agent = new PcmRecorder();
        agent.addHook((conn, msg) -> {
            if (msg instanceof Register r && r.rank() == 1 && r.moves() == 0) {
                conn.send(new Migrate(9, "localhost", 3));
            }
        });
        try (PcmServer server = new PcmServer(dir.resolve("a.sock"), agent, new PcmServer.Options("t", 0)).start()) {
            MpiJob.Result job = MpiJob.run(dir, server.socketPath(), 2, List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xcheck:jni",
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-cp",
                    location(Pcm.class) + File.pathSeparator + location(PcmServer.class) + File.pathSeparator
                            + location(JniContractProgram.class),
                    JniContractProgram.class.getName()), 180);
            String out = job.output();
            assertThat(job.exit()).as(out).isZero();
            assertThat(out).as(out).contains("jni-restore ok rank 1", "jni-contract done rank 0",
                    "jni-contract done rank 1", "jni-stress ok rank 0 phase 0", "jni-stress ok rank 1 phase 0",
                    "jni-stress ok rank 0 phase 6", "jni-stress ok rank 1 phase 6")
                    .doesNotContain("FAILED", "WARNING in native method", "FATAL ERROR");
            MigrationDone done = agent.awaitMessage(MigrationDone.class, d -> d.orderId() == 9,
                    Duration.ofSeconds(10)).as(MigrationDone.class);
            // iteration + grid + ints + longs + bytes + direct buffer + empty
            assertThat(done.stateBytes()).isEqualTo(4 + 100_000L * 8 + 7 * 4 + 5 * 8 + 33 + 1000);
            assertThat(agent.messages()).anyMatch(m -> m instanceof Register r && r.rank() == 1 && r.moves() == 1
                    && r.program().endsWith("/bin/java"));
        }
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
