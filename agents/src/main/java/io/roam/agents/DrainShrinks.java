package io.roam.agents;

import io.roam.agents.ClusterQueries.ClusterStatus;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.protocol.AgentMessage.ResizeJob;
import io.roam.protocol.ResizeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Carries out a drain's shrinks ({@link DrainShrinkPlanner}): one {@link ResizeJob} order at a
 * time to the agent of each job's rank 0, exactly as {@code roam resize} sends it, each phase
 * told to the drain's listener as a RESIZE event; then waits until the processes that left
 * are gone from every agent's status (they stay registered until their connection closes),
 * so that the drain plans again with the slots they freed.
 */
final class DrainShrinks {
    /** How often the wait for the leavers asks the agents. */
    static final Duration POLL = Duration.ofMillis(200);

    private final ActorSystem<?> system;
    private final ClusterQueries queries;
    private final Duration resizeTimeout;

    DrainShrinks(ActorSystem<?> system, ClusterQueries queries, Duration resizeTimeout) {
        this.system = system;
        this.queries = queries;
        this.resizeTimeout = resizeTimeout;
    }

    /** Runs the shrinks one after the other; completes with those that ended DONE. */
    CompletionStage<List<DrainShrinkPlanner.Shrink>> run(NodeAgent.Peers peers, List<DrainShrinkPlanner.Shrink> shrinks,
                                                        String host, Drain.Listener out) {
        List<DrainShrinkPlanner.Shrink> done = new ArrayList<>();
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (DrainShrinkPlanner.Shrink s : shrinks) {
            chain = chain.thenCompose(x -> {
                ActorRef<AgentMessage> agent = peers.byAddress().get(s.rank0().node().address());
                if (agent == null) {
                    out.event(DrainEvent.info(host, "cannot shrink " + s.describe() + ": no agent at "
                            + s.rank0().node().address()));
                    return CompletableFuture.completedFuture(null);
                }
                out.event(DrainEvent.info(host, "shrinking " + s.describe() + " to make room (roam.agent.drain"
                        + ".shrink-malleable): the others have no free slot for every rank of " + host));
                return resize(agent, s, host, out).thenAccept(last -> {
                    if (last.phase() == ResizeEvent.Phase.DONE) {
                        done.add(s);
                    }
                });
            });
        }
        return chain.thenApply(x -> done);
    }

    /** One resize through rank 0's agent; completes with its last event. */
    private CompletionStage<ResizeEvent> resize(ActorRef<AgentMessage> agent, DrainShrinkPlanner.Shrink s, String host,
                                                Drain.Listener out) {
        CompletableFuture<ResizeEvent> last = new CompletableFuture<>();
        ActorRef<ResizeEvent> events = system.systemActorOf(Behaviors.receiveMessage((ResizeEvent e) -> {
            out.event(DrainEvent.resize(host, e));
            if (e.phase().terminal()) {
                last.complete(e);
                return Behaviors.stopped();
            }
            return Behaviors.same();
        }), "drain-shrink-" + s.jobId().replaceAll("[^A-Za-z0-9-]", "_") + "-" + System.nanoTime(), Props.empty());
        agent.tell(new ResizeJob(s.jobId(), s.newSize(), List.of(), events));
        Duration wait = resizeTimeout.plusSeconds(10);
        return last.completeOnTimeout(new ResizeEvent(0, s.jobId(), s.oldSize(), s.newSize(), ResizeEvent.Phase.FAILED,
                System.currentTimeMillis(), "no answer from the agent of rank 0 within " + wait, null),
                wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Completes once no process of a shrunk job at or above its new size is registered with
     * any agent, or at {@code untilNanos} (System.nanoTime), whichever comes first.
     */
    CompletionStage<Void> awaitLeaversGone(List<DrainShrinkPlanner.Shrink> done, long untilNanos) {
        if (done.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return queries.status().thenCompose(status -> {
            if (!lingering(status, done) || System.nanoTime() > untilNanos) {
                return CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(POLL.toMillis(),
                    TimeUnit.MILLISECONDS)).thenCompose(x -> awaitLeaversGone(done, untilNanos));
        });
    }

    /** Whether a process that left in one of the shrinks is still registered somewhere. */
    static boolean lingering(ClusterStatus status, List<DrainShrinkPlanner.Shrink> done) {
        for (var n : status.nodes()) {
            for (ProcessInfo p : n.processes()) {
                if (done.stream().anyMatch(s -> s.jobId().equals(p.jobId()) && p.rank() >= s.newSize())) {
                    return true;
                }
            }
        }
        return false;
    }
}
