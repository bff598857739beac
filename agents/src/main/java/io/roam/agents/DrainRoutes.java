package io.roam.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameter;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.NodeStatus;
import io.roam.protocol.AgentMessage.SetDrained;
import io.roam.protocol.AgentMessage.StopAgent;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * The control API's drain routes (roam drain, roam undrain, roam stop):
 * <ul>
 *   <li>{@code POST /api/drain?node=N[&onto=A,B][&deadline=120s]}: drains N; streams one JSON
 *       {@link DrainEvent} per line, the last REFUSED or FINISHED;</li>
 *   <li>{@code POST /api/undrain?node=N}: N takes work again; answers N's status;</li>
 *   <li>{@code POST /api/stop?node=N[&deadline=120s]}: drains N (streamed as for drain), then
 *       stops N's agent.</li>
 * </ul>
 */
final class DrainRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ActorSystem<?> system;
    private final ClusterQueries queries;
    private final Drain drain;
    private final Duration defaultDeadline;

    DrainRoutes(ActorSystem<?> system, ClusterQueries queries, Drain drain, Duration defaultDeadline) {
        this.system = system;
        this.queries = queries;
        this.drain = drain;
        this.defaultDeadline = defaultDeadline;
    }

    Route routes() {
        return concat(
                path("drain", () -> post(() -> parameter("node", node -> parameterOptional("onto", onto ->
                        parameterOptional("deadline", deadline -> stream(node, onto, deadline, false)))))),
                path("stop", () -> post(() -> parameter("node", node -> parameterOptional("deadline", deadline ->
                        stream(node, Optional.empty(), deadline, true))))),
                path("undrain", () -> post(() -> parameter("node", this::undrain))));
    }

    private Route stream(String node, Optional<String> onto, Optional<String> deadlineText, boolean stopAfter) {
        Duration deadline;
        try {
            deadline = deadlineText.map(DrainRoutes::duration).orElse(defaultDeadline);
        } catch (IllegalArgumentException e) {
            return complete(StatusCodes.BAD_REQUEST, e.getMessage() + "\n");
        }
        List<String> targets = onto.map(o -> Arrays.stream(o.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .toList()).orElse(List.of());
        Source<ByteString, NotUsed> events = ActorSource.<DrainEvent>actorRef(e -> false, e -> Optional.empty(), 256,
                        OverflowStrategy.dropHead())
                .takeWhile(e -> !e.last(), true)
                .mapMaterializedValue(sink -> {
                    // roam stop stops the agent even when ranks could not move: they keep running
                    drain.run(node, targets, deadline, sink::tell).thenAccept(last -> {
                        if (stopAfter) {
                            stop(node);
                        }
                    });
                    return NotUsed.getInstance();
                })
                .map(DrainRoutes::line);
        return complete(StatusCodes.OK, HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, events));
    }

    /** Tells the node's agent to stop, without a second drain. */
    private void stop(String node) {
        queries.peers().thenCompose(peers -> queries.status(peers).thenAccept(status ->
                ClusterQueries.node(status, node).map(n -> peers.byAddress().get(n.node().address()))
                        .ifPresent(ref -> ref.tell(new StopAgent("roam stop via " + peers.self().host(), false)))));
    }

    private Route undrain(String node) {
        CompletionStage<Optional<NodeStatus>> answer = queries.peers().thenCompose(peers ->
                queries.status(peers).thenCompose(status -> {
                    Optional<ClusterQueries.NodeView> n = ClusterQueries.node(status, node);
                    ActorRef<AgentMessage> ref = n.map(v -> peers.byAddress().get(v.node().address())).orElse(null);
                    if (ref == null) {
                        return java.util.concurrent.CompletableFuture.completedFuture(Optional.empty());
                    }
                    CompletionStage<NodeStatus> s = AskPattern.ask(ref, r -> new SetDrained(false, r),
                            Duration.ofSeconds(10), system.scheduler());
                    return s.thenApply(Optional::of);
                }));
        return onSuccess(answer, s -> s.isEmpty()
                ? onSuccess(queries.status(), st -> complete(StatusCodes.NOT_FOUND, "unknown node " + node
                + "; known nodes: " + Drain.known(st) + "\n"))
                : complete(StatusCodes.OK, HttpEntities.create(ContentTypes.APPLICATION_JSON, json(s.get()))));
    }

    static Duration duration(String text) {
        try {
            return Duration.ofMillis(com.typesafe.config.ConfigFactory.parseString("d = " + text)
                    .getDuration("d").toMillis());
        } catch (com.typesafe.config.ConfigException | DateTimeParseException e) {
            throw new IllegalArgumentException("deadline must be a duration such as 90s or 5m, was " + text);
        }
    }

    private static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ByteString line(DrainEvent e) {
        return ByteString.fromString(json(e) + "\n");
    }
}
