package io.roam.agents;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Agents in this JVM on loopback, ports chosen by the system, sockets and the control API's token
 * file (shared by the agents, as on one machine) in a test directory. They run with the secure
 * default, TLS, with one key set for the whole JVM ({@link #KEYS}, created by the first agent as
 * on one machine).
 */
final class TestAgents implements AutoCloseable {
    /**
     * For tests whose stand-in PCM processes register pids they do not own (the agent's pid check
     * is shown by PcmServerPidTest and ControlSecurityTest).
     */
    static final Config INVENTED_PIDS = ConfigFactory.parseString("roam.agent.pcm.check-pid = false");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** roam.agent.tls.key-dir of every agent of this JVM: one key set, created once, removed at exit. */
    static final Path KEYS = jvmKeyDir();
    final List<Agent> agents = new ArrayList<>();
    private final Path dir;
    private String seed;

    TestAgents(Path dir) {
        this.dir = dir;
    }

    /** Starts an agent with MPI host name {@code host} in cluster {@code cluster}. */
    Agent start(String host, String cluster, String topology) {
        return start(host, cluster, topology, ConfigFactory.empty());
    }

    /** Starts an agent as {@link #start(String, String, String)} does, {@code extra} overriding. */
    Agent start(String host, String cluster, String topology, Config extra) {
        Config c = ConfigFactory.empty()
                .withValue("roam.agent.host", ConfigValueFactory.fromAnyRef(host))
                .withValue("roam.agent.cluster", ConfigValueFactory.fromAnyRef(cluster))
                .withValue("roam.agent.topology", ConfigValueFactory.fromAnyRef(topology))
                .withValue("roam.agent.max-neighbours", ConfigValueFactory.fromAnyRef(2))
                .withValue("roam.agent.pcm.socket", ConfigValueFactory.fromAnyRef(dir.resolve("pcm-%h.sock").toString()))
                .withValue("roam.agent.http.port", ConfigValueFactory.fromAnyRef(0))
                .withValue("roam.agent.http.token-file", ConfigValueFactory.fromAnyRef(dir.resolve("token").toString()))
                .withValue("roam.agent.tls.key-dir", ConfigValueFactory.fromAnyRef(KEYS.toString()))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(0))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(
                        seed == null ? List.of() : List.of(seed)));
        Agent a = Agent.start(extra.withFallback(c));
        if (seed == null) {
            seed = a.address();
        }
        agents.add(a);
        return a;
    }

    private static Path jvmKeyDir() {
        try {
            Path parent = java.nio.file.Files.createTempDirectory("roam-test-keys-");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (var all = java.nio.file.Files.walk(parent)) {
                    for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        java.nio.file.Files.deleteIfExists(p);
                    }
                } catch (java.io.IOException e) {
                    // a temporary directory left behind
                }
            }));
            return parent.resolve("keys");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** POSTs a control API route of {@code via} (200 expected) and returns its JSON lines (one per event). */
    static List<JsonNode> post(Agent via, String query) throws Exception {
        HttpResponse<String> r = HTTP.send(acting(via, query).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        org.assertj.core.api.Assertions.assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    /** A POST of a control API route of {@code via} with the agent's token, as roam commands send it. */
    static HttpRequest.Builder acting(Agent via, String query) throws java.io.IOException {
        return HttpRequest.newBuilder(URI.create(via.httpUrl() + query))
                .header("Authorization", "Bearer " + ControlToken.read(via.tokenFile()))
                .POST(HttpRequest.BodyPublishers.noBody());
    }

    /**
     * {@code text} without the lines the agents of this JVM logged meanwhile (a timestamp
     * first): a command's output captured from System.out/err shares them with the agents'
     * console log, whose timers (the CPU probe) write at any moment.
     */
    static String withoutLogLines(String text) {
        return text.lines().filter(l -> !l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*"))
                .map(l -> l + "\n").collect(java.util.stream.Collectors.joining());
    }

    /** GETs a control API route of {@code via} (200 expected) and returns its JSON. */
    static JsonNode get(Agent via, String route) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(via.httpUrl() + route))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        org.assertj.core.api.Assertions.assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Override
    public void close() {
        for (int i = agents.size() - 1; i >= 0; i--) {
            agents.get(i).close();
        }
    }
}
