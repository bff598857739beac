package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;

/** The command line's side of an agent's control API (see ControlApi). */
final class ControlClient {
    static final String DEFAULT_AGENT = "http://127.0.0.1:7170";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ControlClient(String agentUrl) {
        this.base = URI.create(agentUrl.endsWith("/") ? agentUrl : agentUrl + "/");
    }

    JsonNode status() throws IOException, InterruptedException {
        return get("api/status");
    }

    /** GET /api/migrations: the cluster's migrations, newest first. */
    JsonNode migrations() throws IOException, InterruptedException {
        return get("api/migrations");
    }

    /** A GET route answering JSON. */
    JsonNode get(String route) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(route))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        check(r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** Streams the migration's events, one JSON object per line, to onEvent; returns the last. */
    JsonNode migrate(String job, int rank, String to, Consumer<JsonNode> onEvent)
            throws IOException, InterruptedException {
        return stream("api/migrate?job=" + enc(job) + "&rank=" + rank + "&to=" + enc(to), onEvent);
    }

    /** Drains a node (then stops its agent if {@code stop}); streams the drain's events; returns the last. */
    JsonNode drain(String node, String onto, String deadline, boolean stop, Consumer<JsonNode> onEvent)
            throws IOException, InterruptedException {
        String q = (stop ? "api/stop" : "api/drain") + "?node=" + enc(node)
                + (onto == null ? "" : "&onto=" + enc(onto)) + (deadline == null ? "" : "&deadline=" + enc(deadline));
        return stream(q, onEvent);
    }

    /** Lets a drained node take work again; returns its status. */
    JsonNode undrain(String node) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("api/undrain?node=" + enc(node)))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        check(r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** POSTs {@code query} and hands each JSON line of the answer to onEvent as it comes; returns the last. */
    private JsonNode stream(String query, Consumer<JsonNode> onEvent) throws IOException, InterruptedException {
        HttpResponse<java.io.InputStream> r = http.send(HttpRequest.newBuilder(base.resolve(query))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofInputStream());
        JsonNode last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            if (r.statusCode() != 200) {
                check(r.statusCode(), in.lines().reduce("", (a, b) -> a + b + "\n"));
            }
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    last = JSON.readTree(line);
                    onEvent.accept(last);
                }
            }
        }
        return last;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void check(int code, String body) throws IOException {
        if (code != 200) {
            throw new IOException("agent at " + base + " answered " + code + ": " + body.strip());
        }
    }
}
