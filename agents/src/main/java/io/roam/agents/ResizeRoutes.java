package io.roam.agents;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.onSuccess;
import static org.apache.pekko.http.javadsl.server.Directives.parameter;
import static org.apache.pekko.http.javadsl.server.Directives.parameterOptional;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.post;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.ResizeJob;
import io.roam.protocol.ResizeEvent;
import io.roam.protocol.ResizeEvent.Phase;
import java.util.Arrays;
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
 * {@code POST /api/resize?job=J&ranks=N[&on=NODE,NODE]}: runs job J with N processes. The
 * agent asked plans it ({@link ResizePlanner}: a grow's hosts are the {@code on} nodes, or the
 * nodes with free slots, most free first) and sends the order to the agent of the job's rank 0;
 * the response streams one JSON line per phase ({@link ResizeEvent}: ACCEPTED, ORDERED, then
 * DONE with the phase times, or FAILED). A request refused before anything was done is one
 * FAILED line. It acts, so it needs the token, as {@code /api/migrate} ({@link RequestGuard}).
 */
final class ResizeRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ActorSystem<?> system;
    private final ClusterQueries queries;

    ResizeRoutes(ActorSystem<?> system, ClusterQueries queries) {
        this.system = system;
        this.queries = queries;
    }

    Route route() {
        return path("resize", () -> post(() -> parameter("job", job -> parameter("ranks", ranks ->
                parameterOptional("on", on -> resize(job, ranks, on))))));
    }

    private Route resize(String job, String ranksText, Optional<String> on) {
        int ranks;
        try {
            ranks = Integer.parseInt(ranksText.trim());
        } catch (NumberFormatException e) {
            return complete(StatusCodes.BAD_REQUEST, "ranks must be an integer, was " + ranksText + "\n");
        }
        List<String> hosts = on.map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(h -> !h.isEmpty())
                .toList()).orElse(List.of());
        CompletionStage<Source<ByteString, NotUsed>> plan = queries.peers().thenCompose(peers ->
                queries.status(peers).thenApply(status -> events(peers, status, job, ranks, hosts)));
        return onSuccess(plan, source -> complete(StatusCodes.OK,
                HttpEntities.createChunked(ContentTypes.APPLICATION_JSON, source)));
    }

    private Source<ByteString, NotUsed> events(NodeAgent.Peers peers, ClusterQueries.ClusterStatus status, String job,
                                              int ranks, List<String> on) {
        ResizePlanner.Plan plan = ResizePlanner.plan(status.nodes(), job, ranks, on);
        ActorRef<AgentMessage> agent = plan.refused() ? null : peers.byAddress().get(plan.rank0().node().address());
        if (plan.refused() || agent == null) {
            String why = plan.refused() ? plan.refusal() : "no agent at " + plan.rank0().node().address();
            return Source.single(line(new ResizeEvent(0, job, plan.size(), ranks, Phase.FAILED,
                    System.currentTimeMillis(), why, null)));
        }
        return ActorSource.<ResizeEvent>actorRef(e -> false, e -> Optional.empty(), 64, OverflowStrategy.dropHead())
                .takeWhile(e -> !e.phase().terminal(), true)
                .mapMaterializedValue(sink -> {
                    system.systemActorOf(forwarder(sink, agent, job, plan.size(), ranks, plan.hosts()),
                            "resize-" + job.replaceAll("[^A-Za-z0-9-]", "_") + "-" + System.nanoTime(), Props.empty());
                    return NotUsed.getInstance();
                }).map(ResizeRoutes::line);
    }

    /**
     * Sends the order to rank 0's agent, relays its events to the stream and stops after the
     * last; if that agent leaves the cluster first, the stream ends with UNKNOWN.
     */
    private static org.apache.pekko.actor.typed.Behavior<ResizeEvent> forwarder(ActorRef<ResizeEvent> sink,
                                                                                ActorRef<AgentMessage> agent, String job,
                                                                                int size, int ranks, List<String> hosts) {
        return Behaviors.setup(ctx -> {
            ctx.watch(agent);
            agent.tell(new ResizeJob(job, ranks, hosts, ctx.getSelf()));
            return Behaviors.receive(ResizeEvent.class)
                    .onMessage(ResizeEvent.class, e -> {
                        sink.tell(e);
                        return e.phase().terminal() ? Behaviors.stopped() : Behaviors.same();
                    })
                    .onSignal(org.apache.pekko.actor.typed.Terminated.class, t -> {
                        sink.tell(new ResizeEvent(0, job, size, ranks, Phase.UNKNOWN, System.currentTimeMillis(),
                                "the agent of rank 0 (" + agent.path().address() + ") left the cluster before the"
                                        + " resize ended; the job's size now: roam status", null));
                        return Behaviors.stopped();
                    })
                    .build();
        });
    }

    private static ByteString line(ResizeEvent e) {
        try {
            return ByteString.fromString(JSON.writeValueAsString(e) + "\n");
        } catch (JsonProcessingException x) {
            throw new IllegalStateException(x);
        }
    }
}
