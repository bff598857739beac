package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmMessage.Register;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drain that cannot finish (its process never answers the migration order): the rank is
 * reported with the reason and left where it was, registered and running; roam stop then
 * stops the agent anyway, and the process is still alive.
 */
class AgentDrainTest {

    @TempDir
    Path dir;


    @Test
    void aRankThatCannotMoveIsReportedAndKeepsRunningAndStopStillStops() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        var quick = ConfigFactory.parseString("roam.agent.migration.timeout = 2s\nroam.stealing.enabled = false\n"
                + "roam.agent.drain.deadline = 20s");
        try (TestAgents agents = new TestAgents(dir);
             SocketChannel pcm = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Agent h1 = agents.start("h1", "default", "p2p", quick);
            Agent h2 = agents.start("h2", "default", "p2p", quick);
            for (Agent a : List.of(h1, h2)) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(AgentClusterTest.status(a).nodes())
                        .hasSize(2).allMatch(ClusterQueries.NodeView::reachable));
            }
            pcm.connect(UnixDomainSocketAddress.of(h1.settings().pcmSocket()));
            pcm.write(ByteBuffer.wrap(PcmCodec.encode(new Register("job-a", 0, 1, sleeper.pid(), "h1", 0, "sleep", 0))));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(AgentClusterTest.status(h1).nodes().get(0).processes()).hasSize(1));

            List<JsonNode> events = TestAgents.post(h2, "/api/drain?node=h1&deadline=10s");

            assertThat(events).as(events.toString()).extracting(e -> e.get("type").asText()).startsWith("INFO", "PLAN")
                    .endsWith("FINISHED");
            assertThat(events.get(1).get("target").asText()).isEqualTo("h2");
            assertThat(events).filteredOn(e -> e.get("type").asText().equals("MIGRATION"))
                    .extracting(e -> e.get("phase").asText()).contains("ACCEPTED", "ORDERED").endsWith("FAILED");
            JsonNode last = events.get(events.size() - 1);
            assertThat(last.get("moved")).isEmpty();
            assertThat(last.get("notMoved").get("job job-a rank 0").asText()).contains("no replacement reported");
            // left where it was: registered, alive, and its node still drained
            ClusterQueries.NodeView node = AgentClusterTest.status(h1).nodes().get(0);
            assertThat(node.processes()).extracting(p -> p.pid()).containsExactly(sleeper.pid());
            assertThat(node.drained()).isTrue();
            assertThat(sleeper.isAlive()).isTrue();

            // roam stop: the same drain (it fails the same way), then the agent stops anyway
            List<JsonNode> stop = TestAgents.post(h2, "/api/stop?node=h1&deadline=5s");
            assertThat(stop.get(stop.size() - 1).get("notMoved").size()).isEqualTo(1);
            h1.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(h1.stopRequest()).hasValueSatisfying(r -> assertThat(r).startsWith("roam stop"));
            assertThat(sleeper.isAlive()).isTrue();
        } finally {
            sleeper.destroyForcibly();
        }
    }
}
