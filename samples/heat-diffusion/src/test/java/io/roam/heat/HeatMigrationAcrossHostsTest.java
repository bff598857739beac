package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmRecorder;
import io.roam.pcm.wire.PcmServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts (network namespaces with their own addresses, MPI launched across them by an
 * rsh agent), one agent socket per host: ranks started on host 1 move to host 2, their
 * replacements really run in host 2's namespace and report to host 2's agent, and the
 * grid stays bit-exact.
 */
class HeatMigrationAcrossHostsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void ranksMoveToTheOtherHostAndTheGridStaysBitExact() throws Exception {
        Mpi.requireMpirun();
        try (NetnsHosts hosts = NetnsHosts.create("rhx", 2, dir)) {
            String h1 = hosts.addresses.get(0);
            String h2 = hosts.addresses.get(1);
            PcmRecorder agent1 = new PcmRecorder();
            PcmRecorder agent2 = new PcmRecorder();
            Map<Long, String> replacementNetns = new ConcurrentHashMap<>();
            agent1.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.moves() == 0 && (r.rank() == 2 || r.rank() == 0)) {
                    conn.send(new Migrate(r.rank() + 1, h2, r.rank() == 2 ? 100 : 300));
                }
            });
            agent2.addHook((conn, msg) -> {
                if (msg instanceof Register r) {
                    replacementNetns.put(r.pid(), NetnsHosts.netnsOf(r.pid()));
                }
            });
            String socket = dir.resolve("agent-%h.sock").toString();
            try (PcmServer s1 = new PcmServer(Path.of(socket.replace("%h", h1)), agent1,
                         new PcmServer.Options("agent-h1", 0)).start();
                 PcmServer s2 = new PcmServer(Path.of(socket.replace("%h", h2)), agent2,
                         new PcmServer.Options("agent-h2", 0)).start()) {
                HeatJob.Spec spec = HeatJob.spec().ranks(4).grid(512, 512).iterations(500)
                        .env("ROAM_AGENT_SOCKET", socket)
                        .launcherEnv("ROAM_HOST", h1)
                        .prefix(hosts.exec(0).toArray(String[]::new))
                        .mpiArgs(hosts.mpiArgs(hosts.hostfile(dir, 4)));
                spec.agentSocket = socket;
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
                assertThat(replacementNetns.values()).hasSize(2).containsOnly(hosts.netnsId(1));
            }
        }
    }
}
