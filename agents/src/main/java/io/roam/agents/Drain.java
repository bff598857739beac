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
import io.roam.protocol.MigrationHistory;
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
 * ranks goes ({@link DrainPlanner}; when the other nodes lack slots and
 * roam.agent.drain.shrink-malleable is on, first shrinks the node's malleable jobs:
 * {@link DrainShrinkPlanner}, {@link DrainShrinks}), moves them one at a time through the node's agent (so a
 * job never has more than one of its ranks in flight), then looks again and plans what is
 * left until the node is empty, a pass moves nothing, or the deadline passes. It never
 * kills a rank: what could not move keeps running where it is, and the report says why.
 *
 * Migrations already under way from the node when the drain starts or meets them (a steal,
 * a roam migrate order) are not the drain's to repeat: the node's agent would refuse a
 * second order for the same rank, or for another rank of the same job beyond
 * roam.stealing.max-migrations-per-job. So before it plans, and when a move of its own is
 * refused while one is in flight, the drain waits (asking the node's agent for its
 * migration log every {@link #IN_FLIGHT_POLL}) until none is in flight, then plans again
 * for whatever is still on the node, all within its deadline.
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
    private final DrainShrinks shrinks;
    /** How often a drain that waits for migrations in flight from its node asks the node's agent. */
    static final Duration IN_FLIGHT_POLL = Duration.ofMillis(200);

    /** What one drain carries from pass to pass. */
    private record Run(String address, String host, List<NodeView> onto, long until, Map<String, String> failures,
                       List<String> movedTo, ActorRef<AgentMessage> agent, Listener out) {
    }

    /** A pass: how many ranks it moved, and whether it stopped early on meeting a migration in flight. */
    private record PassResult(int moved, boolean metInFlight) {
    }

    Drain(ActorSystem<?> system, ClusterQueries queries, Placement placement, Duration migrationTimeout) {
        this(system, queries, placement, migrationTimeout, null);
    }

    /**
     * @param shrinks how to shrink malleable jobs when the other nodes lack slots
     *                (roam.agent.drain.shrink-malleable), or null: such a drain is refused
     */
    Drain(ActorSystem<?> system, ClusterQueries queries, Placement placement, Duration migrationTimeout,
          DrainShrinks shrinks) {
        this.system = system;
        this.queries = queries;
        this.planner = new DrainPlanner(placement);
        this.migrationTimeout = migrationTimeout;
        this.shrinks = shrinks;
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
            DrainShrinkPlanner.Plan shrink = null;
            if (plan.refused() && shrinks != null) {
                // no room: the malleable jobs on the node may shrink instead of oversubscribing
                shrink = DrainShrinkPlanner.plan(node.get(), status.nodes(), targets);
                if (shrink.refused() || shrink.shrinks().isEmpty()) {
                    return done(out, DrainEvent.refused(host, plan.refusal() + (shrink.refused() ? "; " + shrink.refusal()
                            : "")));
                }
            } else if (plan.refused()) {
                return done(out, DrainEvent.refused(host, plan.refusal()));
            }
            List<DrainShrinkPlanner.Shrink> toShrink = shrink == null ? List.of() : shrink.shrinks();
            ActorRef<AgentMessage> agent = peers.byAddress().get(node.get().node().address());
            if (agent == null || !node.get().reachable()) {
                return done(out, DrainEvent.refused(host, "the agent of " + host + " is not reachable"));
            }
            CompletionStage<NodeStatus> marked = AskPattern.ask(agent, r -> new SetDrained(true, r),
                    Duration.ofSeconds(10), system.scheduler());
            Run run = new Run(node.get().node().address(), host, targets, until, new LinkedHashMap<>(),
                    new ArrayList<>(), agent, out);
            if (!toShrink.isEmpty()) {
                return marked.thenCompose(s -> {
                    out.event(DrainEvent.info(host, host + " drained: it takes no new work; the other nodes lack slots"
                            + " for its " + node.get().processes().size() + " rank(s): first "
                            + toShrink.stream().map(DrainShrinkPlanner.Shrink::describe).toList()));
                    return shrinks.run(peers, toShrink, host, out)
                            .thenCompose(done -> {
                                done.forEach(d -> run.movedTo().add(d.describe() + " (shrunk)"));
                                return shrinks.awaitLeaversGone(done, until);
                            })
                            .thenCompose(x -> next(run, true));
                });
            }
            return marked.thenCompose(s -> {
                out.event(DrainEvent.info(host, host + " drained: it takes no new work; " + plan.moves().size()
                        + " rank(s) to move"));
                // a migration already under way from the node: wait for it, then plan afresh
                return awaitNoneInFlight(run, false).thenCompose(waited -> waited ? next(run, true)
                        : pass(run, plan).thenCompose(r -> next(run, r.moved() > 0 || r.metInFlight())));
            });
        })).exceptionally(t -> {
            DrainEvent e = DrainEvent.refused(name, "drain failed: " + rootMessage(t));
            out.event(e);
            return e;
        });
    }

    /**
     * Moves the plan's ranks one by one. A move refused or failed while a migration from the
     * node is in flight ends the pass: what it has not moved yet is planned again after that
     * migration.
     */
    private CompletionStage<PassResult> pass(Run run, DrainPlanner.Plan plan) {
        CompletionStage<PassResult> result = CompletableFuture.completedFuture(new PassResult(0, false));
        for (DrainPlanner.Move m : plan.moves()) {
            result = result.thenCompose(r -> {
                if (r.metInFlight()) {
                    return CompletableFuture.completedFuture(r);
                }
                if (System.nanoTime() > run.until()) {
                    run.failures().put(key(m.jobId(), m.rank()), "deadline passed before its turn");
                    return CompletableFuture.completedFuture(r);
                }
                run.out().event(DrainEvent.plan(run.host(), m.jobId(), m.rank(), m.target().node().host(), m.gain()));
                return migrate(run.agent(), m, run.out()).thenCompose(last -> {
                    if (last.phase() == MigrationEvent.Phase.DONE) {
                        run.failures().remove(key(m.jobId(), m.rank()));
                        run.movedTo().add("job " + m.jobId() + " rank " + m.rank() + " -> " + m.target().node().host());
                        return CompletableFuture.completedFuture(new PassResult(r.moved() + 1, false));
                    }
                    run.failures().put(key(m.jobId(), m.rank()), last.detail());
                    return inFlight(run.agent()).thenApply(busy -> new PassResult(r.moved(), !busy.isEmpty()));
                });
            });
        }
        return result;
    }

    /**
     * After a pass: waits for migrations in flight from the node, then plans what is left and
     * moves it, while passes make progress (a rank moved, or a migration in flight ended) and
     * the deadline allows.
     */
    private CompletionStage<DrainEvent> next(Run run, boolean progress) {
        return awaitNoneInFlight(run, false).thenCompose(waited -> queries.status().thenCompose(status -> {
            NodeView now = status.nodes().stream().filter(v -> v.node().address().equals(run.address())).findFirst()
                    .orElse(null);
            List<ProcessInfo> left = now == null ? List.of() : now.processes().stream()
                    .filter(p -> !movedOn(status, run.address(), p) && !leftInAShrink(status, p)).toList();
            if (left.isEmpty()) {
                return done(run.out(), DrainEvent.finished(run.host(), run.movedTo(), Map.of()));
            }
            // another pass only after progress: else it would repeat the same failures
            DrainPlanner.Plan next = !(progress || waited) || System.nanoTime() > run.until() ? null
                    : planner.plan(new NodeView(now.node(), now.reachable(), now.manager(), now.upSinceMillis(),
                            now.slots(), left, now.neighbours(), now.profiles(), now.profile(), now.network(),
                            now.drained(), now.pcmSocket()), status.nodes(), refreshed(status, run.onto()));
            if (next != null && !next.refused()) {
                return pass(run, next).thenCompose(r -> next(run, r.moved() > 0 || r.metInFlight()));
            }
            Map<String, String> why = new LinkedHashMap<>();
            for (ProcessInfo p : left) {
                String reason = run.failures().get(key(p.jobId(), p.rank()));
                why.put(key(p.jobId(), p.rank()), reason != null ? reason : next != null ? next.refusal()
                        : System.nanoTime() > run.until() ? "deadline passed" : "arrived during the drain");
            }
            return done(run.out(), DrainEvent.finished(run.host(), run.movedTo(), why));
        }));
    }

    /**
     * Completes once no migration from the node is in flight, or the deadline has passed
     * (each one still under way is then the reason its rank stays); true if it waited.
     */
    private CompletionStage<Boolean> awaitNoneInFlight(Run run, boolean waited) {
        return inFlight(run.agent()).thenCompose(busy -> {
            if (busy.isEmpty()) {
                return CompletableFuture.completedFuture(waited);
            }
            if (System.nanoTime() > run.until()) {
                for (MigrationHistory.Entry e : busy) {
                    run.failures().put(key(e.jobId(), e.rank()), "its migration to " + e.target() + " (order "
                            + e.orderId() + ") was still under way when the deadline passed");
                }
                return CompletableFuture.completedFuture(true);
            }
            if (!waited) {
                run.out().event(DrainEvent.info(run.host(), "waiting for the migration(s) under way from "
                        + run.host() + " to end before planning again: " + busy.stream().map(e -> key(e.jobId(),
                        e.rank()) + " -> " + e.target() + " (order " + e.orderId() + ")").toList()));
            }
            return CompletableFuture.supplyAsync(() -> true, CompletableFuture.delayedExecutor(
                    IN_FLIGHT_POLL.toMillis(), TimeUnit.MILLISECONDS)).thenCompose(x -> awaitNoneInFlight(run, true));
        });
    }

    /** The migrations from the node that have not ended, from its agent's migration log. */
    private CompletionStage<List<MigrationHistory.Entry>> inFlight(ActorRef<AgentMessage> agent) {
        CompletionStage<MigrationHistory> history = AskPattern.ask(agent, MigrationHistory.Query::new,
                Duration.ofSeconds(10), system.scheduler());
        return history.thenApply(h -> h.migrations().stream().filter(e -> !e.finished()).toList());
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

    /**
     * True when p's rank is at or above its job's size (rank 0's): p left in a shrink and is
     * still registered until its connection closes.
     */
    private static boolean leftInAShrink(ClusterStatus status, ProcessInfo p) {
        return status.nodes().stream().flatMap(n -> n.processes().stream())
                .anyMatch(q -> q.jobId().equals(p.jobId()) && q.rank() == 0 && p.rank() >= q.size());
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
