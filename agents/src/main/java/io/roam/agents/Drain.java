package io.roam.agents;

import io.roam.agents.ClusterQueries.ClusterStatus;
import io.roam.agents.ClusterQueries.NodeView;
import io.roam.decision.Placement;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.MigrateRank;
import io.roam.protocol.AgentMessage.NodeStatus;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.protocol.AgentMessage.SetDrained;
import io.roam.protocol.MigrationEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Empties a node (roam drain, roam stop, SIGTERM): marks it drained, plans where each of its
 * ranks goes ({@link DrainPlanner}), moves them one at a time through the node's agent (so a
 * job never has more than one of its ranks in flight), then looks again and plans what is
 * left until the node is empty, a pass moves nothing, or the deadline passes. It never
 * kills a rank: what could not move keeps running where it is, and the report says why.
 */
final class Drain {
    /** Where the events of a drain go (the HTTP stream, or the agent's log). */
    interface Listener {
        void event(DrainEvent e);
    }

    private final ActorSystem<?> system;
    private final ClusterQueries queries;
    private final DrainPlanner planner;
    private final Duration migrationTimeout;

    Drain(ActorSystem<?> system, ClusterQueries queries, Placement placement, Duration migrationTimeout) {
        this.system = system;
        this.queries = queries;
        this.planner = new DrainPlanner(placement);
        this.migrationTimeout = migrationTimeout;
    }

    /** Drains the node named {@code name} (host or address) onto {@code onto} (any node if empty). */
    CompletionStage<DrainEvent> run(String name, List<String> onto, Duration deadline, Listener out) {
        long until = System.nanoTime() + deadline.toNanos();
        return queries.peers().thenCompose(peers -> queries.status(peers).thenCompose(status -> {
            Optional<NodeView> node = ClusterQueries.node(status, name);
            if (node.isEmpty()) {
                return done(out, DrainEvent.refused(name, "unknown node " + name + "; known nodes: " + known(status)));
            }
            List<NodeView> targets = new ArrayList<>();
            for (String o : onto) {
                Optional<NodeView> t = ClusterQueries.node(status, o);
                if (t.isEmpty()) {
                    return done(out, DrainEvent.refused(name, "--onto: unknown node " + o + "; known nodes: "
                            + known(status)));
                }
                targets.add(t.get());
            }
            String host = node.get().node().host();
            DrainPlanner.Plan plan = planner.plan(node.get(), status.nodes(), targets);
            if (plan.refused()) {
                return done(out, DrainEvent.refused(host, plan.refusal()));
            }
            ActorRef<AgentMessage> agent = peers.byAddress().get(node.get().node().address());
            if (agent == null || !node.get().reachable()) {
                return done(out, DrainEvent.refused(host, "the agent of " + host + " is not reachable"));
            }
            CompletionStage<NodeStatus> marked = AskPattern.ask(agent, r -> new SetDrained(true, r),
                    Duration.ofSeconds(10), system.scheduler());
            Map<String, String> failures = new LinkedHashMap<>();
            List<String> movedTo = new ArrayList<>();
            return marked.thenCompose(s -> {
                out.event(DrainEvent.info(host, host + " drained: it takes no new work; " + plan.moves().size()
                        + " rank(s) to move"));
                return pass(node.get().node().address(), host, plan, targets, until, failures, movedTo, agent, out);
            });
        })).exceptionally(t -> {
            DrainEvent e = DrainEvent.refused(name, "drain failed: " + rootMessage(t));
            out.event(e);
            return e;
        });
    }

