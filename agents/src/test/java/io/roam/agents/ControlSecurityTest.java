package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.roam.agents.cli.RoamCli;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmFrameReader;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.Register;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * Two agents in this JVM, with every guard on: a request that acts without the token (or with
 * a wrong one) is answered 401 and changes nothing, with it it works; a foreign Host or Origin
 * is answered 403; user nobody cannot read the token nor act; a process claiming pid 1 is
 * refused while a real one registers; the roam commands act with the token file, by default
 * or with --token-file, and say in one line what to do without it.
 */
@Tag("system")
class ControlSecurityTest {
    @TempDir
    Path dir;

    private record Answer(int code, String head, String body) {
    }

    /** A request written by hand (Host and Origin as a browser or an attacker would set them). */
    private static Answer raw(Agent a, String method, String path, Map<String, String> headers) throws Exception {
        try (Socket s = new Socket("127.0.0.1", a.httpPort())) {
            s.setSoTimeout(60_000);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
            req.append("Connection: close\r\nContent-Length: 0\r\n\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            return new Answer(Integer.parseInt(all.substring(9, 12)), all.substring(0, end), all.substring(end + 4));
        }
    }

    private static Map<String, String> headers(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    private static boolean drained(Agent via, String host) throws Exception {
        return AgentClusterTest.status(via).nodes().stream().filter(n -> n.node().host().equals(host))
                .findFirst().orElseThrow().drained();
    }

    @Test
    void withoutTheTokenNothingChangesWithItEverythingWorksAndOnlyRealPidsRegister() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "300").start();
        try (TestAgents agents = new TestAgents(dir);
             SocketChannel liar = SocketChannel.open(StandardProtocolFamily.UNIX);
             SocketChannel real = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            Agent h1 = agents.start("h1", "default", "p2p");
            Agent h2 = agents.start("h2", "default", "p2p");
            AgentClusterTest.awaitNodes(h1, 2);
            String host = "127.0.0.1:" + h1.httpPort();

            // the PCM socket: pid 1 is not this connection's process; the sleeper is its child
            liar.connect(UnixDomainSocketAddress.of(h1.settings().pcmSocket()));
            liar.write(ByteBuffer.wrap(PcmCodec.encode(new Register("job-t", 0, 2, 1, "h1", 0, "heat", 0))));
            PcmFrameReader fromAgent = new PcmFrameReader(liar);
            PcmMessage refused = fromAgent.read();
            assertThat(refused).isInstanceOfSatisfying(PcmMessage.Error.class, e -> assertThat(e.message())
                    .contains("refused", "pid 1 is neither the process that connected nor a descendant of it"));
            assertThat(fromAgent.read()).as("closed after the ERROR").isNull();
            real.connect(UnixDomainSocketAddress.of(h1.settings().pcmSocket()));
            real.write(ByteBuffer.wrap(PcmCodec.encode(new Register("job-t", 1, 2, sleeper.pid(), "h1", 0, "heat", 0))));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(AgentClusterTest.status(h1).nodes()
                    .get(0).processes()).extracting(p -> p.pid()).containsExactly(sleeper.pid()));

            String token = ControlToken.read(h1.tokenFile());
            for (String auth : new String[] {null, "Bearer wrong", "Bearer " + token.substring(1), "Basic " + token,
                    "Bearer"}) {
                Map<String, String> h = auth == null ? headers("Host", host) : headers("Host", host, "Authorization",
                        auth);
                for (String route : List.of("/api/drain?node=h1", "/api/stop?node=h2", "/api/undrain?node=h1",
                        "/api/migrate?job=job-t&rank=1&to=h2")) {
                    Answer a = raw(h1, "POST", route, h);
                    assertThat(a.code()).as(auth + " " + route).isEqualTo(401);
                    assertThat(a.head()).containsIgnoringCase("WWW-Authenticate: Bearer");
                    assertThat(a.body()).contains("Authorization: Bearer <token>");
                }
            }
            Thread.sleep(1000);   // what a refused request might have started has had time to show
            assertThat(drained(h1, "h1")).isFalse();
            assertThat(h2.system().whenTerminated().isCompleted()).isFalse();
            assertThat(TestAgents.get(h1, "/api/migrations")).isEmpty();
            assertThat(AgentClusterTest.status(h1).nodes()).hasSize(2).allMatch(n -> !n.drained());
            // reading needs no token
            assertThat(raw(h1, "GET", "/metrics", headers("Host", host)).code()).isEqualTo(200);
            assertThat(raw(h1, "GET", "/", headers("Host", host)).code()).isEqualTo(200);

            // with the token
            assertThat(TestAgents.post(h1, "/api/drain?node=h2")).last().satisfies(e ->
                    assertThat(e.get("type").asText()).isEqualTo("FINISHED"));
            assertThat(drained(h1, "h2")).isTrue();
            TestAgents.post(h1, "/api/undrain?node=h2");
            assertThat(drained(h1, "h2")).isFalse();
            TestAgents.post(h1, "/api/stop?node=h2");
            h2.stopped().get(60, TimeUnit.SECONDS);
            assertThat(h2.stopRequest()).hasValueSatisfying(r -> assertThat(r).startsWith("roam stop via h1"));
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void aForeignHostOrOriginIsRefusedOnEveryRouteAndChangesNothing() throws Exception {
        try (TestAgents agents = new TestAgents(dir)) {
            Agent h1 = agents.start("h1", "default", "p2p");
            String own = "127.0.0.1:" + h1.httpPort();
            String bearer = "Bearer " + ControlToken.read(h1.tokenFile());
            for (String route : List.of("/api/status", "/api/jobs", "/api/migrations", "/api/nodes", "/metrics", "/",
                    "/web/app.js")) {
                assertThat(raw(h1, "GET", route, headers("Host", "evil.example:" + h1.httpPort())).code())
                        .as("rebinding " + route).isEqualTo(403);
                assertThat(raw(h1, "GET", route, headers("Host", own, "Origin", "http://evil.example")).code())
                        .as("cross-site " + route).isEqualTo(403);
                assertThat(raw(h1, "GET", route, headers("Host", own, "Origin", "http://" + own)).code())
                        .as("own page " + route).isEqualTo(200);
            }
            Answer rebound = raw(h1, "POST", "/api/drain?node=h1", headers("Host", "evil.example:" + h1.httpPort(),
                    "Authorization", bearer));
            assertThat(rebound.code()).isEqualTo(403);
            assertThat(rebound.body()).contains("Host evil.example:" + h1.httpPort() + " is not a name of this agent");
            Answer crossSite = raw(h1, "POST", "/api/drain?node=h1", headers("Host", own, "Origin",
                    "http://evil.example", "Authorization", bearer));
            assertThat(crossSite.code()).isEqualTo(403);
            assertThat(crossSite.body()).contains("Origin http://evil.example is not this agent's page");
            assertThat(raw(h1, "POST", "/api/drain?node=h1", headers("Host", own, "Origin", "null", "Authorization",
                    bearer)).code()).isEqualTo(403);
            Thread.sleep(500);
            assertThat(drained(h1, "h1")).isFalse();
            // the agent's own page, and a tunnel's port (localhost:PORT)
            assertThat(raw(h1, "POST", "/api/undrain?node=h1", headers("Host", own, "Origin", "http://" + own,
                    "Authorization", bearer)).code()).isEqualTo(200);
            assertThat(raw(h1, "GET", "/api/status", headers("Host", "localhost:8080")).code()).isEqualTo(200);
        }
    }

    @Test
    void nobodyOnTheSameHostCannotReadTheTokenNorAct() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "runs commands as nobody: needs root");
        try (TestAgents agents = new TestAgents(dir)) {
            Agent h1 = agents.start("h1", "default", "p2p");
            assertThat(Files.getPosixFilePermissions(h1.tokenFile())).hasSize(2);   // rw-------
            Process cat = new ProcessBuilder("runuser", "-u", "nobody", "--", "cat", h1.tokenFile().toString())
                    .redirectErrorStream(true).start();
            String catOut = new String(cat.getInputStream().readAllBytes());
            assertThat(cat.waitFor()).as(catOut).isNotZero();
            assertThat(catOut).containsIgnoringCase("permission denied").doesNotContain(ControlToken.read(
                    h1.tokenFile()));
            // nobody's best try: the request without the token (bash's /dev/tcp, no curl needed)
            String request = "POST /api/stop?node=h1 HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n"
                    + "Content-Length: 0\\r\\n\\r\\n";
            Process post = new ProcessBuilder("runuser", "-u", "nobody", "--", "bash", "-c", "exec 3<>/dev/tcp/"
                    + "127.0.0.1/" + h1.httpPort() + "; printf '" + request + "' >&3; head -1 <&3")
                    .redirectErrorStream(true).start();
            String answer = new String(post.getInputStream().readAllBytes());
            assertThat(post.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(answer).as("nobody's POST /api/stop").startsWith("HTTP/1.1 401");
            Thread.sleep(1000);
            assertThat(h1.system().whenTerminated().isCompleted()).isFalse();
            assertThat(drained(h1, "h1")).isFalse();
        }
    }

