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
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The command line's side of an agent's control API (see ControlApi). Requests that act
 * (migrate, drain, undrain, stop) carry the token of {@code tokenFile}, read when first needed.
 */
final class ControlClient {
    static final String DEFAULT_AGENT = "http://127.0.0.1:7170";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String agent;
    private final URI base;
    private final Path tokenFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A client for reading only: requests that act fail, saying no token file was given. */
    ControlClient(String agentUrl) {
        this(agentUrl, null);
    }

    ControlClient(String agentUrl, Path tokenFile) {
        this.agent = agentUrl;
        this.base = URI.create(agentUrl.endsWith("/") ? agentUrl : agentUrl + "/");
        this.tokenFile = tokenFile;
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
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve(route))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        check(r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** Streams the migration's events, one JSON object per line, to onEvent; returns the last. */
    JsonNode migrate(String job, int rank, String to, Consumer<JsonNode> onEvent)
            throws IOException, InterruptedException {
        return stream("api/migrate?job=" + enc(job) + "&rank=" + rank + "&to=" + enc(to), onEvent);
    }

    /** Streams a resize's events (job to {@code ranks} processes, a grow's hosts {@code on} or null); returns the last. */
    JsonNode resize(String job, int ranks, String on, Consumer<JsonNode> onEvent)
            throws IOException, InterruptedException {
        return stream("api/resize?job=" + enc(job) + "&ranks=" + ranks + (on == null ? "" : "&on=" + enc(on)), onEvent);
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
        HttpResponse<String> r = send(acting("api/undrain?node=" + enc(node)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        check(r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** POSTs {@code query} and hands each JSON line of the answer to onEvent as it comes; returns the last. */
    private JsonNode stream(String query, Consumer<JsonNode> onEvent) throws IOException, InterruptedException {
        HttpResponse<java.io.InputStream> r = send(acting(query).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            String body;
            try (java.io.InputStream in = r.body()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            check(r.statusCode(), body);
        }
        JsonNode last = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    last = JSON.readTree(line);
                    onEvent.accept(last);
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new IOException("the answer of the agent at " + agent + " broke off: "
                    + io.roam.agents.Errors.describe(e) + " (the agent stopped, or the network failed); roam status"
                    + " shows what happened", e);
        }
        return last;
    }

    /** The request, or one line saying the agent could not be reached and what to check. */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        try {
            return http.send(request, body);
        } catch (IOException e) {
            throw new IOException("cannot reach the agent at " + agent + ": " + io.roam.agents.Errors.describe(e)
                    + "; is an agent running there? (roam agent starts one; --agent names another)", e);
        }
    }

    /** A request the agent refused as it stands (4xx but 401): nothing was done; exit code 2. */
    static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    /** A POST of {@code route} with the token. */
    private HttpRequest.Builder acting(String route) throws IOException {
        if (tokenFile == null) {
            throw new IOException("no token file given for a request that acts");
        }
        String token = io.roam.agents.ControlToken.read(tokenFile);
        return HttpRequest.newBuilder(base.resolve(route)).header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void check(int code, String body) throws IOException {
        if (code == 401) {
            throw new IOException("the agent at " + base + " refused the token of " + tokenFile + " (401): it is not"
                    + " this agent's; pass --token-file with a copy of the agent's token file (roam.agent.http.token-file"
                    + " on its host)");
        }
        String said = body.strip().replace('\n', ' ');
        if (code >= 400 && code < 500) {
            throw new Refused(said.isEmpty() ? "the agent at " + agent + " refused the request (" + code + ")" : said);
        }
        if (code != 200) {
            throw new IOException("the agent at " + agent + " answered " + code + (said.isEmpty() ? "" : ": " + said)
                    + " (its log says more)");
        }
    }
}
