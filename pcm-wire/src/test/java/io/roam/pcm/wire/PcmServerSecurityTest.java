package io.roam.pcm.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may talk to the PCM socket: the socket file is owner-only from the start, a process of
 * another user is closed before anything it sends is read (peer credentials), and connections
 * beyond the limit are closed too.
 */
@Timeout(60)
class PcmServerSecurityTest {
    /** A client in C run as another user: sends the frame in a file, then reports how the server answered. */
    private static final String CLIENT = """
            #include <errno.h>
            #include <stdio.h>
            #include <string.h>
            #include <unistd.h>
            #include <sys/socket.h>
            #include <sys/time.h>
            #include <sys/un.h>
            int main(int argc, char **argv) {
                char frame[4096]; FILE *f = fopen(argv[2], "rb");
                if (!f) { perror("frame"); return 4; }
                size_t n = fread(frame, 1, sizeof frame, f); fclose(f);
                int fd = socket(AF_UNIX, SOCK_STREAM, 0);
                struct sockaddr_un sa = {0}; sa.sun_family = AF_UNIX;
                strncpy(sa.sun_path, argv[1], sizeof sa.sun_path - 1);
                if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) { perror("connect"); return 2; }
                struct timeval tv = {5, 0};
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
                (void)!send(fd, frame, n, MSG_NOSIGNAL);
                char buf[4096]; ssize_t r;
                while ((r = read(fd, buf, sizeof buf)) > 0) { printf("read %zd bytes\\n", r); }
                if (r == 0 || errno == ECONNRESET) { puts("closed by the server"); return 0; }
                perror("read"); return 3;
            }
            """;

    @TempDir
    Path dir;

    @Test
    void theSocketIsOwnerOnlyAsSoonAsItIsBound() throws IOException {
        try (PcmServer server = new PcmServer(dir.resolve("a.sock"), (c, m) -> { }, PcmServer.Options.defaults())
                .start()) {
            assertThat(Files.getPosixFilePermissions(server.socketPath()))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        }
    }

    @Test
    void aProcessOfAnotherUserIsClosedUnreadWhileTheOwnersOwnAreServed() throws Exception {
        requireRoot();
        Path client = dir.resolve("client");
        Files.writeString(dir.resolve("client.c"), CLIENT);
        Process cc = new ProcessBuilder("cc", "-O1", "-o", client.toString(), dir.resolve("client.c").toString())
                .redirectErrorStream(true).start();
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).as(new String(cc.getInputStream().readAllBytes())).isZero();
        Path frame = dir.resolve("register.bin");
        Files.write(frame, PcmCodec.encode(Samples.register(3)));
        // the test lets "nobody" reach the socket, which its owner-only mode would forbid: the
        // peer-credentials check is what must stop it
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(frame, PosixFilePermissions.fromString("rw-r--r--"));

        PcmRecorder recorder = new PcmRecorder();
        // Samples' invented pids: this test is about the user, the pid check has PcmServerPidTest
        try (PcmServer server = new PcmServer(dir.resolve("agent.sock"), recorder,
                PcmServer.Options.defaults().withPidCheck(false))
                .start()) {
            Files.setPosixFilePermissions(server.socketPath(), PosixFilePermissions.fromString("rw-rw-rw-"));
            Process other = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                    client.toString(), server.socketPath().toString(), frame.toString())
                    .redirectErrorStream(true).start();
            assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String out = new String(other.getInputStream().readAllBytes());
            assertThat(other.exitValue()).as(out).isZero();
            assertThat(out).doesNotContain("read ").contains("closed by the server");   // not even an ERROR
            assertThat(server.refusedPeers()).isEqualTo(1);

            try (TestClient own = TestClient.connect(server.socketPath())) {
                own.send(Samples.register(0));
                assertThat(own.read(PcmMessage.Registered.class)).isNotNull();
                assertThat(recorder.awaitRegistrations(1, Duration.ofSeconds(10))).hasSize(1);
            }
            assertThat(recorder.connectionFor(3)).as("the other user's REGISTER").isEmpty();
        } finally {
            new ProcessBuilder("chmod", "700", dir.toString()).start().waitFor();
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosedAndTheOthersGoOn() throws Exception {
        PcmRecorder recorder = new PcmRecorder();
        try (PcmServer server = new PcmServer(dir.resolve("b.sock"), recorder,
                new PcmServer.Options("limited", 0, 2, false)).start();
             TestClient a = TestClient.connect(server.socketPath());
             TestClient b = TestClient.connect(server.socketPath())) {
            a.send(Samples.register(0));
            b.send(Samples.register(1));
            assertThat(recorder.awaitRegistrations(2, Duration.ofSeconds(10))).hasSize(2);
            try (TestClient c = TestClient.connect(server.socketPath())) {
                assertThat(c.readsEndOfStream()).isTrue();
            }
            assertThat(server.refusedPeers()).isEqualTo(1);
            assertThat(server.connections()).hasSize(2);
            a.send(new PcmMessage.Heartbeat(1, 2, 3, 4, 5, List.of()));
            recorder.awaitMessage(PcmMessage.Heartbeat.class, h -> h.iteration() == 1, Duration.ofSeconds(10));
        }
    }

    private static void requireRoot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            if (System.getenv("CI") != null) {
                throw new AssertionError("CI runs as root: this test needs it to start a process of another user");
            }
            Assumptions.abort("not root: cannot start a process of another user (CI runs it as root)");
        }
    }
}
