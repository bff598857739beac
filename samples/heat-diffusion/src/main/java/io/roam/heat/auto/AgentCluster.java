package io.roam.heat.auto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roam.heat.ProcessTrees;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The agents of the autonomous demo: one {@code roam agent} per namespace host (started with
 * scripts/netns-hosts.sh exec, so each runs in its host's network namespace and CPU cgroup),
 * the first one the seed. Reads their control API, builds the {@code roam run} command of a
 * job, and stops the agents (and anything started through it) by pid.
 */
final class AgentCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final String prefix;
    final List<String> addresses;
    private final Path repo;
    private final Path script;
    private final Path roam;
    private final List<Process> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    AgentCluster(Path repo, String prefix, List<String> addresses) {
        this.prefix = prefix;
        this.addresses = List.copyOf(addresses);
        this.repo = repo;
        this.script = repo.resolve("scripts/netns-hosts.sh");
        this.roam = repo.resolve("bin/roam");
    }

    /** The command prefix that runs a program on host i (0-based). */
    List<String> on(int i) {
        return List.of("bash", script.toString(), "exec", prefix, Integer.toString(i + 1));
    }

    String api(int i) {
        return "http://" + addresses.get(i) + ":7170";
    }

    /**
     * Starts the agents, their logs in {@code dir}, with the default PCM sockets
     * (/run/roam/agent-ADDRESS.sock: roam run learns them) and the default TLS keys.
     */
    void startAgents(Path dir, List<String> extra) throws IOException {
        for (int i = 0; i < addresses.size(); i++) {
            startAgent(i, dir, extra);
        }
    }

    /** Starts the agent of host i (0-based); any host but the first joins the first one's. */
    void startAgent(int i, Path dir, List<String> extra) throws IOException {
        String ip = addresses.get(i);
        List<String> cmd = new ArrayList<>(on(i));
        cmd.addAll(List.of(roam.toString(), "agent", "--host", ip, "--bind", ip, "--port", "2552", "--http-bind", ip));
        // the secure defaults: TLS with the key set the first agent creates (in /etc/roam/keys,
        // or ROAM_DEMO_KEYS: the tests keep theirs in a test directory), which lets the
        // control APIs listen on the hosts' addresses, read from outside the hosts
        String keys = System.getenv("ROAM_DEMO_KEYS");
        if (keys != null && !keys.isBlank()) {
            cmd.addAll(List.of("--set", "roam.agent.tls.key-dir=\"" + keys + "\""));
        }
        if (i > 0) {
            cmd.addAll(List.of("--seed", addresses.get(0) + ":2552"));
        }
        cmd.addAll(extra);
        started.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent-" + (i + 1) + ".log").toFile()).start());
    }

    /** Waits until host 1's agent lists {@code n} nodes. */
    void awaitUp(int n, Duration timeout, Path out) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode s = get(api(0), "/api/status");
            if (s != null && s.get("nodes").size() == n) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the agents did not form a cluster of " + n + " within "
                + timeout.toSeconds() + " s; see " + out);
    }

    /** GET {@code path} of an agent's control API as JSON, or null when it does not answer 200. */
    JsonNode get(String api, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * {@code roam run} of a job through host 1's agent, on the namespace hosts' subnet:
     * {@code roamArgs} go to roam run (e.g. --slots), {@code mpirunArgs} before the program
     * (e.g. --host for a fixed placement), then the program and its arguments.
     */
    List<String> roamRun(String rshAgent, String subnet, List<String> roamArgs, List<String> mpirunArgs,
                         int ranks, Path program, List<String> programArgs) {
        List<String> run = new ArrayList<>(List.of(roam.toString(), "run", "--agent", api(0)));
        run.addAll(roamArgs);
        run.addAll(List.of("--", "--mca", "plm_rsh_agent", rshAgent, "--mca", "oob_tcp_if_include", subnet + ".0/24",
                "--mca", "btl_tcp_if_include", subnet + ".0/24"));
        run.addAll(mpirunArgs);
        run.addAll(List.of("-np", Integer.toString(ranks), program.toString()));
        run.addAll(programArgs);
        return run;
    }

    Path repo() {
        return repo;
    }

    /** Runs a program on host i with its output in {@code log}. */
    Process start(int i, Path log, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(on(i));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    /** Sets host i's CPU quota (cores, or "max"). */
    void cpu(int i, String cores) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", script.toString(), "cpu", prefix, Integer.toString(i + 1), cores)
                .inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("netns-hosts.sh cpu " + prefix + " " + (i + 1) + " " + cores + " failed");
        }
    }

    /** Stops everything started through this cluster, all at once (each with 10 s to end before it is killed). */
    @Override
    public void close() {
        started.parallelStream().forEach(p -> ProcessTrees.stop(p, Duration.ofSeconds(10)));
    }
}
