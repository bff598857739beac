package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.roam.agents.cli.RoamCli;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three agents as separate JVMs started with {@code roam agent} at once, with nothing said
 * about TLS, and {@code roam status --json} (run in this JVM through the same command line)
 * seeing all three: the first to get there created the cluster's key set in their shared key
 * directory, the others used it, and their cluster runs TLS.
 */
@Tag("system")
class AgentProcessesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /**
     * {@code n} distinct free ports: every socket stays open until all are chosen, so the
     * system cannot hand the same port out twice (an agent's cluster port equal to another's
     * HTTP port made one agent fail to start in CI).
     */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> open = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                open.add(new ServerSocket(0));
                ports[i] = open.get(i).getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
    }

    private Process startAgent(String host, int port, int httpPort, Integer seedPort) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), RoamCli.class.getName(), "agent",
                "--host", host, "--port", "" + port, "--http-port", "" + httpPort,
                "--socket", dir.resolve("pcm-%h.sock").toString(),
                "--set", "roam.agent.tls.key-dir=\"" + dir.resolve("keys") + "\""));
        if (seedPort != null) {
            cmd.addAll(List.of("--seed", "127.0.0.1:" + seedPort));
        }
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(host + ".log").toFile())
                .start();
    }

    private static String roam(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            int code = RoamCli.execute(args);
            assertThat(code).as("roam %s exit code", String.join(" ", args)).isZero();
        } finally {
            System.setOut(out);
        }
        return buf.toString();
    }

    @Test
    void roamStatusSeesThreeAgentJvms() throws Exception {
        int[] ports = freePorts(6);
        int seed = ports[0];
        int[] http = {ports[1], ports[2], ports[3]};
        List<Process> agents = new ArrayList<>();
        try {
            agents.add(startAgent("n1", seed, http[0], null));
            agents.add(startAgent("n2", ports[4], http[1], seed));
            agents.add(startAgent("n3", ports[5], http[2], seed));
            for (int h : http) {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .untilAsserted(() -> {
                            JsonNode s = JSON.readTree(roam("status", "--json", "--agent", "http://127.0.0.1:" + h));
                            assertThat(s.get("nodes")).hasSize(3).allMatch(n -> n.get("reachable").asBoolean());
                            List<String> hosts = new ArrayList<>();
                            s.get("nodes").forEach(n -> hosts.add(n.get("node").get("host").asText()));
                            assertThat(hosts).containsExactly("n1", "n2", "n3");
                        });
            }
            String table = roam("status", "--agent", "http://127.0.0.1:" + http[2]);
            assertThat(table).contains("n1", "n2", "n3", "pekko://roam@127.0.0.1:" + seed);
        } finally {
            for (Process p : agents) {
                p.destroy();   // SIGTERM: the agent leaves the cluster and stops
            }
            for (Process p : agents) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        int created = 0;
        for (String h : List.of("n1", "n2", "n3")) {
            String log = Files.readString(dir.resolve(h + ".log"));
            assertThat(log).contains("roam agent pekko://roam@127.0.0.1:");
            created += log.contains("created the cluster's TLS keys in " + dir.resolve("keys")) ? 1 : 0;
            assertThat(log).containsPattern("(created the cluster's TLS keys|TLS with the cluster's keys) in "
                    + java.util.regex.Pattern.quote(dir.resolve("keys").toString()));
        }
        assertThat(created).as("agents that created the key set").isEqualTo(1);
        try (var files = Files.list(dir.resolve("keys"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("cluster.p12",
                    "trust.p12", "password", "cluster.crt", "tls.conf");
        }
    }
}
