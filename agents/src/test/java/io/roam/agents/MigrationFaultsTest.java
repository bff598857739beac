package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmFrameReader;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.Register;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration orders meeting faults, with fake PCM processes on two agents in this JVM:
 * an order for a rank whose process has exited, and for a job that has finished, are
 * refused with the reason; a process that says BYE(migrated) while the target agent never
 * confirms the arrival (it died, or restarted and forgot the order) is reported DONE
 * unconfirmed, not FAILED (the rank has moved: reporting it failed invited a second move).
 * The end-to-end faults are in samples/heat-diffusion's FaultsTest.
 */
@Tag("system")
class MigrationFaultsTest {

    @TempDir
    Path dir;

    @Test
    void exitedRanksAndFinishedJobsAreRefusedAndAnUnconfirmedDepartureIsDone() throws Exception {
        var quick = ConfigFactory.parseString("roam.agent.migration.timeout = 3s\nroam.stealing.enabled = false")
                .withFallback(TestAgents.INVENTED_PIDS);
        try (TestAgents agents = new TestAgents(dir)) {
            Agent h1 = agents.start("h1", "default", "p2p", quick);
            Agent h2 = agents.start("h2", "default", "p2p", quick);
            AgentClusterTest.awaitNodes(h1, 2);
            AgentClusterTest.awaitNodes(h2, 2);
            SocketChannel rank0 = connect(h1, new Register("job-a", 0, 2, 4000, "h1", 0, "heat", 64));
            SocketChannel rank1 = connect(h1, new Register("job-a", 1, 2, 4001, "h1", 0, "heat", 64));
            awaitProcesses(h1, 2);

            // rank 1's process exits: an order for it is refused, naming the ranks that run
            rank1.close();
            awaitProcesses(h1, 1);
            List<JsonNode> exited = TestAgents.post(h2, "/api/migrate?job=job-a&rank=1&to=h2");
            assertThat(exited).hasSize(1);
            assertThat(exited.get(0).get("phase").asText()).isEqualTo("FAILED");
            assertThat(exited.get(0).get("detail").asText()).contains("job job-a has no rank 1 running",
                    "registered ranks: [0]", "exited");

            // rank 0 migrates: it reads the order, starts, says BYE(migrated) and leaves; h2 hears
            // nothing from a replacement: DONE, unconfirmed, once the grace (the 3 s timeout) passes
            CompletableFuture<List<JsonNode>> move = migrateInBackground(h2, "/api/migrate?job=job-a&rank=0&to=h2");
            PcmFrameReader in = new PcmFrameReader(rank0);
            PcmMessage m;
            do {
                m = in.read();
            } while (!(m instanceof PcmMessage.Migrate));
            long order = ((PcmMessage.Migrate) m).orderId();
            assertThat(((PcmMessage.Migrate) m).targetHost()).isEqualTo("h2");
            rank0.write(ByteBuffer.wrap(PcmCodec.encode(new PcmMessage.MigrationStarted(order, 10))));
            rank0.write(ByteBuffer.wrap(PcmCodec.encode(new PcmMessage.Bye(PcmMessage.Bye.Reason.MIGRATED))));
            rank0.close();
            List<JsonNode> events = move.get(30, TimeUnit.SECONDS);
            assertThat(events).extracting(e -> e.get("phase").asText())
                    .containsExactly("ACCEPTED", "ORDERED", "STARTED", "DONE");
            assertThat(events.get(3).get("detail").asText()).contains("BYE migrated", "did not confirm the arrival");

            // the job has finished: no process of it anywhere
            List<JsonNode> finished = TestAgents.post(h1, "/api/migrate?job=job-a&rank=0&to=h2");
            assertThat(finished.get(0).get("phase").asText()).isEqualTo("FAILED");
            assertThat(finished.get(0).get("detail").asText()).contains("job job-a has no process registered",
                    "finished");
        }
    }

