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
 * A Java rank moves to the second host (a network namespace, as in
 * {@link HeatMigrationAcrossHostsTest}): its replacement JVM runs in host 2's namespace,
 * registers with host 2's agent, and the final grid equals the C program's.
 */
class JavaHeatAcrossHostsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    Path dir;

    @Test
    void aJavaRankMovesToTheOtherHostAndTheGridStaysBitExact() throws Exception {
        Mpi.requireMpirun();
        try (NetnsHosts hosts = NetnsHosts.create("rjx", 2, dir)) {
            String h1 = hosts.addresses.get(0);
            String h2 = hosts.addresses.get(1);
            PcmRecorder agent1 = new PcmRecorder();
            PcmRecorder agent2 = new PcmRecorder();
            Map<Long, String> replacementNetns = new ConcurrentHashMap<>();
            agent1.addHook((conn, msg) -> {
                if (msg instanceof Register r && r.moves() == 0 && r.rank() == 1) {
                    conn.send(new Migrate(11, h2, 150));
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
                HeatJob.Spec spec = HeatJob.spec().java().ranks(4).grid(512, 512).iterations(500)
                        .env("ROAM_AGENT_SOCKET", socket)
                        .launcherEnv("ROAM_HOST", h1)
                        .prefix("ip", "netns", "exec", hosts.namespaces.get(0))
                        .mpiArgs(hosts.mpiArgs(hosts.hostfile(dir, 4)));
                spec.agentSocket = socket;
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
                assertThat(replacementNetns.values()).hasSize(1).containsOnly(hosts.netnsId(1));
            }
        }
    }
}
