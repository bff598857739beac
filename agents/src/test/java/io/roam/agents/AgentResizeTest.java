package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.roam.agents.cli.RoamCli;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmErrors;
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
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * The agents' side of a resize with fake PCM processes on two agents in this JVM:
 * {@code POST /api/resize} (and {@code roam resize}) plans a grow onto the node with free slots,
 * the agent of rank 0 sends RESIZE to rank 0's process, and the process's answer ends the
 * stream: RESIZE_DONE is DONE with its phase times and the job's size follows in the status and
 * the history; a MIGRATION_FAILED for the order is FAILED with libpcm's text; a grow onto a host
 * outside the job's hosts is refused before any order.
 */
@Tag("system")
class AgentResizeTest {
    @TempDir
    Path dir;

    @Test
    @ResourceLock(Resources.SYSTEM_OUT)
    void growThenShrinkThroughTheAgentOfRankZero() throws Exception {
        var cfg = ConfigFactory.parseString("roam.agent.slots = 2\nroam.stealing.enabled = false\n"
                + "roam.agent.resize.timeout = 60s").withFallback(TestAgents.INVENTED_PIDS);
        try (TestAgents agents = new TestAgents(dir)) {
            Agent h1 = agents.start("h1", "default", "p2p", cfg);
            Agent h2 = agents.start("h2", "default", "p2p", cfg);
            for (Agent a : List.of(h1, h2)) {
                AgentClusterTest.awaitNodes(a, 2);
            }
            SocketChannel rank0 = connect(h1, new Register("job-r", 0, 2, 4300, "h1", 0, "heat", 64, "h1,h2"));
            SocketChannel rank1 = connect(h1, new Register("job-r", 1, 2, 4301, "h1", 0, "heat", 64, "h1,h2"));
            PcmFrameReader in0 = new PcmFrameReader(rank0);
            assertThat(in0.read()).isInstanceOf(PcmMessage.Registered.class);
            awaitSize(h2, 2, 2);
            // PROCESS_FLAGS: the processes are malleable in every agent's status
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(TestAgents.get(h2, "/api/status")
                    .get("nodes").findValues("processes").stream().flatMap(ps -> java.util.stream.StreamSupport
                            .stream(ps.spliterator(), false)).filter(p -> p.get("jobId").asText().equals("job-r"))
                    .map(p -> p.get("malleable").asBoolean()).toList()).containsExactly(true, true));

            // a grow asked of h2: h1 is full (2 of 2 slots), so both new processes go to h2
            CompletableFuture<List<JsonNode>> grow = CompletableFuture.supplyAsync(() -> post(h2,
                    "/api/resize?job=job-r&ranks=4"));
            PcmMessage.Resize order = next(in0, PcmMessage.Resize.class);
            assertThat(order.ranks()).isEqualTo(4);
            assertThat(order.hosts()).isEqualTo("h2,h2");
            SocketChannel rank2 = connect(h2, new Register("job-r", 2, 4, 4302, "h2", 0, "heat", 0, "h1,h2"));
            SocketChannel rank3 = connect(h2, new Register("job-r", 3, 4, 4303, "h2", 0, "heat", 0, "h1,h2"));
            send(rank0, new PcmMessage.ResizeDone(order.orderId(), "job-r", 2, 4, 1, 300_000_000L, 20_000_000L,
                    4_000_000L, 330_000_000L));
            List<JsonNode> events = grow.get();
            assertThat(events).extracting(e -> e.get("phase").asText()).containsExactly("ACCEPTED", "ORDERED", "DONE");
            assertThat(events.get(2).get("detail").asText()).isEqualTo("job job-r runs with 4 processes (was 2): spawn"
                    + " 300.0 ms, world 20.0 ms, redistribution 4.0 ms, total 330.0 ms");
            assertThat(events.get(2).get("times").get("spawnNs").asLong()).isEqualTo(300_000_000L);
            awaitSize(h2, 4, 4);

            // a shrink by roam resize: libpcm refuses it first (the text is libpcm's), then does it
            CompletableFuture<String[]> refused = CompletableFuture.supplyAsync(() -> roam(1, "resize", "--agent",
                    h1.httpUrl(), "--token-file", h1.tokenFile().toString(), "--job", "job-r", "--ranks", "2"));
            order = next(in0, PcmMessage.Resize.class);
            assertThat(order.ranks()).isEqualTo(2);
            assertThat(order.hosts()).isEmpty();
            send(rank0, new PcmMessage.MigrationFailed(order.orderId(), PcmErrors.PCM_ERR_ARG,
                    "resize to 2 processes failed (PCM_ERR_ARG): test refusal"));
            assertThat(refused.get()[0]).contains("ACCEPTED").contains("ORDERED")
                    .contains("FAILED    resize to 2 processes failed (PCM_ERR_ARG): test refusal");

            CompletableFuture<String[]> shrink = CompletableFuture.supplyAsync(() -> roam(0, "resize", "--agent",
                    h1.httpUrl(), "--token-file", h1.tokenFile().toString(), "--job", "job-r", "--ranks", "2"));
            order = next(in0, PcmMessage.Resize.class);
            rank2.close();
            rank3.close();
            send(rank0, new PcmMessage.ResizeDone(order.orderId(), "job-r", 4, 2, 1, 0, 9_000_000L, 2_000_000L,
                    15_000_000L));
            assertThat(shrink.get()[0]).contains("DONE      job job-r runs with 2 processes (was 4)")
                    .contains("phases: spawn 0.0 ms, world 9.0 ms, redistribution 2.0 ms, total 15.0 ms");
            awaitSize(h2, 2, 2);
            JsonNode history = TestAgents.get(h2, "/api/history");
            JsonNode job = null;
            for (JsonNode j : history.get("jobs")) {
                job = j.get("jobId").asText().equals("job-r") ? j : job;
            }
            assertThat(job).as("job-r in %s", history).isNotNull();
            assertThat(job.get("resizes")).extracting(r -> r.get("oldSize").asInt() + "->" + r.get("newSize").asInt())
                    .containsExactly("2->4", "4->2");

            // a grow onto a host the job was not started on: refused by rank 0's agent, no order
            rank0.close();
            rank1.close();
            SocketChannel only = connect(h1, new Register("job-s", 0, 1, 4400, "h1", 0, "heat", 64, "h1"));
            PcmFrameReader inS = new PcmFrameReader(only);
            assertThat(inS.read()).isInstanceOf(PcmMessage.Registered.class);
            awaitSize(h1, "job-s", 1);
            String[] outside = roam(2, "resize", "--agent", h1.httpUrl(), "--token-file", h1.tokenFile().toString(),
                    "--job", "job-s", "--ranks", "2", "--on", "h2");
            assertThat(outside[1]).isEqualTo("roam resize: h2 is not among the hosts job job-s was started on (h1):"
                    + " Open MPI 4.1 cannot start a process outside the hosts mpirun was given; nothing changed\n");
            only.configureBlocking(false);
            assertThat(only.read(ByteBuffer.allocate(64))).as("the process heard nothing of it").isZero();
            only.close();

            // a job whose program did not declare itself malleable: refused before any order
            SocketChannel plain = connectPlain(h1, new Register("job-p", 0, 1, 4500, "h1", 0, "stencil", 64, "h1,h2"));
            PcmFrameReader inP = new PcmFrameReader(plain);
            assertThat(inP.read()).isInstanceOf(PcmMessage.Registered.class);
            awaitSize(h1, "job-p", 1);
            String[] notMalleable = roam(2, "resize", "--agent", h1.httpUrl(), "--token-file",
                    h1.tokenFile().toString(), "--job", "job-p", "--ranks", "2");
            assertThat(notMalleable[1]).contains("job job-p has not declared itself malleable", "PCM_Malleable",
                    "nothing changed");
            plain.configureBlocking(false);
            assertThat(plain.read(ByteBuffer.allocate(64))).as("no RESIZE reached it").isZero();
            plain.close();
        }
    }

    private static void awaitSize(Agent a, int size, int registered) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode status = TestAgents.get(a, "/api/status");
            JsonNode job = status.get("jobs").get(0);
            assertThat(job.get("jobId").asText()).isEqualTo("job-r");
            assertThat(job.get("size").asInt()).isEqualTo(size);
            assertThat(job.get("ranks")).hasSize(registered);
        });
    }

    private static void awaitSize(Agent a, String jobId, int size) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(TestAgents.get(a, "/api/status")
                .get("jobs").findParents("jobId").stream().anyMatch(j -> j.get("jobId").asText().equals(jobId)
                        && j.get("size").asInt() == size)).isTrue());
    }

    private static List<JsonNode> post(Agent via, String query) {
        try {
            return TestAgents.post(via, query);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** roam ARGS: its stdout and stderr; the exit code must be {@code exit}. */
    private static synchronized String[] roam(int exit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        int code;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = RoamCli.execute(args);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
        String[] both = {TestAgents.withoutLogLines(out.toString(StandardCharsets.UTF_8)),
            TestAgents.withoutLogLines(err.toString(StandardCharsets.UTF_8))};
        assertThat(code).as("roam %s: %s %s", String.join(" ", args), both[0], both[1]).isEqualTo(exit);
        return both;
    }

    @SuppressWarnings("unchecked")
    private static <T extends PcmMessage> T next(PcmFrameReader in, Class<T> type) {
        try {
            PcmMessage m;
            do {
                m = in.read();
            } while (!type.isInstance(m));
            return (T) m;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void send(SocketChannel ch, PcmMessage m) throws Exception {
        ch.write(ByteBuffer.wrap(PcmCodec.encode(m)));
    }

    /** A malleable process: REGISTER, then PROCESS_FLAGS as libpcm sends it after PCM_Malleable. */
    private static SocketChannel connect(Agent a, Register r) throws Exception {
        SocketChannel ch = connectPlain(a, r);
        ch.write(ByteBuffer.wrap(PcmCodec.encode(new PcmMessage.ProcessFlags(PcmMessage.ProcessFlags.MALLEABLE))));
        return ch;
    }

    /** A process whose program did not declare itself malleable: REGISTER alone. */
    private static SocketChannel connectPlain(Agent a, Register r) throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(a.settings().pcmSocket()));
        ch.write(ByteBuffer.wrap(PcmCodec.encode(r)));
        return ch;
    }
}
