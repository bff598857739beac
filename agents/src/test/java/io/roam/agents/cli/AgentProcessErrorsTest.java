package io.roam.agents.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.Resources;

/**
 * The operator errors that need a running agent, with {@code roam agent} as a process of its own
 * (its real main, System.exit and logging): a second agent on the first one's cluster port
 * stops with one line and exit code 3; drain, undrain and stop of an unknown node, and a
 * migration order for a job that has none, are one line and exit code 2 each; SIGTERM is logged, and with {@code --log-format json} every line the
 * agent's JVM logs (roam's, Pekko's, the PCM server's through java.util.logging) is a JSON
 * object.
 */
@Tag("system")
class AgentProcessErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UP = Pattern.compile("roam agent pekko://roam@([\\d.]+):(\\d+) up: .*control API"
            + " (http://[\\d.]+:\\d+),");

    @TempDir
    Path dir;

    private record Run(int exit, String err) {
    }

    private Process agent(String name, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                RoamCli.class.getName(), "agent", "--host", name, "--socket", dir.resolve(name + ".sock").toString(),
                "--http-port", "0", "--set", "roam.agent.http.token-file=\"" + dir.resolve("tok/token") + "\"",
                "--set", "roam.agent.drain.deadline=5s", "--log-format", "json",
                "--set", "roam.agent.tls.key-dir=\"" + dir.resolve("keys") + "\""));   // not /etc/roam/keys
        cmd.addAll(List.of(more));
        return new ProcessBuilder(cmd).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile()).start();
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

    @Test
    @ResourceLock(Resources.SYSTEM_ERR)
    void oneLinePerErrorAndSigtermIsLogged() throws Exception {
        Process first = agent("h1", "--port", "0");
        Process second = null;
        try {
            Matcher up = awaitUp(first, dir.resolve("h1.out"));
            String clusterPort = up.group(2);
            String api = up.group(3);
            String token = dir.resolve("tok/token").toString();

            // a second agent on the same cluster port: one line, exit code 3, nothing else logged
            second = agent("h2", "--port", clusterPort);
            assertThat(second.waitFor(120, TimeUnit.SECONDS)).as("the second agent gave up").isTrue();
            String err2 = Files.readString(dir.resolve("h2.err"));
            assertThat(second.exitValue()).as(err2).isEqualTo(3);
            assertThat(err2.strip().lines()).hasSize(1).first().asString()
                    .startsWith("roam agent: port " + clusterPort + " on 127.0.0.1 is in use");
            assertThat(dir.resolve("h2.sock")).doesNotExist();

            // drain, undrain and stop of a node the cluster does not have: the same exit code, one line
            for (String command : new String[] {"drain", "undrain", "stop"}) {
                Run r = roam(command, "no-such-node", "--agent", api, "--token-file", token);
                assertThat(r.exit()).as(command + ": " + r.err()).isEqualTo(2);
                assertThat(r.err().strip().lines()).as(command).hasSize(1).first().asString()
                        .startsWith("roam " + command + ": unknown node no-such-node; known nodes: ")
                        .contains("h1");
            }

            // a migration order refused before anything was done: exit code 2, one line
            Run order = roam("migrate", "--job", "nojob", "--rank", "0", "--to", "no-such-node", "--agent", api,
                    "--token-file", token);
            assertThat(order.exit()).as(order.err()).isEqualTo(2);
            assertThat(order.err().strip().lines()).hasSize(1).first().asString()
                    .startsWith("roam migrate: job nojob has no process registered").endsWith("nothing was moved");

            // SIGTERM: logged when it arrives, the agent stops, exit code 143
            first.destroy();
            assertThat(first.waitFor(120, TimeUnit.SECONDS)).as("the agent stopped on SIGTERM").isTrue();
            assertThat(first.exitValue()).isEqualTo(143);
            List<JsonNode> logged = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("h1.err"))) {
                logged.add(JSON.readTree(line));   // every line of the JVM's log is one JSON object
            }
            assertThat(logged).extracting(j -> j.get("message").asText())
                    .anySatisfy(m -> assertThat(m).startsWith("received SIGTERM: stopping: draining h1 first"))
                    .anySatisfy(m -> assertThat(m).isEqualTo("stopped (SIGTERM)"))
                    .anySatisfy(m -> assertThat(m).startsWith("PCM daemon listening on"));
            assertThat(logged).allSatisfy(j -> assertThat(j.get("time").asText())
                    .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2})"));
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
        }
    }

    private static Matcher awaitUp(Process p, Path out) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = UP.matcher(Files.exists(out) ? Files.readString(out) : "");
            if (m.find()) {
                return m;
            }
            assertThat(p.isAlive()).as("the agent runs").isTrue();
            Thread.sleep(100);
        }
        throw new AssertionError("the agent did not come up: " + Files.readString(out));
    }
}
