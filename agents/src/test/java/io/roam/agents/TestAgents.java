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

/** Agents in this JVM on loopback, ports chosen by the system, sockets in a test directory. */
final class TestAgents implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
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

    /** POSTs a control API route of {@code via} (200 expected) and returns its JSON lines (one per event). */
    static List<JsonNode> post(Agent via, String query) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(via.httpUrl() + query))
                        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build(),
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
