package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmMessage.Register;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PCM daemon inside a running agent: registration, forgetting, and bad clients. */
@Tag("system")
class PcmDaemonTest {
    @TempDir
    Path dir;

    private static SocketChannel connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    private static void send(SocketChannel ch, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static List<NodeView> nodes(Agent a) throws Exception {
        return AgentClusterTest.status(a).nodes();
    }

    @Test
    void badClientsAreDroppedAndEveryOtherProcessStaysRegistered() throws Exception {
        try (TestAgents agents = new TestAgents(dir)) {
            Agent agent = agents.start("h1", "default", "p2p", TestAgents.INVENTED_PIDS);
            Path socket = agent.settings().pcmSocket();
            assertThat(Files.getPosixFilePermissions(socket))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            try (SocketChannel good = connect(socket)) {
                send(good, PcmCodec.encode(new Register("job-a", 0, 2, 1001, "h1", 0, "/bin/app", 0)));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(nodes(agent).get(0).processes()).extracting(p -> p.pid()).containsExactly(1001L));

                // garbage, a huge length, a wrong version, and a client gone in the middle of a frame
                for (byte[] bad : List.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9},
                        new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 1, 0, 0},
                        new byte[] {0, 0, 0, 4, 9, 8, 0, 0})) {
                    try (SocketChannel ch = connect(socket)) {
                        send(ch, bad);
                        ByteBuffer sink = ByteBuffer.allocate(4096);
                        try {
                            while (ch.read(sink) >= 0) {   // the agent closes the connection
                                sink.clear();
                            }
                        } catch (IOException reset) {
                            // closed by the agent with data unread: a reset, as good as an end
                        }
                    }
                }
                try (SocketChannel ch = connect(socket)) {
                    byte[] frame = PcmCodec.encode(new Register("job-b", 1, 2, 2002, "h1", 0, "/bin/app", 0));
                    send(ch, java.util.Arrays.copyOf(frame, frame.length / 2));
                }
                try (SocketChannel second = connect(socket)) {
                    send(second, PcmCodec.encode(new Register("job-a", 1, 2, 1002, "h1", 0, "/bin/app", 0)));
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                            assertThat(nodes(agent).get(0).processes()).extracting(p -> p.pid())
                                    .containsExactlyInAnyOrder(1001L, 1002L));
                }
                // a process whose connection ends is forgotten; the other stays
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(nodes(agent).get(0).processes()).extracting(p -> p.pid()).containsExactly(1001L));
                assertThat(good.isOpen()).isTrue();
            }
        }
    }

    @Test
    void fuzzedConnectionsLeaveTheAgentAndItsProcessesAsTheyWere() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(0xF022_ED5EEDL);
        List<byte[]> valid = List.of(
                PcmCodec.encode(new Register("job-f", 1, 2, 3003, "h1", 0, "/bin/app", 0)),
                PcmCodec.encode(new io.roam.pcm.wire.PcmMessage.Heartbeat(1, 2, 3, 4, 5,
                        List.of(new io.roam.pcm.wire.PeerTraffic(0, 1, 2)))),
                PcmCodec.encode(new io.roam.pcm.wire.PcmMessage.MigrationFailed(9, -11, "spawn failed")),
                PcmCodec.encode(new io.roam.pcm.wire.PcmMessage.Bye(io.roam.pcm.wire.PcmMessage.Bye.Reason.FINALIZED)));
        try (TestAgents agents = new TestAgents(dir)) {
            Agent agent = agents.start("h1", "default", "p2p", TestAgents.INVENTED_PIDS);
            Path socket = agent.settings().pcmSocket();
            try (SocketChannel good = connect(socket)) {
                send(good, PcmCodec.encode(new Register("job-a", 0, 2, 1001, "h1", 0, "/bin/app", 0)));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(nodes(agent).get(0).processes()).extracting(p -> p.pid()).containsExactly(1001L));
                for (int i = 0; i < 400; i++) {
                    try (SocketChannel ch = connect(socket)) {
                        // a valid REGISTER first half the time, so mutated frames also reach a registered connection
                        if (random.nextBoolean()) {
                            send(ch, valid.get(0));
                        }
                        for (int k = random.nextInt(1, 4); k > 0; k--) {
                            byte[] bytes = random.nextInt(4) == 0 ? io.roam.pcm.wire.PcmFrameMutator.randomBytes(random)
                                    : io.roam.pcm.wire.PcmFrameMutator.mutate(valid.get(random.nextInt(valid.size())), random);
                            try {
                                send(ch, bytes);
                            } catch (IOException dropped) {
                                break;   // the agent closed this connection already
                            }
                        }
                    }
                }
                // every fuzzed connection is gone with whatever it registered; the good process stays
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(nodes(agent).get(0).processes()).extracting(p -> p.pid()).containsExactly(1001L));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(Thread.getAllStackTraces().keySet()).as("connection threads left")
                                .filteredOn(t -> t.getName().startsWith("pcm-conn-")).hasSize(1));
                send(good, PcmCodec.encode(new io.roam.pcm.wire.PcmMessage.Heartbeat(77, 1, 1, 1, 0, List.of())));
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(nodes(agent).get(0).profiles()).singleElement()
                                .satisfies(p -> assertThat(p.iterations()).isEqualTo(77)));
                assertThat(good.isOpen()).isTrue();
            }
        }
    }

    @Test
    void aProcessProfileJoinsItsHeartbeatAndProc() throws Exception {
        try (TestAgents agents = new TestAgents(dir); SocketChannel ch = connect(
                agents.start("h1", "default", "p2p").settings().pcmSocket())) {
            Agent agent = agents.agents.get(0);
            long pid = ProcessHandle.current().pid();   // a live pid, so /proc has it
            send(ch, PcmCodec.encode(new Register("job-p", 3, 4, pid, "h1", 1, "/bin/app", 4096)));
            send(ch, PcmCodec.encode(new io.roam.pcm.wire.PcmMessage.Heartbeat(250, 2_000_000, 400_000_000L,
                    100_000_000L, 4096, List.of(new io.roam.pcm.wire.PeerTraffic(2, 250, 250 * 4096),
                    new io.roam.pcm.wire.PeerTraffic(4, 0, 0)))));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                var profiles = nodes(agent).get(0).profiles();
                assertThat(profiles).hasSize(1);
                var p = profiles.get(0);
                assertThat(p.jobId()).isEqualTo("job-p");
                assertThat(p.rank()).isEqualTo(3);
                assertThat(p.moves()).isEqualTo(1);
                assertThat(p.iterations()).isEqualTo(250);
                assertThat(p.iterationNs()).isEqualTo(2_000_000);
                assertThat(p.computeNs()).isEqualTo(400_000_000L);
                assertThat(p.stateBytes()).isEqualTo(4096);
                assertThat(p.bytesSent()).isEqualTo(250 * 4096);
                assertThat(p.cpuMillis()).isPositive();        // from /proc: this JVM's CPU time
                assertThat(p.rssBytes()).isGreaterThan(1 << 20);
            });
        }
    }

    @Test
    void aStaleSocketFileIsReplacedAndASocketInUseRefused() throws Exception {
        Path stale = dir.resolve("pcm-h1.sock");
        try (SocketChannel listener = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(stale));   // bound, never listening: stale
        }
        assertThat(stale).exists();
        try (TestAgents agents = new TestAgents(dir)) {
            Agent a = agents.start("h1", "default", "p2p");
            try (SocketChannel ch = connect(a.settings().pcmSocket())) {
                assertThat(ch.isConnected()).isTrue();
            }
            // a second agent with the same host name would take the same socket: refused at start
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> agents.start("h1", "default", "p2p"))
                    .hasMessageContaining("another agent is listening on " + a.settings().pcmSocket());
        }
    }
}