    /** Moves the plan's ranks one by one, then looks again. */
    private CompletionStage<DrainEvent> pass(String address, String host, DrainPlanner.Plan plan, List<NodeView> onto,
                                             long until, Map<String, String> failures, List<String> movedTo,
                                             ActorRef<AgentMessage> agent, Listener out) {
        CompletionStage<Integer> moved = CompletableFuture.completedFuture(0);
        for (DrainPlanner.Move m : plan.moves()) {
            moved = moved.thenCompose(n -> {
                if (System.nanoTime() > until) {
                    failures.put(key(m.jobId(), m.rank()), "deadline passed before its turn");
                    return CompletableFuture.completedFuture(n);
                }
                out.event(DrainEvent.plan(host, m.jobId(), m.rank(), m.target().node().host(), m.gain()));
                return migrate(agent, m, out).thenApply(last -> {
                    if (last.phase() == MigrationEvent.Phase.DONE) {
                        failures.remove(key(m.jobId(), m.rank()));
                        movedTo.add("job " + m.jobId() + " rank " + m.rank() + " -> " + m.target().node().host());
                        return n + 1;
                    }
                    failures.put(key(m.jobId(), m.rank()), last.detail());
                    return n;
                });
            });
        }
        return moved.thenCompose(n -> queries.status().thenCompose(status -> {
            NodeView now = status.nodes().stream().filter(v -> v.node().address().equals(address)).findFirst()
                    .orElse(null);
            List<ProcessInfo> left = now == null ? List.of() : now.processes().stream()
                    .filter(p -> !movedOn(status, address, p)).toList();
            if (left.isEmpty()) {
                return done(out, DrainEvent.finished(host, movedTo, Map.of()));
            }
            // another pass only if this one moved something: else it would repeat the same failures
            DrainPlanner.Plan next = n == 0 || System.nanoTime() > until ? null
                    : planner.plan(new NodeView(now.node(), now.reachable(), now.manager(), now.upSinceMillis(),
                            now.slots(), left, now.neighbours(), now.profiles(), now.profile(), now.network(),
                            now.drained()), status.nodes(), refreshed(status, onto));
            if (next != null && !next.refused()) {
                return pass(address, host, next, onto, until, failures, movedTo, agent, out);
            }
            Map<String, String> why = new LinkedHashMap<>();
            for (ProcessInfo p : left) {
                String reason = failures.get(key(p.jobId(), p.rank()));
                why.put(key(p.jobId(), p.rank()), reason != null ? reason : next != null ? next.refusal()
                        : System.nanoTime() > until ? "deadline passed" : "arrived during the drain");
            }
            return done(out, DrainEvent.finished(host, movedTo, why));
        }));
    }

    /**
     * True when (job, rank) of {@code p} already runs on another node as a later incarnation:
     * p is the departed process, still registered until its connection closes.
     */
    private static boolean movedOn(ClusterStatus status, String address, ProcessInfo p) {
        return status.nodes().stream().filter(n -> !n.node().address().equals(address))
                .flatMap(n -> n.processes().stream())
                .anyMatch(q -> q.jobId().equals(p.jobId()) && q.rank() == p.rank() && q.moves() > p.moves());
    }

    private static List<NodeView> refreshed(ClusterStatus status, List<NodeView> onto) {
        List<NodeView> out = new ArrayList<>();
        for (NodeView o : onto) {
            status.nodes().stream().filter(n -> n.node().address().equals(o.node().address())).findFirst()
                    .ifPresent(out::add);
        }
        return out;
    }

    /** One migration through the source agent; completes with its last event. */
    private CompletionStage<MigrationEvent> migrate(ActorRef<AgentMessage> agent, DrainPlanner.Move m, Listener out) {
        CompletableFuture<MigrationEvent> last = new CompletableFuture<>();
        ActorRef<MigrationEvent> events = system.systemActorOf(Behaviors.receiveMessage((MigrationEvent e) -> {
            out.event(DrainEvent.migration(e, m.target().node().host()));
            if (e.phase().terminal()) {
                last.complete(e);
                return Behaviors.stopped();
            }
            return Behaviors.same();
        }), "drain-" + m.rank() + "-" + System.nanoTime(), Props.empty());
        agent.tell(new MigrateRank(m.jobId(), m.rank(), m.target().node().address(), events));
        return last.completeOnTimeout(new MigrationEvent(0, m.jobId(), m.rank(), MigrationEvent.Phase.FAILED,
                System.currentTimeMillis(), "no answer from the source agent within " + migrationTimeout.plusSeconds(10),
                null), migrationTimeout.plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    }

    private static CompletionStage<DrainEvent> done(Listener out, DrainEvent e) {
        out.event(e);
        return CompletableFuture.completedFuture(e);
    }

    private static String key(String job, int rank) {
        return "job " + job + " rank " + rank;
    }

    static String known(ClusterStatus status) {
        return status.nodes().stream().map(n -> n.node().host()).sorted().toList().toString();
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
