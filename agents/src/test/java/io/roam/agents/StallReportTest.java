package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.roam.agents.cli.StatusCommand;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.MigrationStalled;
import io.roam.pcm.wire.PcmMessage.MigrationStarted;
import io.roam.pcm.wire.PcmMessage.Register;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the agents make of MIGRATION_STALLED (StallReports), with two agents in this JVM and
 * stand-in PCM processes (no MPI): rank 0 of a 2-rank job moves from h1 to h2; the departing
 * process (h1), the replacement and the staying rank 1 (both h2) report the stall. The
 * migration stream of `roam migrate` shows STALLED with each detail (those of h2's processes
 * relayed by h2, the target, to the source h1), the status marks the processes and the job stalled (what `roam
 * status` and the web view show), and once the stalled processes are gone (libpcm ended the
 * job) the migration ends FAILED at once, saying why.
 */
@Tag("system")
class StallReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void stallsShowInTheMigrationStreamAndTheStatusAndEndTheMigration() throws Exception {
        List<Process> stand = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stand.add(new ProcessBuilder("sleep", "300").start());
        }
        var quick = ConfigFactory.parseString("roam.agent.migration.timeout = 60s\nroam.stealing.enabled = false\n"
                + "roam.profiling.period = 500ms");
        try (TestAgents agents = new TestAgents(dir);
             SocketChannel departing = SocketChannel.open(StandardProtocolFamily.UNIX);
             SocketChannel staying = SocketChannel.open(StandardProtocolFamily.UNIX);
             SocketChannel replacement = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Agent h1 = agents.start("h1", "default", "p2p", quick);
            Agent h2 = agents.start("h2", "default", "p2p", quick);
            AgentClusterTest.awaitNodes(h1, 2);
            AgentClusterTest.awaitNodes(h2, 2);
            departing.connect(UnixDomainSocketAddress.of(h1.settings().pcmSocket()));
            send(departing, new Register("job-s", 0, 2, stand.get(0).pid(), "h1", 0, "heat", 0));
            staying.connect(UnixDomainSocketAddress.of(h2.settings().pcmSocket()));
            send(staying, new Register("job-s", 1, 2, stand.get(1).pid(), "h2", 0, "heat", 0));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(AgentClusterTest.status(h1).jobs()).singleElement()
                            .satisfies(j -> assertThat(j.ranks()).hasSize(2)));

            List<JsonNode> events = new java.util.concurrent.CopyOnWriteArrayList<>();
            CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> moving = http.sendAsync(
                    WebViewAndMetricsTest.post(h1, "/api/migrate?job=job-s&rank=0&to=h2"),
                    HttpResponse.BodyHandlers.ofLines());
            CompletableFuture<Void> read = moving.thenAccept(r -> r.body().forEach(line -> {
                try {
                    events.add(JSON.readTree(line));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }));
            PcmMessage.Migrate order = (PcmMessage.Migrate) WebViewAndMetricsTest.nextOf(departing,
                    PcmMessage.Migrate.class);
            long id = order.orderId();
            send(departing, new MigrationStarted(id, 5));
            replacement.connect(UnixDomainSocketAddress.of(h2.settings().pcmSocket()));
            send(replacement, new Register("job-s", 0, 2, stand.get(2).pid(), "h2", 1, "heat", 0));
            // registered (the agent checks its pid first) before the reports on the other connections
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(AgentClusterTest.status(h2).nodes().stream().filter(n -> n.node().host().equals("h2"))
                            .findFirst().orElseThrow().processes()).hasSize(2));
            String dep = "the departing process of job job-s waits in MPI_Intercomm_merge (merging with the replacement)"
                    + " for 61000 ms (move of rank 0 to h2, order " + id + ", under way for 61020 ms)";
            String rep = "the replacement of job job-s waits in MPI_Intercomm_merge (merging with the departing process)"
                    + " for 61001 ms";
            String stay = "rank 1 (staying) of job job-s waits in MPI_Intercomm_create (building the new world)"
                    + " for 61002 ms";
            send(departing, new MigrationStalled(id, 0, 61_000, dep));
            send(replacement, new MigrationStalled(id, 0, 61_001, rep));
            send(staying, new MigrationStalled(id, 0, 61_002, stay));

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                List<String> stalled = events.stream().filter(e -> e.get("phase").asText().equals("STALLED"))
                        .map(e -> e.get("detail").asText()).toList();
                assertThat(stalled).containsExactlyInAnyOrder(   // h2's, relayed by the target of the move
                        "on h1, pid " + stand.get(0).pid() + ": " + dep,
                        "on h2, pid " + stand.get(1).pid() + ": " + stay,
                        "on h2, pid " + stand.get(2).pid() + ": " + rep);
            });
            assertThat(read).isNotDone();   // STALLED is not terminal
            JsonNode status = get(h2, "/api/status");
            JsonNode job = status.get("jobs").get(0);
            assertThat(job.get("jobId").asText()).isEqualTo("job-s");
            assertThat(job.get("stalled")).extracting(JsonNode::asText).containsExactlyInAnyOrder(
                    "on h1, pid " + stand.get(0).pid() + ": " + dep, "on h2, pid " + stand.get(1).pid() + ": " + stay,
                    "on h2, pid " + stand.get(2).pid() + ": " + rep);
            List<String> marked = new ArrayList<>();
            status.get("nodes").forEach(n -> n.get("processes").forEach(p -> marked.add(p.get("stalled").asText())));
            assertThat(marked).hasSize(3).allMatch(s -> s.contains("waits in MPI_"));
            assertThat(StatusCommand.stalled(status.get("jobs")))
                    .contains("JOB job-s STALLED", "on h2, pid " + stand.get(1).pid() + ": " + stay);
            JsonNode logged = get(h1, "/api/migrations").get(0);
            assertThat(logged.get("phase").asText()).isEqualTo("STALLED");

            departing.close();   // libpcm ends the job: the processes' connections end
            read.get(20, java.util.concurrent.TimeUnit.SECONDS);
            JsonNode last = events.get(events.size() - 1);
            assertThat(last.get("phase").asText()).isEqualTo("FAILED");
            assertThat(last.get("detail").asText()).contains("libpcm ended job job-s because its reconfiguration stalled",
                    "MPI_Intercomm_merge");
        } finally {
            stand.forEach(Process::destroyForcibly);
        }
    }

    private static void send(SocketChannel ch, PcmMessage m) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.wrap(PcmCodec.encode(m));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private JsonNode get(Agent a, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(a.httpUrl() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
