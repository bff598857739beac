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
 * Two hosts (network namespaces with their own addresses, MPI launched across them by an
 * rsh agent), one agent socket per host: ranks started on host 1 move to host 2, their
 * replacements really run in host 2's namespace and report to host 2's agent, and the
 * grid stays bit-exact.
 */
@Tag("system")
class HeatMigrationAcrossHostsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void ranksMoveToTheOtherHostAndTheGridStaysBitExact() throws Exception {
        Mpi.requireMpirun();
        try (TwoHostAgents two = new TwoHostAgents("rhx", dir)) {
            String h1 = two.h1;
            String h2 = two.h2;
            PcmRecorder agent1 = two.agent1;
            PcmRecorder agent2 = two.agent2;
            agent1.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.moves() == 0 && (r.rank() == 2 || r.rank() == 0)) {
                    conn.send(new Migrate(r.rank() + 1, h2, r.rank() == 2 ? 100 : 300));
                }
            });
            HeatJob.Spec spec = two.onHosts(HeatJob.spec().ranks(4).grid(512, 512).iterations(500));
            byte[] expected = Baselines.grid(HeatJob.spec().ranks(4).grid(512, 512).iterations(500));
            try (HeatJob job = spec.start(dir.resolve("run"))) {
                job.awaitSuccess(TIMEOUT);
                assertThat(job.grid()).as("grid after two moves to host 2").isEqualTo(expected);
            }
            // all four ranks started on host 1 and registered there
            assertThat(agent1.messages()).filteredOn(m -> m instanceof Register r && r.moves() == 0)
                    .extracting(m -> ((Register) m).host()).containsOnly(h1).hasSize(4);
            // the two replacements registered with host 2's agent, from host 2's namespace
            MigrationDone d2 = agent2.awaitMessage(MigrationDone.class, d -> d.rank() == 2, TIMEOUT)
                    .as(MigrationDone.class);
            MigrationDone d0 = agent2.awaitMessage(MigrationDone.class, d -> d.rank() == 0, TIMEOUT)
                    .as(MigrationDone.class);
            assertThat(d2.sourceHost()).isEqualTo(h1);
            assertThat(d0.sourceHost()).isEqualTo(h1);
            assertThat(agent2.messages()).filteredOn(Register.class::isInstance)
                    .extracting(m -> ((Register) m).host()).containsOnly(h2).hasSize(2);
            assertThat(two.host2Netns.values()).hasSize(2).containsOnly(two.hosts.netnsId(1));
        }
    }
}
