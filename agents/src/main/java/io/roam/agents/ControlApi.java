package io.roam.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameter;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathPrefix;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.MigrateRank;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.Phase;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * The agent's control API (loopback by default), used by the roam command line:
 * <ul>
 *   <li>{@code GET /api/status}: every node of the cluster and the PCM processes on it, and the jobs
 *       across the nodes (JSON);</li>
 *   <li>{@code GET /api/jobs}: the jobs only: each rank's node and traffic by node, the job's
 *       communication graph;</li>
 *   <li>{@code POST /api/migrate?job=J&rank=R&to=NODE}: moves a rank; the response streams one
 *       JSON line per phase as it happens (ACCEPTED, ORDERED, STARTED, DONE or FAILED); a drained
 *       target is refused;</li>
 *   <li>{@code POST /api/resize?job=J&ranks=N[&on=NODE,NODE]}: runs a job with N processes; one JSON
 *       line per phase (ACCEPTED, ORDERED, DONE or FAILED): see {@link ResizeRoutes};</li>
 *   <li>{@code POST /api/drain}, {@code /api/undrain}, {@code /api/stop}: see {@link DrainRoutes};</li>
 *   <li>the web view, {@code /api/nodes}, {@code /api/migrations}, {@code /api/events}, {@code /metrics}:
 *       see {@link WebRoutes}.</li>
 * </ul>
 * Every route is behind the {@link RequestGuard}: its own Host and Origin only, and the token for
 * every request that acts.
 */
public final class ControlApi {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ActorSystem<?> system;
    private final ClusterQueries queries;
    private final DrainRoutes drains;
    private final ResizeRoutes resizes;
    private final WebRoutes web;
    private final RequestGuard guard;

    ControlApi(ActorSystem<?> system, ClusterQueries queries, Drain drain, java.time.Duration drainDeadline,
               RequestGuard guard) {
        this.system = system;
        this.guard = guard;
        this.queries = queries;
        this.drains = new DrainRoutes(system, queries, drain, drainDeadline);
        this.resizes = new ResizeRoutes(system, queries);
        this.web = new WebRoutes(system, queries, queries.timeout());
    }

    public Route routes() {
        return guard.guard(() -> concat(pathPrefix("api", () -> concat(
                path("status", () -> get(() -> onSuccess(queries.status(), ControlApi::json))),
                path("jobs", () -> get(() -> onSuccess(queries.status(), s -> json(s.jobs())))),
                path("migrate", () -> post(() -> parameter("job", job -> parameter("rank", rank ->
                        parameter("to", to -> migrate(job, rank, to)))))),
                resizes.route(),
                drains.routes())),
                web.routes()));
    }

    private static Route json(Object value) {
        try {
            return complete(StatusCodes.OK, HttpEntities.create(ContentTypes.APPLICATION_JSON,
                    JSON.writeValueAsString(value)));
        } catch (JsonProcessingException e) {
            return complete(StatusCodes.INTERNAL_SERVER_ERROR, e.getMessage());
        }
    }

    private Route migrate(String job, String rankText, String to) {
        int rank;
        try {
            rank = Integer.parseInt(rankText);
        } catch (NumberFormatException e) {
            return complete(StatusCodes.BAD_REQUEST, "rank must be an integer, was " + rankText + "\n");
        }
        CompletionStage<Source<ByteString, NotUsed>> plan = queries.peers().thenCompose(peers ->
                queries.status(peers).thenApply(status -> migration(peers, status, job, rank, to)));
        return onSuccess(plan, source -> complete(StatusCodes.OK,
                HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, source)));
    }

    /** The events of one migration as a stream; asks the source agent when materialized. */
    private Source<ByteString, NotUsed> migration(NodeAgent.Peers peers, ClusterQueries.ClusterStatus status,
                                                  String job, int rank, String to) {
        Optional<ClusterQueries.NodeView> source = ClusterQueries.holder(status, job, rank);
        Optional<ClusterQueries.NodeView> target = ClusterQueries.node(status, to);
        String problem = source.isEmpty() ? notRunning(status, job, rank)
                : target.isEmpty() ? "unknown node " + to + "; known: " + status.nodes().stream()
                .map(n -> n.node().host()).toList()
                : target.get().drained() ? "node " + to + " is drained: it takes no new work (roam undrain " + to + ")"
                : null;
        if (problem != null) {
            return Source.single(line(new MigrationEvent(0, job, rank, Phase.FAILED, System.currentTimeMillis(),
                    problem, null)));
        }
        ActorRef<AgentMessage> sourceAgent = peers.byAddress().get(source.get().node().address());
        return events().mapMaterializedValue(sink -> {
            ActorRef<MigrationEvent> forward = system.systemActorOf(forwarder(sink, sourceAgent, job, rank),
                    "migrate-" + job.replaceAll("[^A-Za-z0-9-]", "_") + "-" + rank + "-" + System.nanoTime(),
                    Props.empty());
            sourceAgent.tell(new MigrateRank(job, rank, target.get().node().address(), forward));
            return NotUsed.getInstance();
        }).map(ControlApi::line);
    }

    /** Why (job, rank) cannot move: the job is not running (finished or unknown), or not that rank. */
    private static String notRunning(ClusterQueries.ClusterStatus status, String job, int rank) {
        List<Integer> ranks = status.nodes().stream().flatMap(n -> n.processes().stream())
                .filter(p -> p.jobId().equals(job)).map(p -> p.rank()).sorted().toList();
        return ranks.isEmpty() ? "job " + job + " has no process registered with any reachable agent: it has"
                + " finished, or it is not a job of this cluster; nothing to move"
                : "job " + job + " has no rank " + rank + " running (its registered ranks: " + ranks
                + "): that process has exited; nothing to move";
    }

    private static Source<MigrationEvent, ActorRef<MigrationEvent>> events() {
        return ActorSource.<MigrationEvent>actorRef(e -> false, e -> Optional.empty(), 64,
                        OverflowStrategy.dropHead())
                .takeWhile(e -> !e.phase().terminal(), true);
    }

    /**
     * Relays events to the stream (a remote agent can reply to it) and stops after the last.
     * It watches the source agent: if that agent leaves the cluster before the last event (it
     * died or was cut off and downed), the stream ends with UNKNOWN instead of waiting forever.
     */
    private static org.apache.pekko.actor.typed.Behavior<MigrationEvent> forwarder(ActorRef<MigrationEvent> sink,
                                                                                   ActorRef<AgentMessage> source,
                                                                                   String job, int rank) {
        return Behaviors.setup(ctx -> {
            ctx.watch(source);
            return Behaviors.receive(MigrationEvent.class)
                    .onMessage(MigrationEvent.class, e -> {
                        sink.tell(e);
                        return e.phase().terminal() ? Behaviors.stopped() : Behaviors.same();
                    })
                    .onSignal(org.apache.pekko.actor.typed.Terminated.class, t -> {
                        sink.tell(new MigrationEvent(0, job, rank, Phase.UNKNOWN, System.currentTimeMillis(),
                                "the source agent " + source.path().address() + " left the cluster before the"
                                        + " migration ended; where the rank runs now: roam status", null));
                        return Behaviors.stopped();
                    })
                    .build();
        });
    }

    private static ByteString line(MigrationEvent e) {
        try {
            return ByteString.fromString(JSON.writeValueAsString(e) + "\n");
        } catch (JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
    }
}
