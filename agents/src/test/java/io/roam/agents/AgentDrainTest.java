package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmFrameReader;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.protocol.AgentMessage.ProcessInfo;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A drain that cannot finish (its process never answers the migration order): the rank is
 * reported with the reason and left where it was, registered and running; roam stop then
 * stops the agent anyway, and the process is still alive. A drain that meets a migration
 * already under way from its node (a steal, here a roam migrate order, which the agent
 * carries out the same way) waits for it, then moves what is left: the node ends empty.
 * Fake PCM processes on two agents in this JVM; the test, not a clock, decides when each
 * move ends.
 */
@Tag("system")
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
            h1.stopped().get(60, TimeUnit.SECONDS);
            assertThat(h1.stopRequest()).hasValueSatisfying(r -> assertThat(r).startsWith("roam stop"));
            assertThat(sleeper.isAlive()).isTrue();
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aDrainThatMeetsAMigrationUnderWayWaitsForItThenMovesWhatIsLeft() throws Exception {
        var config = ConfigFactory.parseString("roam.agent.migration.timeout = 60s\nroam.stealing.enabled = false\n"
                + "roam.agent.drain.deadline = 120s\nroam.agent.slots = 4").withFallback(TestAgents.INVENTED_PIDS);
        try (TestAgents agents = new TestAgents(dir)) {
            Agent h1 = agents.start("h1", "default", "p2p", config);
            Agent h2 = agents.start("h2", "default", "p2p", config);
            AgentClusterTest.awaitNodes(h1, 2);
            AgentClusterTest.awaitNodes(h2, 2);
            SocketChannel rank0 = connect(h1, new Register("job-d", 0, 2, 4200, "h1", 0, "heat", 64));
            SocketChannel rank1 = connect(h1, new Register("job-d", 1, 2, 4201, "h1", 0, "heat", 64));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(node(h2, "h1").processes()).hasSize(2));

            // rank 0 is on its way to h2: its process has the order and has started
            CompletableFuture<List<JsonNode>> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return TestAgents.post(h1, "/api/migrate?job=job-d&rank=0&to=h2");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long order0 = awaitOrder(rank0);
            rank0.write(ByteBuffer.wrap(PcmCodec.encode(new PcmMessage.MigrationStarted(order0, 10))));

            // the drain of h1 starts meanwhile; it must wait, not order rank 0 (or rank 1 of the same job) now
            BlockingQueue<JsonNode> drain = stream(h2, "/api/drain?node=h1");
            JsonNode waiting = awaitEvent(drain, e -> e.get("detail").asText().startsWith("waiting for the migration"));
            assertThat(waiting.get("detail").asText()).contains("job job-d rank 0 -> h2", "order " + order0);

            // the move under way ends; then the drain plans again and moves rank 1
            SocketChannel replacement0 = finishMove(rank0, h2, "job-d", 0, 2, 4200, order0);
            assertThat(first.get(30, TimeUnit.SECONDS)).last().satisfies(e ->
                    assertThat(e.get("phase").asText()).isEqualTo("DONE"));
            long order1 = awaitOrder(rank1);
            SocketChannel replacement1 = finishMove(rank1, h2, "job-d", 1, 2, 4201, order1);
            JsonNode last = awaitEvent(drain, e -> e.get("type").asText().equals("FINISHED"));

            assertThat(last.get("notMoved")).as(last.toString()).isEmpty();
            assertThat(last.get("moved").toString()).contains("job job-d rank 1 -> h2");
            assertThat(node(h2, "h1").processes()).as("the drained node").isEmpty();
            assertThat(node(h2, "h2").processes()).extracting(ProcessInfo::rank, ProcessInfo::moves)
                    .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(0, 1),
                            org.assertj.core.groups.Tuple.tuple(1, 1));
            replacement0.close();
            replacement1.close();
        }
    }

    @Test
    void aMoveOfTheDrainRefusedBecauseAStealStartedMeanwhileIsPlannedAgainAfterIt() throws Exception {
        var config = ConfigFactory.parseString("roam.agent.migration.timeout = 60s\nroam.stealing.enabled = false\n"
                + "roam.agent.drain.deadline = 120s\nroam.agent.slots = 4").withFallback(TestAgents.INVENTED_PIDS);
        try (TestAgents agents = new TestAgents(dir)) {
            Agent h1 = agents.start("h1", "default", "p2p", config);
            Agent h2 = agents.start("h2", "default", "p2p", config);
            AgentClusterTest.awaitNodes(h1, 2);
            AgentClusterTest.awaitNodes(h2, 2);
            SocketChannel a0 = connect(h1, new Register("job-a", 0, 1, 4300, "h1", 0, "heat", 64));
            SocketChannel b0 = connect(h1, new Register("job-b", 0, 1, 4301, "h1", 0, "heat", 64));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(node(h2, "h1").processes()).hasSize(2));

            // the drain moves job-a rank 0 first (job, then rank order)
            BlockingQueue<JsonNode> drain = stream(h2, "/api/drain?node=h1");
            long orderA = awaitOrder(a0);
            // meanwhile a steal (here roam migrate) takes job-b rank 0, the drain's next move
            CompletableFuture<List<JsonNode>> steal = CompletableFuture.supplyAsync(() -> {
                try {
                    return TestAgents.post(h1, "/api/migrate?job=job-b&rank=0&to=h2");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long orderB = awaitOrder(b0);
            SocketChannel replacementA = finishMove(a0, h2, "job-a", 0, 1, 4300, orderA);
            // the drain's order for job-b rank 0 is refused: it waits for the steal instead of giving up
            JsonNode waiting = awaitEvent(drain, e -> e.get("detail").asText().startsWith("waiting for the migration"));
            assertThat(waiting.get("detail").asText()).contains("job job-b rank 0 -> h2", "order " + orderB);
            SocketChannel replacementB = finishMove(b0, h2, "job-b", 0, 1, 4301, orderB);
            assertThat(steal.get(30, TimeUnit.SECONDS)).last().satisfies(e ->
                    assertThat(e.get("phase").asText()).isEqualTo("DONE"));
            JsonNode last = awaitEvent(drain, e -> e.get("type").asText().equals("FINISHED"));

            assertThat(last.get("notMoved")).as(last.toString()).isEmpty();
            assertThat(last.get("moved").toString()).contains("job job-a rank 0 -> h2");
            assertThat(node(h2, "h1").processes()).as("the drained node").isEmpty();
            assertThat(node(h2, "h2").processes()).extracting(ProcessInfo::jobId)
                    .containsExactlyInAnyOrder("job-a", "job-b");
            replacementA.close();
            replacementB.close();
        }
    }

    private static ClusterQueries.NodeView node(Agent via, String host) throws Exception {
        return AgentClusterTest.status(via).nodes().stream().filter(n -> n.node().host().equals(host)).findFirst()
                .orElseThrow();
    }

    private static SocketChannel connect(Agent a, Register r) throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(a.settings().pcmSocket()));
        ch.write(ByteBuffer.wrap(PcmCodec.encode(r)));
        return ch;
    }

    /** The id of the next migration order the process of {@code ch} receives (at most 30 s). */
    private static long awaitOrder(SocketChannel ch) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                PcmFrameReader in = new PcmFrameReader(ch);
                PcmMessage m;
                do {
                    m = in.read();
                } while (!(m instanceof PcmMessage.Migrate));
                return ((PcmMessage.Migrate) m).orderId();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).get(30, TimeUnit.SECONDS);
    }

    /** Ends a move as libpcm does: the replacement registers on the target and reports, the old process leaves. */
    private static SocketChannel finishMove(SocketChannel old, Agent target, String job, int rank, int size,
                                            long oldPid, long order) throws Exception {
        SocketChannel replacement = connect(target, new Register(job, rank, size, oldPid + 100, "h2", 1, "heat", 64));
        long t = System.currentTimeMillis() * 1_000_000L;
        replacement.write(ByteBuffer.wrap(PcmCodec.encode(new PcmMessage.MigrationDone(order, job, rank, "h1", oldPid,
                64, t, t + 1, t + 2, t + 3, t + 4, t + 5))));
        old.write(ByteBuffer.wrap(PcmCodec.encode(new PcmMessage.Bye(PcmMessage.Bye.Reason.MIGRATED))));
        old.close();
        return replacement;
    }

    /** A control API route's JSON lines as the agent streams them, each as soon as it comes. */
    private static BlockingQueue<JsonNode> stream(Agent via, String query) {
        BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        ObjectMapper json = new ObjectMapper();
        HttpRequest request;
        try {
            request = TestAgents.acting(via, query).build();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        HttpClient.newHttpClient().sendAsync(request, HttpResponse.BodyHandlers.ofLines())
                .thenAcceptAsync(r -> r.body().filter(l -> !l.isBlank()).forEach(l -> {
                    try {
                        events.add(json.readTree(l));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                }));
        return events;
    }

    /** The first event matching {@code what}; fails on the drain's last event, or after 60 s. */
    private static JsonNode awaitEvent(BlockingQueue<JsonNode> events, Predicate<JsonNode> what) throws Exception {
        List<JsonNode> seen = new java.util.ArrayList<>();
        while (true) {
            JsonNode e = events.poll(60, TimeUnit.SECONDS);
            assertThat(e).as("the awaited event after %s", seen).isNotNull();
            seen.add(e);
            if (what.test(e)) {
                return e;
            }
            assertThat(e.get("type").asText()).as("the drain ended before the awaited event: %s", seen)
                    .isNotIn("FINISHED", "REFUSED");
        }
    }
}