    @Test
    @ResourceLock(Resources.SYSTEM_ERR)
    @ResourceLock(Resources.SYSTEM_PROPERTIES)
    void theRoamCommandsActWithTheTokenFileAndSayWhatToDoWithoutIt() throws Exception {
        try (TestAgents agents = new TestAgents(dir)) {
            Agent h1 = agents.start("h1", "default", "p2p");
            Agent h2 = agents.start("h2", "default", "p2p");
            AgentClusterTest.awaitNodes(h1, 2);
            String url = h1.httpUrl();
            String file = h1.tokenFile().toString();
            assertThat(roam("drain", "h2", "--agent", url, "--token-file", file).exit()).isZero();
            assertThat(drained(h1, "h2")).isTrue();

            Path other = dir.resolve("other/token");
            ControlToken.loadOrCreate(other);
            Run wrong = roam("undrain", "h2", "--agent", url, "--token-file", other.toString());
            assertThat(wrong.exit()).isEqualTo(1);
            assertThat(wrong.err().strip().lines()).hasSize(1).first().asString()
                    .contains("roam undrain: the agent at " + url, "refused the token of " + other, "--token-file");
            Run missing = roam("stop", "h2", "--agent", url, "--token-file", dir.resolve("nothing").toString());
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.err().strip().lines()).hasSize(1).first().asString()
                    .contains("roam stop: no token file " + dir.resolve("nothing"), "--token-file");
            assertThat(drained(h1, "h2")).isTrue();
            assertThat(h2.system().whenTerminated().isCompleted()).isFalse();

            // by default the commands read the token file the agents of this machine use
            System.setProperty("roam.agent.http.token-file", file);
            ConfigFactory.invalidateCaches();
            try {
                assertThat(roam("undrain", "h2", "--agent", url).exit()).isZero();
                assertThat(drained(h1, "h2")).isFalse();
                Run stop = roam("stop", "h2", "--agent", url);
                assertThat(stop.exit()).as(stop.err()).isZero();
            } finally {
                System.clearProperty("roam.agent.http.token-file");
                ConfigFactory.invalidateCaches();
            }
            h2.stopped().get(60, TimeUnit.SECONDS);
            JsonNode status = TestAgents.get(h1, "/api/status");
            assertThat(status.get("nodes")).hasSize(1);
        }
    }

    /** What roam printed on stderr, without the agents' log lines (they share stderr in this JVM). */
    private record Run(int exit, String err) {
        Run {
            err = err.lines().filter(l -> !l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"))
                    .collect(java.util.stream.Collectors.joining("\n"));
        }
    }

    private static Run roam(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return new Run(RoamCli.execute(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }
}
