package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmErrors;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.MigrationFailed;
import io.roam.pcm.wire.PcmMessage.MigrationStarted;
import io.roam.pcm.wire.PcmMessage.Register;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two agents in this JVM and stand-in PCM processes on their sockets (no MPI): a migration
 * ordered through one agent's control API moves through its phases; meanwhile
 * {@code /api/migrations} shows it in progress, then DONE with the phase times the
 * replacement reported; {@code /metrics} parses as strict Prometheus text and its counters
 * and phase histograms move by exactly what happened; a failed migration counts as failed on
 * its source only; the page, its script, {@code /api/nodes} and the event stream answer.
 */
@Tag("system")
class WebViewAndMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aMigrationShowsInTheApiAndMovesTheMetrics() throws Exception {
        Process p1 = new ProcessBuilder("sleep", "300").start();
        Process p2 = new ProcessBuilder("sleep", "300").start();
        var quick = ConfigFactory.parseString("roam.agent.migration.timeout = 20s\nroam.stealing.enabled = false\n"
                + "roam.agent.http.events-interval = 200ms\nroam.profiling.period = 500ms");
        try (TestAgents agents = new TestAgents(dir);
             SocketChannel pcm1 = SocketChannel.open(StandardProtocolFamily.UNIX);
             SocketChannel pcm2 = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Agent h1 = agents.start("h1", "default", "p2p", quick);
            Agent h2 = agents.start("h2", "default", "p2p", quick);
            for (Agent a : List.of(h1, h2)) {
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(AgentClusterTest.status(a).nodes())
                        .hasSize(2).allMatch(ClusterQueries.NodeView::reachable));
            }
            pcm1.connect(UnixDomainSocketAddress.of(h1.settings().pcmSocket()));
            pcm1.write(ByteBuffer.wrap(PcmCodec.encode(new Register("job-w", 0, 2, p1.pid(), "h1", 0, "heat", 0))));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(AgentClusterTest.status(h1).nodes().get(0).processes()).hasSize(1);
                PrometheusText m = metrics(h1);
                assertThat(m.value("roam_cluster_members", Map.of())).isEqualTo(2);
                assertThat(m.value("roam_node_processes", Map.of())).isEqualTo(1);
            });
            PrometheusText before = metrics(h1);
            assertThat(before.value("roam_migrations_total", Map.of("outcome", "done"))).isZero();
            assertThat(before.value("roam_migrations_total", Map.of("outcome", "failed"))).isZero();
            assertThat(before.value("roam_migration_phase_seconds_count", Map.of("phase", "transfer"))).isZero();
            for (String e : List.of("sent", "received", "forwarded", "refused", "offered")) {
                assertThat(before.value("roam_steal_requests_total", Map.of("event", e))).isZero();   // stealing off
            }
            assertThat(before.value("roam_profiling_samples_total", Map.of("kind", "node"))).isPositive();
            assertThat(before.value("roam_node_cpu_limit", Map.of())).isPositive();

            // asked through h2: the source h1 runs it, h2 reports it from h1's log
            CompletableFuture<HttpResponse<String>> moving = http.sendAsync(post(h2,
                    "/api/migrate?job=job-w&rank=0&to=h2"), HttpResponse.BodyHandlers.ofString());
            PcmMessage.Migrate order = (PcmMessage.Migrate) nextOf(pcm1, PcmMessage.Migrate.class);
            assertThat(order.targetHost()).isEqualTo("h2");
            pcm1.write(ByteBuffer.wrap(PcmCodec.encode(new MigrationStarted(order.orderId(), 7))));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode m = get(h2, "/api/migrations");
                assertThat(m).hasSize(1);
                assertThat(m.get(0).get("phase").asText()).isEqualTo("STARTED");
                assertThat(m.get(0).get("finished").asBoolean()).isFalse();
                assertThat(metrics(h1).value("roam_migrations_in_progress", Map.of())).isEqualTo(1);
            });

            long t0 = 1_800_000_000_000_000_000L;
            long ms = 1_000_000;
            pcm2.connect(UnixDomainSocketAddress.of(h2.settings().pcmSocket()));
            pcm2.write(ByteBuffer.wrap(PcmCodec.encode(new Register("job-w", 0, 2, p2.pid(), "h2", 1, "heat", 0))));
            pcm2.write(ByteBuffer.wrap(PcmCodec.encode(new MigrationDone(order.orderId(), "job-w", 0, "h1", p1.pid(),
                    4L << 20, t0, t0 + ms, t0 + 31 * ms, t0 + 33 * ms, t0 + 83 * ms, t0 + 84 * ms))));
            HttpResponse<String> done = moving.get();
            assertThat(done.body()).contains("\"phase\":\"DONE\"");

            JsonNode migrations = get(h1, "/api/migrations");
            assertThat(migrations).hasSize(1);
            JsonNode m = migrations.get(0);
            assertThat(m.get("id").asText()).isEqualTo(Long.toHexString(order.orderId()));
            assertThat(m.get("source").asText()).isEqualTo("h1");
            assertThat(m.get("target").asText()).isEqualTo("h2");
            assertThat(m.get("phase").asText()).isEqualTo("DONE");
            assertThat(m.get("stateBytes").asLong()).isEqualTo(4L << 20);
            List<String> phases = new ArrayList<>();
            m.get("events").forEach(e -> phases.add(e.get("phase").asText()));
            assertThat(phases).containsExactly("ACCEPTED", "ORDERED", "STARTED", "DONE");
            JsonNode pm = m.get("phaseMillis");
            assertThat(List.of(pm.get("decide").asDouble(), pm.get("spawn").asDouble(), pm.get("merge").asDouble(),
                    pm.get("transfer").asDouble(), pm.get("resume").asDouble(), pm.get("total").asDouble()))
                    .containsExactly(1.0, 30.0, 2.0, 50.0, 1.0, 84.0);

            PrometheusText after = metrics(h1);
            assertThat(after.value("roam_migrations_total", Map.of("outcome", "done"))).isEqualTo(1);
            assertThat(after.value("roam_migrations_total", Map.of("outcome", "failed"))).isZero();
            assertThat(after.value("roam_migrations_in_progress", Map.of())).isZero();
            assertThat(after.value("roam_migration_phase_seconds_count", Map.of("phase", "transfer"))).isEqualTo(1);
            assertThat(after.value("roam_migration_phase_seconds_sum", Map.of("phase", "transfer")))
                    .isCloseTo(0.050, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(after.value("roam_migration_phase_seconds_sum", Map.of("phase", "spawn")))
                    .isCloseTo(0.030, org.assertj.core.data.Offset.offset(1e-9));
            var transfer = after.buckets("roam_migration_phase_seconds", Map.of("phase", "transfer"));
            assertThat(transfer.get(0.025)).isZero();
            assertThat(transfer.get(0.05)).isEqualTo(1);
            assertThat(transfer.get(Double.POSITIVE_INFINITY)).isEqualTo(1);
            assertThat(after.value("roam_migration_state_bytes_sum", Map.of())).isEqualTo(4L << 20);
            // the target records nothing as a source
            assertThat(metrics(h2).value("roam_migrations_total", Map.of("outcome", "done"))).isZero();

            // the departed process leaves (its connection ends), then the rank goes back, refused by the
            // process: a failure, counted by its source (h2) only
            pcm1.close();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(AgentClusterTest.status(h1).nodes().get(0).processes()).isEmpty());
            CompletableFuture<HttpResponse<String>> back = http.sendAsync(post(h1,
                    "/api/migrate?job=job-w&rank=0&to=h1"), HttpResponse.BodyHandlers.ofString());
            PcmMessage.Migrate order2 = (PcmMessage.Migrate) nextOf(pcm2, PcmMessage.Migrate.class);
            pcm2.write(ByteBuffer.wrap(PcmCodec.encode(new MigrationFailed(order2.orderId(), PcmErrors.PCM_ERR_SPAWN,
                    "spawn failed"))));
            assertThat(back.get().body()).contains("\"phase\":\"FAILED\"", "spawn failed");
            assertThat(metrics(h2).value("roam_migrations_total", Map.of("outcome", "failed"))).isEqualTo(1);
            assertThat(metrics(h1).value("roam_migrations_total", Map.of("outcome", "failed"))).isZero();
            JsonNode both = get(h1, "/api/migrations");
            assertThat(both).hasSize(2);
            assertThat(both.get(0).get("phase").asText()).isEqualTo("FAILED");   // newest first
            assertThat(both.get(0).get("phaseMillis")).isEmpty();

            JsonNode nodes = get(h1, "/api/nodes");
            assertThat(nodes).hasSize(2);
            assertThat(nodes.get(1).get("node").get("host").asText()).isEqualTo("h2");
            assertThat(nodes.get(1).get("processes").get(0).get("rank").asInt()).isZero();

            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(h1.httpUrl() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
            assertThat(page.body()).contains("/web/app.js");
            HttpResponse<String> script = http.send(HttpRequest.newBuilder(URI.create(h1.httpUrl() + "/web/app.js"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(script.body()).contains("new EventSource('/api/events')");

            JsonNode event = firstEvent(h2);
            assertThat(event.get("nodes")).hasSize(2);
            assertThat(event.get("migrations")).hasSize(2);
            assertThat(event.get("jobs").get(0).get("ranks").get(0).get("host").asText()).isEqualTo("h2");
        } finally {
            p1.destroyForcibly();
            p2.destroyForcibly();
        }
    }

    /**
     * Two idle agents (each profiles an empty cgroup of one core) that are both thieves (any available share will do) and have nothing to
     * give: each sends steal requests, the other receives and refuses or forwards them; the
     * counters of the two sides agree.
     */
    @Test
    void stealRequestsAreCountedOnBothSides() throws Exception {
        var stealing = ConfigFactory.parseString("roam.stealing.enabled = true\nroam.stealing.period = 200ms\n"
                + "roam.stealing.thief-share = 0.0001\nroam.stealing.backoff-base = 200ms\n"
                + "roam.stealing.backoff-max = 400ms\nroam.stealing.ttl = 0\nroam.profiling.period = 300ms");
        try (IdleCgroup idle = new IdleCgroup("wvm"); TestAgents agents = new TestAgents(dir)) {
            // idle thieves even when other work keeps both cores busy
            stealing = idle.cpuSource().withFallback(stealing);
            Agent h1 = agents.start("h1", "default", "p2p", stealing);
            Agent h2 = agents.start("h2", "default", "p2p", stealing);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                PrometheusText m1 = metrics(h1);
                PrometheusText m2 = metrics(h2);
                for (PrometheusText m : List.of(m1, m2)) {
                    assertThat(m.value("roam_steal_requests_total", Map.of("event", "sent"))).isPositive();
                    assertThat(m.value("roam_steal_requests_total", Map.of("event", "refused"))).isPositive();
                    double received = m.value("roam_steal_requests_total", Map.of("event", "received"));
                    assertThat(received).isPositive().isEqualTo(
                            m.value("roam_steal_requests_total", Map.of("event", "refused"))
                                    + m.value("roam_steal_requests_total", Map.of("event", "forwarded"))
                                    + m.value("roam_steal_requests_total", Map.of("event", "offered")));
                    assertThat(m.value("roam_steal_requests_total", Map.of("event", "offered"))).isZero();
                }
            });
            // every request one sent was received by the other (ttl 0: none forwarded), give or take
            // those in flight at the moment of the two scrapes
            PrometheusText m1 = metrics(h1);
            PrometheusText m2 = metrics(h2);
            assertThat(m2.value("roam_steal_requests_total", Map.of("event", "received")))
                    .isCloseTo(m1.value("roam_steal_requests_total", Map.of("event", "sent")),
                            org.assertj.core.data.Offset.offset(3.0));
        }
    }

    static HttpRequest post(Agent a, String query) throws java.io.IOException {
        return TestAgents.acting(a, query).timeout(Duration.ofSeconds(60)).build();
    }

    private JsonNode get(Agent a, String route) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(a.httpUrl() + route))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private PrometheusText metrics(Agent a) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(a.httpUrl() + "/metrics"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        return PrometheusText.parse(r.body());
    }

    /** The data of the first "cluster" server-sent event. */
    private JsonNode firstEvent(Agent a) throws Exception {
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(URI.create(a.httpUrl() + "/api/events"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String type = null;
            String data = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("event:")) {
                    type = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data = line.substring(5);
                } else if (line.isEmpty() && data != null) {
                    assertThat(type).isEqualTo("cluster");
                    return JSON.readTree(data);
                }
            }
        }
        throw new AssertionError("the event stream ended without an event");
    }

    /** Reads frames from a stand-in process's socket until one of {@code type} arrives. */
    static PcmMessage nextOf(SocketChannel ch, Class<? extends PcmMessage> type) throws Exception {
        CompletableFuture<PcmMessage> read = CompletableFuture.supplyAsync(() -> {
            try {
                while (true) {
                    ByteBuffer len = ByteBuffer.allocate(4);
                    readFully(ch, len);
                    ByteBuffer body = ByteBuffer.allocate(len.flip().getInt());
                    readFully(ch, body);
                    PcmMessage m = PcmCodec.decode(body.flip());
                    if (type.isInstance(m)) {
                        return m;
                    }
                }
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        try {
            return read.get(20, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            ch.close();
            throw new AssertionError("no " + type.getSimpleName() + " within 20 s");
        }
    }

    private static void readFully(SocketChannel ch, ByteBuffer b) throws Exception {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new AssertionError("the agent closed the PCM connection");
            }
        }
    }
}
