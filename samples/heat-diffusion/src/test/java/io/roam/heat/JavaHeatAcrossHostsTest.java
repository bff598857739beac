package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Java rank moves to the second host (a network namespace, as in
 * {@link HeatMigrationAcrossHostsTest}): its replacement JVM runs in host 2's namespace,
 * registers with host 2's agent, and the final grid equals the C program's.
 */
@Tag("system")
class JavaHeatAcrossHostsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    @Test
    void aJavaRankMovesToTheOtherHostAndTheGridStaysBitExact() throws Exception {
        Mpi.requireMpirun();
        try (TwoHostAgents two = new TwoHostAgents("rjx", dir)) {
            String h1 = two.h1;
            String h2 = two.h2;
            PcmRecorder agent1 = two.agent1;
            PcmRecorder agent2 = two.agent2;
            agent1.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.moves() == 0 && r.rank() == 1) {
                    conn.send(new Migrate(11, h2, 150));
                }
            });
            HeatJob.Spec spec = two.onHosts(HeatJob.spec().java().ranks(4).grid(512, 512).iterations(500));
            byte[] expected = Baselines.cGrid(spec);
            try (HeatJob job = spec.start(dir.resolve("run"))) {
                job.awaitSuccess(TIMEOUT);
                assertThat(job.grid()).as("grid after a Java rank moved to host 2").isEqualTo(expected);
                assertThat(job.logs()).doesNotContain("WARNING in native method", "FATAL ERROR");
                assertThat(job.stderr()).contains("restored at iteration 150");
            }
            assertThat(agent1.messages()).filteredOn(m -> m instanceof Register r && r.moves() == 0)
                    .extracting(m -> ((Register) m).host()).containsOnly(h1).hasSize(4);
            MigrationDone done = agent2.awaitMessage(MigrationDone.class, d -> d.orderId() == 11, TIMEOUT)
                    .as(MigrationDone.class);
            assertThat(done.rank()).isEqualTo(1);
            assertThat(done.sourceHost()).isEqualTo(h1);
            assertThat(agent2.messages()).filteredOn(Register.class::isInstance)
                    .extracting(m -> ((Register) m).host()).containsOnly(h2).hasSize(1);
            assertThat(agent2.messages()).filteredOn(Register.class::isInstance)
                    .extracting(m -> ((Register) m).program()).allMatch(p -> p.endsWith("/bin/java"));
            assertThat(two.host2Netns.values()).hasSize(1).containsOnly(two.hosts.netnsId(1));
        }
    }
}
