package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roam.agents.cli.RoamCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * The control API's guards without an agent: the token file (created owner-only, shared by
 * agents that start together, refused when others may read it), the Host and Origin rules, what
 * counts as acting, and the refusal of a non-loopback bind without TLS.
 */
class ControlAccessTest {
    @TempDir
    Path dir;

    @Test
    void theTokenFileIsCreatedOwnerOnlyInAnOwnerOnlyDirectoryAndReadBack() throws Exception {
        Path file = dir.resolve("run/roam/token");
        ControlToken created = ControlToken.loadOrCreate(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        String token = ControlToken.read(file);
        assertThat(token).matches("[0-9a-f]{64}");
        assertThat(created.matches(token)).isTrue();
        assertThat(created.matches(token.substring(1))).isFalse();
        assertThat(created.matches(token + "0")).isFalse();
        assertThat(created.matches("")).isFalse();
        assertThat(created.matches(null)).isFalse();
        // a second agent on the machine reads the same token
        assertThat(ControlToken.loadOrCreate(file).matches(token)).isTrue();
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void agentsStartingTogetherShareOneToken() throws Exception {
        Path file = dir.resolve("shared/token");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ControlToken>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                all.add(pool.submit((Callable<ControlToken>) () -> ControlToken.loadOrCreate(file)));
            }
            String token = null;
            for (Future<ControlToken> f : all) {
                ControlToken t = f.get();
                token = token == null ? ControlToken.read(file) : token;
                assertThat(t.matches(token)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void aTokenFileOthersMayReadOrABadOneIsRefusedNamingWhatToDo() throws Exception {
        Path file = dir.resolve("loose/token");
        ControlToken.loadOrCreate(file);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ControlToken.loadOrCreate(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("roam.agent.http.token-file " + file).hasMessageContaining("rw-r--r--")
                .hasMessageContaining("chmod 600");
        Path open = dir.resolve("open");
        Files.createDirectory(open);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> ControlToken.loadOrCreate(open.resolve("token")))
                .hasMessageContaining("may be written by others");
        assertThat(open.resolve("token")).doesNotExist();
        Path empty = dir.resolve("empty/token");
        Files.createDirectories(empty.getParent());
        Files.createFile(empty, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        assertThatThrownBy(() -> ControlToken.read(empty)).isInstanceOf(IOException.class)
                .hasMessageContaining("holds no token");
        assertThatThrownBy(() -> ControlToken.read(dir.resolve("none"))).isInstanceOf(IOException.class)
                .hasMessageContaining("no token file " + dir.resolve("none")).hasMessageContaining("--token-file");
    }

    @Test
    void theDefaultTokenFileIsUnderRunForRootAndElseTheUsersOwn() {
        Path d = ControlToken.defaultFile();
        if ("root".equals(System.getProperty("user.name"))) {
            assertThat(d).isEqualTo(Path.of("/run/roam/token"));
        } else {
            assertThat(d.toString()).endsWith("roam/token").doesNotStartWith("/run/roam");
        }
    }

    @Test
    void onlyTheAgentsOwnNamesPassAndAnOriginMustBeTheAgentsOwn() {
        RequestGuard guard = new RequestGuard(ControlToken.loadOrCreate(dir.resolve("t/token")),
                RequestGuard.names("10.242.0.2", "node1", List.of("api.example.org")));
        assertThat(guard.foreign(get("127.0.0.1:7170", null))).isEmpty();
        assertThat(guard.foreign(get("localhost:8080", null))).as("a tunnel's own port").isEmpty();
        assertThat(guard.foreign(get("[::1]:7170", null))).isEmpty();
        assertThat(guard.foreign(get("10.242.0.2:7170", "http://10.242.0.2:7170"))).isEmpty();
        assertThat(guard.foreign(get("NODE1:7170", null))).isEmpty();
        assertThat(guard.foreign(get("api.example.org", "http://api.example.org"))).isEmpty();

        assertThat(guard.foreign(get("evil.example:7170", null))).hasValueSatisfying(m ->
                assertThat(m).contains("Host evil.example:7170 is not a name of this agent"));
        assertThat(guard.foreign(get("10.242.0.3:7170", null))).isPresent();
        assertThat(guard.foreign(get("127.0.0.1:7170:1", null))).isPresent();
        assertThat(guard.foreign(get("127.0.0.1.evil.example", null))).isPresent();
        assertThat(guard.foreign(get(null, null))).hasValue("refused: no Host header");

        for (String origin : List.of("http://evil.example", "http://127.0.0.1:7171", "https://127.0.0.1:7170",
                "null", "http://127.0.0.1:7170/x", "file://")) {
            assertThat(guard.foreign(get("127.0.0.1:7170", origin))).as(origin).hasValueSatisfying(m ->
                    assertThat(m).contains("Origin " + origin, "not this agent's page"));
        }
        assertThat(guard.foreign(get("localhost:8080", "http://localhost:8080"))).isEmpty();
    }

    @Test
    void everyMethodButGetAndHeadActs() {
        assertThat(RequestGuard.acts(HttpRequest.create("/api/status"))).isFalse();
        assertThat(RequestGuard.acts(HttpRequest.create("/").withMethod(HttpMethods.HEAD))).isFalse();
        for (var m : Set.of(HttpMethods.POST, HttpMethods.PUT, HttpMethods.DELETE, HttpMethods.PATCH,
                HttpMethods.OPTIONS)) {
            assertThat(RequestGuard.acts(HttpRequest.create("/api/stop").withMethod(m))).as(m.name()).isTrue();
        }
    }

    @Test
    void aNonLoopbackBindWithoutTlsIsRefusedUnlessAllowed() {
        assertThat(Agent.openBind("127.0.0.1", false, false)).isFalse();
        assertThat(Agent.openBind("::1", false, false)).isFalse();
        assertThat(Agent.openBind("10.242.0.2", true, false)).as("TLS on").isFalse();
        assertThat(Agent.openBind("0.0.0.0", false, true)).as("allowed: warned").isTrue();
        for (String address : List.of("10.242.0.2", "0.0.0.0")) {
            assertThatThrownBy(() -> Agent.openBind(address, false, false)).hasMessageContaining(
                    "roam.agent.http.interface = " + address).hasMessageContaining("without TLS")
                    .hasMessageContaining("roam.agent.http.allow-insecure-bind = true");
        }
    }

    @Test
    @ResourceLock(Resources.SYSTEM_ERR)
    void roamAgentRefusesAnOpenBindWithOneLineAndStartsNothing() {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = RoamCli.execute("agent", "--socket", dir.resolve("a.sock").toString(), "--http-port", "0",
                    "--port", "0", "--http-bind", "0.0.0.0", "--set", "roam.agent.http.token-file=\""
                            + dir.resolve("tok/token") + "\"", "--set", "roam.agent.tls.enabled=false",
                    "--set", "roam.agent.tls.key-dir=\"" + dir.resolve("keys") + "\"");
        } finally {
            System.setErr(err);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(exit).isEqualTo(2);
        assertThat(out.strip().lines()).hasSize(1).first().asString().startsWith("roam agent: invalid configuration"
                + " roam.agent.http.interface = 0.0.0.0");
        assertThat(dir.resolve("a.sock")).doesNotExist();
        assertThat(dir.resolve("tok")).doesNotExist();
        assertThat(dir.resolve("keys")).doesNotExist();
    }

    private static HttpRequest get(String host, String origin) {
        HttpRequest r = HttpRequest.create("/api/status");
        r = host == null ? r : (HttpRequest) r.addHeader(RawHeader.create("Host", host));
        return origin == null ? r : (HttpRequest) r.addHeader(RawHeader.create("Origin", origin));
    }
}
