package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.roam.agents.cli.RoamCli;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmFrameReader;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.Register;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * The hosts a job was started on, with fake PCM processes on three agents in this JVM: an order
 * to a cluster member outside them is refused by the rank's agent at once, with the reason, and
 * the process never hears of it (nothing is spawned); an order to one of them goes out. And
 * {@code roam run} takes the PCM socket and the job's hosts from the agents.
 */
@Tag("system")
class JobHostsTest {
    @TempDir
    Path dir;

    @Test
    @ResourceLock(Resources.SYSTEM_OUT)
    void aTargetOutsideTheJobsHostsIsRefusedBeforeAnythingIsSpawned() throws Exception {
        var cfg = ConfigFactory.parseString("roam.agent.migration.timeout = 3s\nroam.stealing.enabled = false")
                .withFallback(TestAgents.INVENTED_PIDS);
        try (TestAgents agents = new TestAgents(dir)) {
            Agent h1 = agents.start("h1", "default", "p2p", cfg);
            Agent h2 = agents.start("h2", "default", "p2p", cfg);
            Agent h3 = agents.start("h3", "default", "p2p", cfg);
            for (Agent a : List.of(h1, h2, h3)) {
                AgentClusterTest.awaitNodes(a, 3);
            }
            // roam run (dry run) learns the socket and the hosts from the agents
            String run = roam("run", "--agent", h1.httpUrl(), "--dry-run", "--", "-np", "2", "./app");
            assertThat(run).startsWith("ROAM_AGENT_SOCKET=" + dir.resolve("pcm-%h.sock") + " ROAM_JOB_HOSTS=h1,h2,h3 ")
                    .contains("-x ROAM_AGENT_SOCKET -x ROAM_JOB_HOSTS");
            assertThat(TestAgents.get(h1, "/api/status").get("nodes")).allSatisfy(n ->
                    assertThat(n.get("pcmSocket").asText()).isEqualTo(dir.resolve("pcm-%h.sock").toString()));

            // a job started on h1 and h2 only (h3 joined later, say)
            SocketChannel rank0 = connect(h1, new Register("job-h", 0, 2, 4200, "h1", 0, "heat", 64, "h1,h2"));
            SocketChannel rank1 = connect(h1, new Register("job-h", 1, 2, 4201, "h1", 0, "heat", 64, "h1,h2"));
            PcmFrameReader in0 = new PcmFrameReader(rank0);
            assertThat(in0.read()).isInstanceOf(PcmMessage.Registered.class);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(AgentClusterTest.status(h1).nodes().stream().mapToInt(n -> n.processes().size()).sum())
                            .isEqualTo(2));

            long t0 = System.nanoTime();
            List<JsonNode> refused = TestAgents.post(h2, "/api/migrate?job=job-h&rank=0&to=h3");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused at once, not at the 3 s timeout")
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(refused).hasSize(1);
            assertThat(refused.get(0).get("phase").asText()).isEqualTo("FAILED");
            assertThat(refused.get(0).get("detail").asText()).isEqualTo("h3 is not one of the hosts job job-h was"
                    + " started on (h1, h2): Open MPI 4.1 cannot start a rank outside the hosts mpirun was given, so"
                    + " nothing was spawned; run the job with roam run once the node is in the cluster, to use it;"
                    + " the rank stays on h1");
            rank0.configureBlocking(false);
            assertThat(rank0.read(ByteBuffer.allocate(64))).as("the process heard nothing of it").isZero();
            rank0.configureBlocking(true);

            // an order to one of the job's hosts goes out to the process
            java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    TestAgents.post(h1, "/api/migrate?job=job-h&rank=0&to=h2");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            PcmMessage m;
            do {
                m = in0.read();
            } while (!(m instanceof PcmMessage.Migrate));
            assertThat(((PcmMessage.Migrate) m).targetHost()).isEqualTo("h2");
            rank0.close();
            rank1.close();
        }
    }

    private static String roam(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertThat(RoamCli.execute(args)).as("roam %s", String.join(" ", args)).isZero();
        } finally {
            System.setOut(out);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    private static SocketChannel connect(Agent a, Register r) throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(a.settings().pcmSocket()));
        ch.write(ByteBuffer.wrap(PcmCodec.encode(r)));
        return ch;
    }
}