    @Test
    void aSecondMigrationOfAJobWhileOneIsUnderWayIsQueuedAndCarriedOutAfterIt() throws Exception {
        var quick = ConfigFactory.parseString("roam.agent.migration.timeout = 3s\nroam.stealing.enabled = false")
                .withFallback(TestAgents.INVENTED_PIDS);
        try (TestAgents agents = new TestAgents(dir)) {
            Agent h1 = agents.start("h1", "default", "p2p", quick);
            Agent h2 = agents.start("h2", "default", "p2p", quick);
            AgentClusterTest.awaitNodes(h1, 2);
            SocketChannel rank0 = connect(h1, new Register("job-b", 0, 2, 4100, "h1", 0, "heat", 64));
            SocketChannel rank1 = connect(h1, new Register("job-b", 1, 2, 4101, "h1", 0, "heat", 64));
            awaitProcesses(h1, 2);
            PcmFrameReader in1 = new PcmFrameReader(rank1);
            assertThat(in1.read()).isInstanceOf(PcmMessage.Registered.class);
            CompletableFuture<List<JsonNode>> first = migrateInBackground(h1, "/api/migrate?job=job-b&rank=0&to=h2");
            PcmFrameReader in = new PcmFrameReader(rank0);
            PcmMessage m;
            do {
                m = in.read();
            } while (!(m instanceof PcmMessage.Migrate));   // rank 0's migration is under way
            // a drain, a steal or roam migrate of another rank of the same job: queued behind it
            CompletableFuture<List<JsonNode>> second = migrateInBackground(h1, "/api/migrate?job=job-b&rank=1&to=h2");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(TestAgents.get(h1, "/api/migrations"))
                    .anySatisfy(e -> {
                        assertThat(e.get("rank").asInt()).isEqualTo(1);
                        assertThat(e.get("phase").asText()).isEqualTo("QUEUED");
                    }));
            rank1.configureBlocking(false);
            assertThat(rank1.read(ByteBuffer.allocate(64))).as("nothing sent to rank 1 while rank 0 moves").isZero();
            rank1.configureBlocking(true);
            rank0.close();   // the first one ends (FAILED after the 3 s timeout: its process is gone)
            assertThat(first.get(30, TimeUnit.SECONDS)).last().satisfies(e ->
                    assertThat(e.get("phase").asText()).isEqualTo("FAILED"));
            do {
                m = in1.read();
            } while (!(m instanceof PcmMessage.Migrate));   // then rank 1's order goes out
            long order = ((PcmMessage.Migrate) m).orderId();
            rank1.write(ByteBuffer.wrap(PcmCodec.encode(new PcmMessage.MigrationStarted(order, 20))));
            rank1.write(ByteBuffer.wrap(PcmCodec.encode(new PcmMessage.Bye(PcmMessage.Bye.Reason.MIGRATED))));
            List<JsonNode> events = second.get(30, TimeUnit.SECONDS);
            assertThat(events).extracting(e -> e.get("phase").asText())
                    .containsExactly("ACCEPTED", "QUEUED", "ORDERED", "STARTED", "DONE");
            assertThat(events.get(1).get("detail").asText()).contains("job job-b already has 1 migration(s) under way",
                    "rank 1 moves to h2 when they have ended");
            rank1.close();
        }
    }

    @Test
    void anOrderWhoseProcessFinalizesBeforeItsRoundFailsAtOnce() throws Exception {
        var cfg = ConfigFactory.parseString("roam.agent.migration.timeout = 60s\nroam.stealing.enabled = false")
                .withFallback(TestAgents.INVENTED_PIDS);
        try (TestAgents agents = new TestAgents(dir)) {
            Agent h1 = agents.start("h1", "default", "p2p", cfg);
            Agent h2 = agents.start("h2", "default", "p2p", cfg);
            AgentClusterTest.awaitNodes(h1, 2);
            SocketChannel rank0 = connect(h1, new Register("job-c", 0, 1, 4200, "h1", 0, "heat", 64));
            awaitProcesses(h1, 1);
            long t0 = System.nanoTime();
            CompletableFuture<List<JsonNode>> move = migrateInBackground(h1, "/api/migrate?job=job-c&rank=0&to=h2");
            PcmFrameReader in = new PcmFrameReader(rank0);
            PcmMessage m;
            do {
                m = in.read();
            } while (!(m instanceof PcmMessage.Migrate));
            // the job ends before the order's round: PCM_Finalize says BYE
            rank0.write(ByteBuffer.wrap(PcmCodec.encode(new PcmMessage.Bye(PcmMessage.Bye.Reason.FINALIZED))));
            List<JsonNode> events = move.get(30, TimeUnit.SECONDS);
            assertThat(events).last().satisfies(e -> {
                assertThat(e.get("phase").asText()).isEqualTo("FAILED");
                assertThat(e.get("detail").asText()).contains("finalized (the job ended) before the order's round");
            });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("not the 60 s timeout").isLessThan(Duration.ofSeconds(30));
            rank0.close();
        }
    }

    /** Registered processes of the cluster, as {@code via} sees them, reach {@code count}. */
    private static void awaitProcesses(Agent via, int count) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(AgentClusterTest.status(via).nodes().stream().mapToInt(n -> n.processes().size()).sum())
                        .isEqualTo(count));
    }

    /** A migration ordered through {@code via}'s control API, its events when it ends. */
    private static CompletableFuture<List<JsonNode>> migrateInBackground(Agent via, String query) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return TestAgents.post(via, query);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static SocketChannel connect(Agent a, Register r) throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(a.settings().pcmSocket()));
        ch.write(ByteBuffer.wrap(PcmCodec.encode(r)));
        return ch;
    }

}
