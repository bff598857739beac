package io.roam.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.completeOK;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResource;
import static org.apache.pekko.http.javadsl.server.Directives.getFromResourceDirectory;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathEndOrSingleSlash;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.MigrationHistory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The web view and what feeds it, on the control API's port:
 * <ul>
 *   <li>{@code GET /}: the live page (static files under {@code web/} in the agent's jar);</li>
 *   <li>{@code GET /api/nodes}: every node of the cluster as in {@code /api/status};</li>
 *   <li>{@code GET /api/migrations}: the migrations of every agent, in progress and recently done;</li>
 *   <li>{@code GET /api/history}: the recent past every agent kept: each node's available processing
 *       and each job's iteration time over time, and the moves ({@link HistoryViews});</li>
 *   <li>{@code GET /api/events}: server-sent events, one {@code cluster} event every
 *       {@code roam.agent.http.events-interval} with the nodes, jobs and migrations;</li>
 *   <li>{@code GET /metrics}: the agent's metrics in Prometheus text format ({@link AgentMetrics}).</li>
 * </ul>
 */
public final class WebRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The content type of the Prometheus text exposition format. */
    private static final org.apache.pekko.http.javadsl.model.ContentType.NonBinary PROMETHEUS_TEXT =
            (org.apache.pekko.http.javadsl.model.ContentType.NonBinary)
                    ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

    /** What the page receives in each event. */
    public record Snapshot(String askedAgent, long atMillis, List<ClusterQueries.NodeView> nodes,
                           List<JobViews.JobView> jobs, List<MigrationViews.MigrationView> migrations) {
    }

    private final ActorSystem<?> system;
    private final ClusterQueries queries;
    private final Duration interval;
    private final Duration timeout;

    public WebRoutes(ActorSystem<?> system, ClusterQueries queries, Duration timeout) {
        this.system = system;
        this.queries = queries;
        this.timeout = timeout;
        this.interval = eventsInterval(system.settings().config());
    }

    /** roam.agent.http.events-interval, 200 ms to 1 min. */
    static Duration eventsInterval(Config c) {
        return io.roam.config.Settings.of(c, "roam.agent.http").duration("events-interval", Duration.ofMillis(200),
                Duration.ofMinutes(1));
    }

    public Route routes() {
        return concat(
                pathPrefix("api", () -> concat(
                        path("nodes", () -> get(() -> onSuccess(queries.status(), s -> json(s.nodes())))),
                        path("migrations", () -> get(() -> onSuccess(migrations(), WebRoutes::json))),
                        path("history", () -> get(() -> onSuccess(history(), WebRoutes::json))),
                        path("events", () -> get(() -> completeOK(events(), EventStreamMarshalling.toEventStream()))))),
                path("metrics", () -> get(() -> complete(StatusCodes.OK, HttpEntities.create(
                        PROMETHEUS_TEXT, AgentMetrics.get(system).scrape())))),
                pathEndOrSingleSlash(() -> get(() -> getFromResource("web/index.html"))),
                pathPrefix("web", () -> get(() -> getFromResourceDirectory("web"))));
    }

    /** Every agent's migrations; an agent that does not answer in time is left out. */
    public CompletionStage<List<MigrationViews.MigrationView>> migrations() {
        return queries.peers().thenCompose(peers -> {
            List<CompletableFuture<Optional<MigrationHistory>>> asks = new ArrayList<>();
            for (Map.Entry<String, ActorRef<AgentMessage>> e : peers.byAddress().entrySet()) {
                if (peers.unreachable().contains(e.getKey())) {
                    continue;
                }
                CompletionStage<MigrationHistory> a = AskPattern.ask(e.getValue(), MigrationHistory.Query::new,
                        timeout, system.scheduler());
                asks.add(a.toCompletableFuture().thenApply(Optional::of).exceptionally(t -> Optional.empty()));
            }
            return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v ->
                    MigrationViews.of(asks.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList()));
        });
    }

    /** Every agent's history, merged; an agent that does not answer in time is left out. */
    public CompletionStage<HistoryViews.ClusterHistory> history() {
        return queries.peers().thenCompose(peers -> {
            List<CompletableFuture<Optional<io.roam.protocol.NodeHistory>>> asks = new ArrayList<>();
            for (Map.Entry<String, ActorRef<AgentMessage>> e : peers.byAddress().entrySet()) {
                if (peers.unreachable().contains(e.getKey())) {
                    continue;
                }
                CompletionStage<io.roam.protocol.NodeHistory> a = AskPattern.ask(e.getValue(),
                        io.roam.protocol.NodeHistory.Query::new, timeout, system.scheduler());
                asks.add(a.toCompletableFuture().thenApply(Optional::of).exceptionally(t -> Optional.empty()));
            }
            return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(v -> HistoryViews.of(
                    asks.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList(),
                    System.currentTimeMillis()));
        });
    }

    public CompletionStage<Snapshot> snapshot() {
        CompletableFuture<ClusterQueries.ClusterStatus> status = queries.status().toCompletableFuture();
        CompletableFuture<List<MigrationViews.MigrationView>> migrations = migrations().toCompletableFuture();
        return status.thenCombine(migrations, (s, m) -> new Snapshot(s.askedAgent(), System.currentTimeMillis(),
                s.nodes(), s.jobs(), m));
    }

    /** A snapshot now and then every interval while the page listens; a failed one is skipped. */
    private Source<ServerSentEvent, NotUsed> events() {
        return Source.tick(Duration.ZERO, interval, "tick")
                .mapMaterializedValue(c -> NotUsed.getInstance())
                .mapAsync(1, t -> snapshot().thenApply(s -> Optional.of(text(s)))
                        .exceptionally(x -> Optional.empty()))
                .mapConcat(o -> o.map(List::of).orElse(List.of()))
                .map(s -> ServerSentEvent.create(s, "cluster"));
    }

    private static String text(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Route json(Object value) {
        return complete(StatusCodes.OK, HttpEntities.create(ContentTypes.APPLICATION_JSON, text(value)));
    }
}
