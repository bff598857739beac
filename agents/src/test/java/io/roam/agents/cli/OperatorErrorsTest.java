package io.roam.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;
import org.slf4j.LoggerFactory;

/**
 * Every operator error of issue 20, through the real entry point ({@link RoamCli#execute}, what
 * main runs before System.exit): one line on stderr naming what is wrong and what to do, the
 * exit code of the README's table, no stack trace (neither printed nor logged), never "null",
 * nothing on stdout, and nothing started (no PCM socket, no token file). The ports in use are
 * held by this test; the agent URLs point at a port nothing listens on.
 */
@ResourceLock(Resources.SYSTEM_ERR)
@ResourceLock(Resources.SYSTEM_OUT)
@ResourceLock(Resources.SYSTEM_PROPERTIES)
class OperatorErrorsTest {
    private static Path dir;
    private static ServerSocket clusterPortTaken;
    private static ServerSocket httpPortTaken;
    private static ServerSocketChannel pcmSocketTaken;
    private static int closedPort;

    /** One operator error: the arguments, a system property (-D) or null, the exit code, what the line says. */
    record Case(String name, List<String> args, Map<String, String> properties, int exit, List<String> says) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void takePorts() throws Exception {
        dir = Files.createTempDirectory("roam-operator-errors");
        clusterPortTaken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        httpPortTaken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        pcmSocketTaken = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        pcmSocketTaken.bind(UnixDomainSocketAddress.of(dir.resolve("taken.sock")));
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();   // closed again: nothing listens there
        }
        Files.writeString(dir.resolve("misspelt.conf"), "roam.agent {\n  slots = 2\n  topologgy = p2p\n}\n");
        Files.createDirectories(dir.resolve("tok"), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        Files.writeString(dir.resolve("tok/token"), "a".repeat(64) + "\n");
        Files.setPosixFilePermissions(dir.resolve("tok/token"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @AfterAll
    static void release() throws Exception {
        clusterPortTaken.close();
        httpPortTaken.close();
        pcmSocketTaken.close();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** A case that failed and left a token or socket behind must not make the next ones fail. */
    @AfterEach
    void removeWhatACaseLeft() throws Exception {
        Files.deleteIfExists(dir.resolve("agent-tok/token"));
        Files.deleteIfExists(dir.resolve("agent-tok"));
        Files.deleteIfExists(dir.resolve("a.sock"));
    }

    /** roam agent with its own socket and token file, ports chosen by the system, then {@code more}. */
    private static List<String> agent(String... more) {
        List<String> a = new ArrayList<>(List.of("agent", "--set", "roam.agent.http.token-file=\""
                + dir.resolve("agent-tok/token") + "\""));
        Map<String, String> defaults = Map.of("--socket", dir.resolve("a.sock").toString(), "--port", "0",
                "--http-port", "0");
        defaults.forEach((option, value) -> {
            if (!List.of(more).contains(option)) {
                a.addAll(List.of(option, value));
            }
        });
        a.addAll(List.of(more));
        return a;
    }

    private static Case c(String name, List<String> args, int exit, String... says) {
        return new Case(name, args, Map.of(), exit, List.of(says));
    }

    static Stream<Case> cases() {
        String closed = "http://127.0.0.1:" + closedPort;
        String token = dir.resolve("tok/token").toString();
        return Stream.of(
                // configuration: unknown keys, with the nearest known one, wherever they were set
                c("misspelt key in --set", agent("--set", "roam.agent.max-neigbours=5"), 2,
                        "unknown configuration key roam.agent.max-neigbours", "--set roam.agent.max-neigbours=5",
                        "did you mean roam.agent.max-neighbours?"),
                c("misspelt key in --config", agent("--config", dir.resolve("misspelt.conf").toString()), 2,
                        "unknown configuration key roam.agent.topologgy", "misspelt.conf: 3",
                        "did you mean roam.agent.topology?"),
                new Case("misspelt key as -D", agent(), Map.of("roam.stealing.perod", "2s"), 2,
                        List.of("unknown configuration key roam.stealing.perod", "system properties",
                                "did you mean roam.stealing.period?")),
                // every range before anything starts
                c("events-interval out of range", agent("--set", "roam.agent.http.events-interval=5ms"), 2,
                        "roam.agent.http.events-interval = 5ms", "allowed 200 ms to 1 min"),
                c("max-neighbours out of range", agent("--set", "roam.agent.max-neighbours=0"), 2,
                        "roam.agent.max-neighbours = 0", "allowed 1 to 1000"),
                c("cluster port out of range", agent("--port", "70000"), 2,
                        "pekko.remote.artery.canonical.port = 70000", "0 to 65535"),
                c("HTTP port out of range", agent("--http-port", "70000"), 2, "roam.agent.http.port = 70000",
                        "0 to 65535"),
                c("log format unknown", agent("--log-format", "xml"), 2, "roam.agent.log.format = xml", "text, json"),
                // ports in use, bad and foreign addresses
                c("cluster port in use", agent("--port", Integer.toString(clusterPortTaken.getLocalPort())), 3,
                        "port " + clusterPortTaken.getLocalPort() + " on 127.0.0.1 is in use", "--port 0"),
                c("HTTP port in use", agent("--http-port", Integer.toString(httpPortTaken.getLocalPort())), 3,
                        "port " + httpPortTaken.getLocalPort() + " on 127.0.0.1 is in use", "--http-port 0"),
                c("PCM socket in use", agent("--socket", dir.resolve("taken.sock").toString()), 3,
                        "another agent is listening on " + dir.resolve("taken.sock"), "roam.agent.pcm.socket"),
                c("HTTP bind not an address", agent("--http-bind", "999.1.1.1"), 2,
                        "roam.agent.http.interface = 999.1.1.1", "neither an address nor a name that resolves"),
                c("cluster bind not an address", agent("--bind", "999.1.1.1"), 2,
                        "pekko.remote.artery.canonical.hostname = 999.1.1.1", "--bind"),
                c("cluster bind not this machine's", agent("--bind", "192.0.2.1"), 3,
                        "192.0.2.1 is not an address of this machine", "--bind"),
                c("HTTP bind not this machine's", agent("--http-bind", "192.0.2.1", "--set",
                        "roam.agent.http.allow-insecure-bind=true"), 3,
                        "192.0.2.1 is not an address of this machine", "--http-bind"),
                // command-line mistakes: one line, not the usage
                c("unknown option", agent("--htp-port", "1"), 2, "Unknown option", "--htp-port",
                        "did you mean --http-port", "roam agent --help"),
                c("bad --seed", agent("--seed", "nocolon"), 2, "--seed must be HOST:PORT, was nocolon"),
                c("missing options", List.of("migrate", "--job", "j"), 2, "Missing required options", "--rank"),
                // agent URLs
                c("--agent not a URL", List.of("status", "--agent", "notaurl"), 2, "'notaurl' is not an agent's URL",
                        "http://HOST:PORT"),
                c("--agent with a bad host", List.of("migrate", "--agent", "http://999.1.1.1:1", "--job", "j",
                        "--rank", "0", "--to", "x"), 2, "'http://999.1.1.1:1' is not an agent's URL"),
                c("--agent not http", List.of("drain", "--agent", "ftp://x", "n"), 2, "does not start with http://"),
                c("--agent without a host", List.of("undrain", "--agent", "http://", "n"), 2,
                        "'http://' is not an agent's URL"),
                c("--agent port out of range", List.of("profile", "--agent", "http://127.0.0.1:99999"), 2,
                        "port 99999 is not from 1 to 65535"),
                // no agent there: one line, the exception told in words, never null
                c("status, no agent", List.of("status", "--agent", closed), 1, "cannot reach the agent at " + closed,
                        "connection refused", "roam agent starts one"),
                c("migrate, no agent", List.of("migrate", "--agent", closed, "--token-file", token, "--job", "j",
                        "--rank", "0", "--to", "x"), 1, "roam migrate: cannot reach the agent", "connection refused"),
                c("drain, no agent", List.of("drain", "--agent", closed, "--token-file", token, "n"), 1,
                        "roam drain: cannot reach the agent", "connection refused"),
                c("undrain, no agent", List.of("undrain", "--agent", closed, "--token-file", token, "n"), 1,
                        "roam undrain: cannot reach the agent", "connection refused"),
                c("run, no agent", List.of("run", "--agent", closed, "--", "-np", "1", "true"), 1,
                        "roam run: cannot reach the agent"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneLineAndTheDocumentedExitCode(Case c) throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
        ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(outBuf, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errBuf, true, StandardCharsets.UTF_8));
        c.properties().forEach(System::setProperty);
        ConfigFactory.invalidateCaches();
        int exit;
        try {
            exit = RoamCli.execute(c.args().toArray(String[]::new));
        } finally {
            System.setOut(out);
            System.setErr(err);
            c.properties().keySet().forEach(System::clearProperty);
            ConfigFactory.invalidateCaches();
            root.detachAppender(logged);
        }
        String stderr = errBuf.toString(StandardCharsets.UTF_8);
        List<String> lines = stderr.strip().lines().toList();
        assertThat(exit).as(stderr).isEqualTo(c.exit());
        assertThat(lines).as("stderr").hasSize(1);
        String line = lines.get(0);
        assertThat(line).startsWith("roam " + c.args().get(0) + ": ").contains(c.says()).doesNotContain("null")
                .doesNotContain("Exception");
        assertThat(outBuf.toString(StandardCharsets.UTF_8)).as("stdout").isEmpty();
        assertThat(logged.list).as("log events while it failed").allSatisfy(e -> {
            assertThat(e.getThrowableProxy()).as(e.getFormattedMessage()).isNull();
            assertThat(e.getLevel().toInt()).as(e.getFormattedMessage()).isLessThan(ch.qos.logback.classic.Level.WARN_INT);
        });
        assertThat(dir.resolve("a.sock")).as("no PCM socket").doesNotExist();
        assertThat(dir.resolve("agent-tok")).as("no token file").doesNotExist();
    }
}
