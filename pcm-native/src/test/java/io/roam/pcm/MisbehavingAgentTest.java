package io.roam.pcm;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmErrors;
import io.roam.pcm.wire.PcmFrameReader;
import io.roam.pcm.wire.PcmMessage;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * libpcm against an agent that misbehaves: each connection of the application's processes is
 * answered with one kind of bad input in turn (garbage, an impossible length, a wrong version,
 * an unknown type, a truncated string, a MIGRATE to a host that does not resolve, an ERROR, an
 * abrupt close, a frame that never ends) and then closed. The application must not notice: it
 * reconnects, registers again, finishes with the right result, and answers the bad MIGRATE
 * with MIGRATION_FAILED instead of moving.
 */
@Tag("system")
@Timeout(180)
class MisbehavingAgentTest {
    private static final Path PROG = Path.of("target/native/test/pcm_steady_prog").toAbsolutePath();

    @TempDir
    Path dir;

    private static byte[] header(long length, int version, int type) {
        return ByteBuffer.allocate(8).putInt((int) length).put((byte) version).put((byte) type).putShort((short) 0)
                .array();
    }

    /** The kinds of misbehaviour, by name. */
    private static final Map<String, Supplier<byte[]>> KINDS = new java.util.LinkedHashMap<>();

    static {
        Random random = new Random(42);
        KINDS.put("garbage", () -> {
            byte[] b = new byte[64];
            random.nextBytes(b);
            return b;
        });
        KINDS.put("huge length", () -> header(0xFFFF_FFFFL, 1, PcmMessage.REGISTERED));
        KINDS.put("wrong version", () -> header(4, 9, PcmMessage.REGISTERED));
        KINDS.put("unknown type", () -> header(4, 1, 200));
        KINDS.put("truncated string", () -> {
            byte[] h = header(4 + 2 + 3, 1, PcmMessage.REGISTERED);
            byte[] out = Arrays.copyOf(h, h.length + 5);
            out[8] = 0x0F;   // a string of 4000 bytes, 3 present
            out[9] = (byte) 0xA0;
            return out;
        });
        KINDS.put("migrate to nowhere", () -> PcmCodec.encode(new PcmMessage.Migrate(77, "no-such-host.invalid", 0)));
        KINDS.put("error", () -> PcmCodec.encode(new PcmMessage.Error(PcmErrors.PCM_ERR_PROTOCOL, "go away")));
        KINDS.put("close", () -> new byte[0]);
        KINDS.put("endless frame", () -> Arrays.copyOf(header(PcmCodec.MAX_FRAME, 1, PcmMessage.REGISTERED), 20));
    }

    @Test
    void theApplicationKeepsGoingWhateverItsAgentSends() throws Exception {
        MpiJob.requireMpirun();
        Path socket = dir.resolve("bad-agent.sock");
        List<String> kinds = List.copyOf(KINDS.keySet());
        Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
        List<PcmMessage> received = new CopyOnWriteArrayList<>();
        AtomicInteger next = new AtomicInteger();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread acceptor = new Thread(() -> {
                while (server.isOpen()) {
                    try {
                        SocketChannel ch = server.accept();
                        String kind = kinds.get(next.getAndIncrement() % kinds.size());
                        served.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
                        Thread t = new Thread(() -> misbehave(ch, KINDS.get(kind).get(), received));
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "bad-agent");
            acceptor.setDaemon(true);
            acceptor.start();

            MpiJob.Result job = MpiJob.run(dir, socket, 2, List.of(PROG.toString(), "600", "10"), 150);
            assertThat(job.exit()).as(job.output()).isZero();
            assertThat(job.output()).contains("steady ok: 600 iterations");
        }
        assertThat(served.keySet()).as("kinds of misbehaviour the processes met").containsAll(kinds);
        assertThat(received).filteredOn(m -> m instanceof PcmMessage.Register).hasSizeGreaterThan(kinds.size());
        assertThat(received).filteredOn(m -> m instanceof PcmMessage.MigrationFailed)
                .as("answers to the MIGRATE to a host that does not resolve").isNotEmpty()
                .allSatisfy(m -> {
                    PcmMessage.MigrationFailed f = (PcmMessage.MigrationFailed) m;
                    assertThat(f.orderId()).isEqualTo(77);
                    assertThat(f.code()).isEqualTo(PcmErrors.PCM_ERR_HOST);
                });
    }

    /**
     * No agent where the process looks for it (a given socket, or the default one): each process
     * says so once on stderr, naming the path, however often it tries again, and runs on.
     */
    @Test
    void aProcessThatCannotReachItsAgentSaysSoOnceAndRunsOn() throws Exception {
        MpiJob.requireMpirun();
        Path absent = dir.resolve("absent-agent.sock");
        MpiJob.Result job = MpiJob.run(dir, absent, 2, List.of(PROG.toString(), "300", "2"), 150);
        assertThat(job.exit()).as(job.output()).isZero();
        assertThat(job.output()).contains("steady ok: 300 iterations");
        String line = "cannot reach the agent at " + absent + " (No such file or directory): this process runs"
                + " without an agent, and will not migrate, until one answers there";
        assertThat(job.output().lines().filter(l -> l.contains("cannot reach the agent"))).as(job.output())
                .hasSize(2).allMatch(l -> l.contains(line));

        // ROAM_AGENT_SOCKET unset: the agent's default path, with this host's name
        String host = "no-agent-" + ProcessHandle.current().pid();
        MpiJob.Result byDefault = MpiJob.run(dir, Map.of("ROAM_HOST", host), 2,
                List.of(PROG.toString(), "100", "2"), 150);
        assertThat(byDefault.exit()).as(byDefault.output()).isZero();
        String expected = "root".equals(System.getProperty("user.name")) ? "/run/roam/agent-" + host + ".sock"
                : "/roam/agent-" + host + ".sock";
        assertThat(byDefault.output().lines().filter(l -> l.contains("cannot reach the agent"))).as(byDefault.output())
                .hasSize(2).allMatch(l -> l.contains(expected + " ("));
    }

    /**
     * How long a connection is held after its bad bytes when the process neither drops it nor
     * answers: the endless frame's misbehaviour is to stay open, unfinished, this long.
     */
    private static final long HOLD_MS = 150;

    /**
     * Sends the bad bytes, reads what the process says until it reacts (it drops the
     * connection, or answers the MIGRATE to nowhere with MIGRATION_FAILED) or HOLD_MS pass,
     * then closes.
     */
    private static void misbehave(SocketChannel ch, byte[] bad, List<PcmMessage> received) {
        try (ch) {
            Thread reader = new Thread(() -> {
                try {
                    PcmFrameReader r = new PcmFrameReader(ch);
                    for (PcmMessage m = r.read(); m != null; m = r.read()) {
                        received.add(m);
                        if (m instanceof PcmMessage.MigrationFailed) {
                            return;   // the answer to the MIGRATE to nowhere
                        }
                    }
                } catch (IOException endedByEitherSide) {
                    // the process dropped us, or we closed
                }
            });
            reader.setDaemon(true);
            reader.start();
            ByteBuffer b = ByteBuffer.wrap(bad);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (bad.length > 0) {
                reader.join(HOLD_MS);
            }
        } catch (IOException | InterruptedException dropped) {
            // the process closed first: what it should do with most of these
        }
    }
}
