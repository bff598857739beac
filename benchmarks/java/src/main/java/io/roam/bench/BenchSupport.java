package io.roam.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What the agent benchmarks share: agent JVMs started with {@code roam agent}, their control
 * API, their CPU time from /proc, the machine's description and simple statistics.
 */
final class BenchSupport {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A way to start agents: JVM options and configuration overrides ({@code -Dkey=value}). */
    record Setting(String name, List<String> jvm, List<String> config) {
    }

    private BenchSupport() {
    }

    /** The command line of an agent JVM; {@code seed} <= 0 or equal to {@code port}: it is the seed. */
    static List<String> agentCommand(String host, int port, int http, int seed, Setting s, Path work) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(s.jvm());
        cmd.addAll(s.config());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.roam.agents.cli.RoamCli", "agent",
                "--host", host, "--port", "" + port, "--http-port", "" + http,
                "--socket", work.resolve("pcm-%h.sock").toString(),
                // TLS, the default, with one key set for the benchmark's agents, made before
                // any is timed (startKeys): the agents of one machine share it
                "--set", "roam.agent.tls.key-dir=\"" + work.resolve("keys") + "\""));
        if (seed > 0 && port != seed) {
            cmd.addAll(List.of("--seed", "127.0.0.1:" + seed));
        }
        return cmd;
    }

    /** Starts an agent JVM, its output in {@code work/<host>.log}. */
    static Process startAgent(String host, int port, int http, int seed, Setting s, Path work) throws IOException {
        io.roam.agents.ClusterKeys.ensure(work.resolve("keys"), "bench");
        return new ProcessBuilder(agentCommand(host, port, http, seed, s, work)).redirectErrorStream(true)
                .redirectOutput(work.resolve(host + ".log").toFile()).start();
    }

    /** The cluster status from the control API on {@code http}; empty if it does not answer. */
    static Optional<JsonNode> status(int http) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                    + "/api/status")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return Optional.of(JSON.readTree(r.body()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** How many nodes the agent on {@code http} sees reachable (0 if it does not answer). */
    static int reachable(int http) {
        int n = 0;
        for (JsonNode node : status(http).map(s -> s.get("nodes")).orElse(JSON.createArrayNode())) {
            n += node.get("reachable").asBoolean() ? 1 : 0;
        }
        return n;
    }

    /**
     * Waits until the agent on {@code http} sees {@code nodes} nodes reachable, polling every
     * {@code pollMillis}; fails when {@code agent} exits first (a bad class path or setting) or
     * after 120 s, pointing at the logs in {@code work}.
     */
    static void awaitReachable(Process agent, int http, int nodes, long pollMillis, Path work)
            throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (reachable(http) != nodes) {
            if (!agent.isAlive()) {
                throw new IllegalStateException("the agent exited (code " + agent.exitValue() + ") before "
                        + nodes + " nodes were Up; logs in " + work);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(nodes + " nodes not Up within 120 s; logs in " + work);
            }
            Thread.sleep(pollMillis);
        }
    }

    static void stop(List<Process> ps) throws InterruptedException {
        ps.forEach(Process::destroyForcibly);
        for (Process p : ps) {
            p.waitFor();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** User + system CPU time of a process, in clock ticks (1/100 s). */
    static long cpuTicks(long pid) throws IOException {
        String[] f = Files.readString(Path.of("/proc/" + pid + "/stat")).replaceAll(".*\\) ", "").split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    static String cpuModel() throws IOException {
        return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
    }

    /** The machine line of a results file: cores and CPU model. */
    static String machine() throws IOException {
        return Runtime.getRuntime().availableProcessors() + " cores (nproc), " + cpuModel();
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    /** "median (min to max)" with two decimals. */
    static String stats(List<Double> v) {
        return String.format(Locale.ROOT, "%.2f (%.2f to %.2f)", median(v), Collections.min(v), Collections.max(v));
    }
}
