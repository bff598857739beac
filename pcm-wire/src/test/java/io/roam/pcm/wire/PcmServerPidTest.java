package io.roam.pcm.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmMessage.Registered;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pid of a REGISTER must be the connecting process or a descendant of it: the process's
 * own pid registers, a child's too; pid 1, the connecting process's parent and a pid that does
 * not exist are answered ERROR and closed, never reach the listener, and the server goes on.
 * Both from this JVM and from a separate process (a small C client).
 */
@Timeout(60)
class PcmServerPidTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Connects, waits for a line on stdin (the frame file is written then), sends the file, copies what it reads to stdout. */
    private static final String CLIENT = """
            #include <stdio.h>
            #include <string.h>
            #include <unistd.h>
            #include <sys/socket.h>
            #include <sys/time.h>
            #include <sys/un.h>
            int main(int argc, char **argv) {
                int fd = socket(AF_UNIX, SOCK_STREAM, 0);
                struct sockaddr_un sa = {0}; sa.sun_family = AF_UNIX;
                strncpy(sa.sun_path, argv[1], sizeof sa.sun_path - 1);
                if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { perror("connect"); return 2; }
                char go[8];
                if (!fgets(go, sizeof go, stdin)) return 3;
                char frame[4096]; FILE *f = fopen(argv[2], "rb");
                if (!f) { perror("frame"); return 4; }
                size_t n = fread(frame, 1, sizeof frame, f); fclose(f);
                (void)!send(fd, frame, n, MSG_NOSIGNAL);
                struct timeval tv = {2, 0};
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                char buf[4096]; ssize_t r;
                while ((r = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)r, stdout);
                return 0;
            }
            """;

    @TempDir
    Path dir;
    PcmRecorder recorder;
    PcmServer server;

    @BeforeEach
    void start() throws IOException {
        recorder = new PcmRecorder();
        server = new PcmServer(dir.resolve("agent.sock"), recorder, new PcmServer.Options("pid-test", 0)).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Register claiming(long rank, long pid) {
        return new Register("job-p", rank, 8, pid, "h", 0, "/bin/app", 0);
    }

    @Test
    void theConnectingProcessAndItsChildRegisterWhilePidOneAndTheParentAreRefused() throws Exception {
        long self = ProcessHandle.current().pid();
        Process child = new ProcessBuilder("sleep", "60").start();
        try (TestClient own = TestClient.connect(server.socketPath());
             TestClient forChild = TestClient.connect(server.socketPath())) {
            own.send(claiming(0, self));
            assertThat(own.read(Registered.class)).isNotNull();
            forChild.send(claiming(1, child.pid()));
            assertThat(forChild.read(Registered.class)).isNotNull();
            assertThat(recorder.awaitRegistrations(2, WAIT)).extracting(r -> ((Register) r.message()).pid())
                    .containsExactlyInAnyOrder(self, child.pid());

            long parent = ProcessHandle.current().parent().orElseThrow().pid();
            long gone = finishedPid();
            int rank = 2;
            for (long claimed : List.of(1L, parent, gone)) {
                try (TestClient liar = TestClient.connect(server.socketPath())) {
                    liar.send(claiming(rank++, claimed));
                    PcmMessage.Error error = liar.read(PcmMessage.Error.class);
                    assertThat(error.code()).isEqualTo(PcmErrors.PCM_ERR_PROTOCOL);
                    assertThat(error.message()).contains("refused", "pid " + claimed);
                    assertThat(liar.readsEndOfStream()).isTrue();
                }
            }
            assertThat(server.refusedRegistrations()).isEqualTo(3);
            assertThat(recorder.received()).filteredOn(r -> r.message() instanceof Register)
                    .extracting(r -> ((Register) r.message()).pid()).containsExactlyInAnyOrder(self, child.pid());
            // the server and its other connections go on
            assertThat(server.isRunning()).isTrue();
            own.send(new PcmMessage.Bye(PcmMessage.Bye.Reason.FINALIZED));
            recorder.awaitMessage(PcmMessage.Bye.class, b -> true, WAIT);
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aSeparateProcessRegistersItsOwnPidButNotItsParents() throws Exception {
        Path client = compileClient();
        List<PcmMessage> honest = runClient(client, Process::pid, 0);
        assertThat(honest).hasSize(1).first().isInstanceOf(Registered.class);
        List<PcmMessage> liar = runClient(client, p -> ProcessHandle.current().pid(), 1);
        assertThat(liar).hasSize(1).first().isInstanceOfSatisfying(PcmMessage.Error.class, e ->
                assertThat(e.message()).contains("pid " + ProcessHandle.current().pid(), "neither the process that"
                        + " connected nor a descendant of it"));
        assertThat(recorder.awaitRegistrations(1, WAIT)).hasSize(1).first()
                .satisfies(r -> assertThat(((Register) r.message()).rank()).isZero());
        assertThat(server.refusedRegistrations()).isEqualTo(1);
    }

    @Test
    void ssOutputIsReadFromTheEndSoThatPathsMayHoldSpaces() {
        List<String> ss = List.of("u_str ESTAB 0 0 * 71 * 72",
                "u_str ESTAB 0      0      /tmp/a b/agent.sock 72 * 71",
                "u_str LISTEN 0 4096 /tmp/a b/agent.sock 70 * 0");
        assertThat(PeerProcess.peerIn(ss, 72)).hasValue(71);
        assertThat(PeerProcess.peerIn(ss, 71)).hasValue(72);
        assertThat(PeerProcess.peerIn(ss, 99)).isEmpty();
        assertThat(PeerProcess.parent(ProcessHandle.current().pid()))
                .isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
    }

    /** Runs the C client claiming pidOf(its process) and returns the frames it read. */
    private List<PcmMessage> runClient(Path client, java.util.function.ToLongFunction<Process> pidOf, long rank)
            throws Exception {
        Path frame = dir.resolve("frame-" + rank);
        Process p = new ProcessBuilder(client.toString(), server.socketPath().toString(), frame.toString()).start();
        Files.write(frame, PcmCodec.encode(claiming(rank, pidOf.applyAsLong(p))));
        try (OutputStream go = p.getOutputStream()) {
            go.write('\n');
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(new String(p.getErrorStream().readAllBytes())).isZero();
        PcmFrameReader reader = new PcmFrameReader(new ByteArrayInputStream(out));
        List<PcmMessage> frames = new java.util.ArrayList<>();
        for (PcmMessage m = reader.read(); m != null; m = reader.read()) {
            frames.add(m);
        }
        return frames;
    }

    private Path compileClient() throws Exception {
        Path client = dir.resolve("client");
        Files.writeString(dir.resolve("client.c"), CLIENT);
        Process cc = new ProcessBuilder("cc", "-O1", "-o", client.toString(), dir.resolve("client.c").toString())
                .redirectErrorStream(true).start();
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).as(new String(cc.getInputStream().readAllBytes())).isZero();
        return client;
    }

    private static long finishedPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
