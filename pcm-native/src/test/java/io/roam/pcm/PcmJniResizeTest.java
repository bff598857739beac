package io.roam.pcm;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage.ProcessFlags;
import io.roam.pcm.wire.PcmMessage.ResizeDone;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java binding's resize calls in a real resize: {@link JniResizeProgram} under mpirun (2
 * JVMs), grown to 3 (a third JVM joins) and shrunk to 2 by ROAM_PCM_TEST_RESIZE; the sum is
 * the same as without resizes, the world's size is the larger one between begin and end (on
 * rank 0 too, whose world object came from init), and rank 0 reports both resizes to the agent
 * (RESIZE_DONE).
 */
@Tag("system")
class PcmJniResizeTest {
    @TempDir
    Path dir;

    @Test
    void aJavaJobGrowsAndShrinksThroughPcmResize() throws Exception {
        MpiJob.requireMpirun();
        PcmRecorder agent = new PcmRecorder();
        try (PcmServer server = new PcmServer(dir.resolve("a.sock"), agent, new PcmServer.Options("t", 0)).start()) {
            MpiJob.Result job = MpiJob.run(dir, Map.of("ROAM_AGENT_SOCKET", server.socketPath().toString(),
                    "ROAM_PCM_TEST_RESIZE", "50:3;200:2"), 2, List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xcheck:jni",
                    "-Xmx128m", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-cp",
                    location(Pcm.class) + File.pathSeparator + location(PcmServer.class) + File.pathSeparator
                            + location(JniResizeProgram.class),
                    JniResizeProgram.class.getName()), 300);
            String out = job.output();
            assertThat(job.exit()).as(out).isZero();
            long total = JniResizeProgram.TOTAL;
            long expected = total * (total - 1) / 2 + total * JniResizeProgram.ITERATIONS;
            assertThat(out).as(out).contains("jni-resize 2 -> 3 at iteration 50 world 3", "jni-resize joined as rank 2",
                    "jni-resize 3 -> 2 at iteration 200 world 3", "jni-resize sum " + expected + " size 2")
                    .doesNotContain("WARNING in native method", "FATAL ERROR");
            assertThat(agent.messages()).filteredOn(m -> m instanceof ResizeDone).extracting(m -> (ResizeDone) m)
                    .extracting(d -> d.oldSize() + "->" + d.newSize()).containsExactly("2->3", "3->2");
            // PcmResize.declareMalleable: each of the 3 processes (2 started, 1 joined) says so after REGISTER
            assertThat(agent.messages()).filteredOn(m -> m instanceof ProcessFlags f && f.malleable()).hasSize(3);
        }
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
