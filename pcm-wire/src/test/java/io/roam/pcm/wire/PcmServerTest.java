package io.roam.pcm.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roam.pcm.wire.PcmMessage.Bye;
import io.roam.pcm.wire.PcmMessage.Heartbeat;
import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationStarted;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmMessage.Registered;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** PcmServer over a real Unix domain socket, with Java clients. */
@Timeout(30)
class PcmServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The clients register the invented pids of Samples (the pid check: PcmServerPidTest). */
    private static final PcmServer.Options OPTIONS = new PcmServer.Options("test-agent", 250).withPidCheck(false);

    @TempDir
    Path dir;
    Path socket;
    PcmRecorder recorder;
    PcmServer server;

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("agent.sock");
        recorder = new PcmRecorder();
        server = new PcmServer(socket, recorder, OPTIONS).start();
    }

    @AfterEach
    void stop() {
        server.close();
        assertThat(recorder.hookFailures()).isEmpty();
    }

    @Test
    void garbageDropsOneClientWhileTheOtherKeepsWorking() throws Exception {
        try (TestClient a = TestClient.connect(socket); TestClient b = TestClient.connect(socket)) {
            a.send(Samples.register(0));
            b.send(Samples.register(1));
            assertThat(a.read(Registered.class)).isEqualTo(new Registered("test-agent", 250));
            assertThat(b.read(Registered.class)).isEqualTo(new Registered("test-agent", 250));
            assertThat(recorder.awaitRegistrations(2, WAIT)).hasSize(2);
            PcmConnection connA = recorder.connectionFor(0).orElseThrow();
            PcmConnection connB = recorder.connectionFor(1).orElseThrow();
            assertThat(connA.registration()).contains(Samples.register(0));

            b.sendRaw("this is not a PCM frame at all".getBytes(StandardCharsets.US_ASCII));
            PcmMessage.Error error = b.read(PcmMessage.Error.class);
            assertThat(error.code()).isEqualTo(PcmErrors.PCM_ERR_PROTOCOL);
            assertThat(error.message()).contains("frame length");
            assertThat(b.readsEndOfStream()).isTrue();
            assertThat(recorder.awaitDisconnect(connB, WAIT)).isInstanceOf(PcmProtocolException.class);
            assertThat(recorder.connectionFor(1)).isEmpty();
            assertThat(server.connections()).containsExactly(connA);

            a.send(new Heartbeat(10, 5, 100, 20, 1024, List.of(new PeerTraffic(1, 3, 300))));
            recorder.awaitMessage(Heartbeat.class, h -> h.iteration() == 10, WAIT);
            recorder.connectionFor(0).orElseThrow().send(new Migrate(7, "node-b", 0));
            assertThat(a.read()).isEqualTo(new Migrate(7, "node-b", 0));
            a.send(new MigrationStarted(7, 11));
            PcmRecorder.Received started = recorder.awaitMessage(m -> m instanceof MigrationStarted, WAIT);
            assertThat(started.connection()).isSameAs(connA);
            assertThat(started.as(MigrationStarted.class).iteration()).isEqualTo(11);
            assertThat(recorder.messages(connA)).extracting(PcmMessage::type)
                    .containsExactly(PcmMessage.REGISTER, PcmMessage.HEARTBEAT, PcmMessage.MIGRATION_STARTED);
            assertThat(connA.isOpen()).isTrue();
        }
    }

    @Test
    void closeRemovesTheSocketFileAndDisconnectsClients() throws Exception {
        assertThat(socket).exists();
        try (TestClient a = TestClient.connect(socket)) {
            a.send(Samples.register(0));
            a.read(Registered.class);
            PcmConnection conn = recorder.awaitConnectionFor(0, WAIT);
            server.close();
            assertThat(socket).doesNotExist();
            assertThat(server.isRunning()).isFalse();
            assertThat(a.readsEndOfStream()).isTrue();
            assertThat(recorder.awaitDisconnect(conn, WAIT)).isNull();
            assertThat(server.connections()).isEmpty();
            assertThatThrownBy(() -> TestClient.connect(socket)).isInstanceOf(IOException.class);
        }
        server.close(); // idempotent
    }

    /** A process that registers, reports and leaves before reading REGISTERED loses nothing. */
    @Test
    void framesOfAClientThatClosedBeforeTheReplyAreAllReported() throws Exception {
        try (TestClient a = TestClient.connect(socket)) {
            a.send(Samples.register(5));
            a.send(new MigrationStarted(9, 100));
            a.send(new Bye(Bye.Reason.MIGRATED));
        }   // closed without reading REGISTERED
        PcmConnection conn = recorder.awaitMessage(m -> m instanceof Bye, WAIT).connection();
        assertThat(recorder.messages(conn)).extracting(PcmMessage::type)
                .containsExactly(PcmMessage.REGISTER, PcmMessage.MIGRATION_STARTED, PcmMessage.BYE);
    }

    @Test
    void cleanByeAndCloseReportsNoCause() throws Exception {
        PcmConnection conn;
        try (TestClient a = TestClient.connect(socket)) {
            a.send(Samples.register(0));
            a.read(Registered.class);
            a.send(new Bye(Bye.Reason.FINALIZED));
            conn = recorder.awaitMessage(m -> m instanceof Bye, WAIT).connection();
        }
        assertThat(recorder.awaitDisconnect(conn, WAIT)).isNull();
    }

    @Test
    void serverSideCloseEndsOnlyThatConnection() throws Exception {
        try (TestClient a = TestClient.connect(socket); TestClient b = TestClient.connect(socket)) {
            a.send(Samples.register(0));
            b.send(Samples.register(1));
            a.read(Registered.class);
            b.read(Registered.class);
            PcmConnection connA = recorder.awaitConnectionFor(0, WAIT);
            connA.close();
            assertThat(a.readsEndOfStream()).isTrue();
            assertThat(recorder.awaitDisconnect(connA, WAIT)).isNull();
            assertThatThrownBy(() -> connA.send(new Bye(Bye.Reason.FINALIZED))).isInstanceOf(IOException.class);
            recorder.awaitConnectionFor(1, WAIT).send(new Migrate(1, "x", 0));
            assertThat(b.read()).isEqualTo(new Migrate(1, "x", 0));
        }
    }

    @Test
    void hookSendsMigrateWhenRankTwoRegisters() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        recorder.addHook((conn, m) -> {
            threads.add(Thread.currentThread().getName());
            if (m instanceof Register r && r.rank() == 2) {
                conn.send(new Migrate(99, "node-c", 5));
            }
        });
        try (TestClient c1 = TestClient.connect(socket); TestClient c2 = TestClient.connect(socket)) {
            c1.send(Samples.register(1));
            c2.send(Samples.register(2));
            c1.read(Registered.class);
            c2.read(Registered.class); // REGISTERED always comes before what the listener sends
            assertThat(c2.read()).isEqualTo(new Migrate(99, "node-c", 5));
            c2.send(new MigrationStarted(99, 5));
            recorder.awaitMessage(MigrationStarted.class, s -> s.orderId() == 99, WAIT);
        }
        assertThat(threads).allMatch(name -> name.startsWith("pcm-conn-"));
    }

    @Test
    void reRegistrationOnANewConnectionWins() throws Exception {
        try (TestClient old = TestClient.connect(socket); TestClient fresh = TestClient.connect(socket)) {
            old.send(Samples.register(3));
            old.read(Registered.class);
            PcmConnection first = recorder.awaitConnectionFor(3, WAIT);
            Register moved = new Register("job-1", 3, 4, 777, "node-b", 1, "/usr/bin/heat", 1024);
            fresh.send(moved);
            fresh.read(Registered.class);
            recorder.awaitRegistrations(r -> r.moves() == 1, 1, WAIT);
            PcmConnection second = recorder.connectionFor("job-1", 3).orElseThrow();
            assertThat(second).isNotSameAs(first);
            assertThat(second.registration()).contains(moved);
            assertThat(server.connections()).containsExactly(first, second);
        }
    }

    @Test
    void messagesBeforeRegisterAreAProtocolError() throws Exception {
        try (TestClient a = TestClient.connect(socket)) {
            a.send(new Heartbeat(1, 1, 1, 1, 1, List.of()));
            assertThat(a.read(PcmMessage.Error.class).message()).contains("first message must be REGISTER");
            assertThat(a.readsEndOfStream()).isTrue();
        }
        PcmConnection conn = recorder.connections().get(0);
        assertThat(recorder.awaitDisconnect(conn, WAIT)).isInstanceOf(PcmProtocolException.class);
        assertThat(recorder.messages()).isEmpty();
    }

    @Test
    void agentOnlyMessagesFromAProcessAreAProtocolError() throws Exception {
        try (TestClient a = TestClient.connect(socket)) {
            a.send(Samples.register(0));
            a.read(Registered.class);
            a.send(new Migrate(1, "x", 0));
            assertThat(a.read(PcmMessage.Error.class).code()).isEqualTo(PcmErrors.PCM_ERR_PROTOCOL);
            assertThat(a.readsEndOfStream()).isTrue();
        }
    }

    @Test
    void wrongVersionIsAnsweredWithError() throws Exception {
        try (TestClient a = TestClient.connect(socket)) {
            a.sendRaw(PcmCodecMalformedTest.frame(2, PcmMessage.REGISTER, new byte[0]));
            PcmMessage.Error error = a.read(PcmMessage.Error.class);
            assertThat(error.code()).isEqualTo(PcmErrors.PCM_ERR_PROTOCOL);
            assertThat(error.message()).contains("version 2");
            assertThat(a.readsEndOfStream()).isTrue();
        }
    }

    @Test
    void concurrentSendsNeverInterleave() throws Exception {
        try (TestClient a = TestClient.connect(socket)) {
            a.send(Samples.register(0));
            a.read(Registered.class);
            PcmConnection conn = recorder.awaitConnectionFor(0, WAIT);
            int threads = 8;
            int each = 200;
            List<Thread> senders = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = t * 1000L;
                Thread sender = new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        try {
                            conn.send(new Migrate(base + i, "host-" + "x".repeat(i), i));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
                senders.add(sender);
                sender.start();
            }
            for (int i = 0; i < threads * each; i++) {
                Migrate m = a.read(Migrate.class);
                assertThat(m.targetHost()).hasSize(5 + (int) m.notBeforeIteration());
            }
            for (Thread sender : senders) {
                sender.join();
            }
        }
    }

    @Test
    void staleSocketFileIsReplaced() throws Exception {
        Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(stale));
        }
        assertThat(stale).exists(); // closing a Unix server socket leaves its file behind
        try (PcmServer second = new PcmServer(stale, new PcmRecorder(), OPTIONS).start();
             TestClient a = TestClient.connect(stale)) {
            assertThat(second.isRunning()).isTrue();
            a.send(Samples.register(0));
            assertThat(a.read()).isInstanceOf(Registered.class);
        }
        assertThat(stale).doesNotExist();
    }

    @Test
    void aLiveSocketOrARegularFileIsNotTakenOver() throws Exception {
        PcmServer rival = new PcmServer(socket, new PcmRecorder(), OPTIONS);
        assertThatThrownBy(rival::start).isInstanceOf(IOException.class).hasMessageContaining("another server");
        rival.close(); // never started: must not remove the live server's socket
        assertThat(socket).exists();
        try (TestClient a = TestClient.connect(socket)) {
            a.send(Samples.register(0));
            assertThat(a.read()).isInstanceOf(Registered.class);
        }

        Path file = dir.resolve("not-a-socket");
        Files.writeString(file, "precious");
        assertThatThrownBy(() -> new PcmServer(file, new PcmRecorder(), OPTIONS).start())
                .isInstanceOf(IOException.class).hasMessageContaining("not a socket");
        assertThat(file).hasContent("precious");
    }

    @Test
    void recorderTimesOutWithAnAssertionError() {
        assertThatThrownBy(() -> recorder.awaitRegistrations(1, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("timed out");
    }
}
