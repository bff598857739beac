package io.roam.agents;

import io.roam.config.Settings;
import io.roam.protocol.AgentMessage.NodeStatus;
import io.roam.protocol.AgentMessage.StatusQuery;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an agent stops (SIGTERM, {@code roam stop}, {@link Agent#close()}): Pekko's coordinated
 * shutdown, with a first task that drains the node (when roam.agent.drain.on-stop is on and
 * the stop asked for it), within roam.agent.drain.deadline, then the control API unbinds and
 * the node leaves the cluster. Ranks that could not move are logged and left running.
 *
 * <p>The agent counts as stopped when its actor system has ended or, at the latest,
 * {@link #TERMINATE_GRACE} after the shutdown reached its last phase: Pekko's Artery
 * remoting can leave a stream that never completes (apache/pekko#3247), and an agent that
 * left the cluster must not then hang its process. That case is logged with the stacks of
 * the threads still running, and {@code roam agent} exits anyway.
 */
final class AgentShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(AgentShutdown.class);
    /** Pekko's actor-system-terminate phase (10 s) and some margin. */
    static final Duration TERMINATE_GRACE = Duration.ofSeconds(15);

    /** A stop asked by Roam itself; {@code drain} false when the node was drained already or must not be. */
    record Requested(String reason, boolean drain) implements CoordinatedShutdown.Reason {
    }

    private AgentShutdown() {
    }

    /** The phase timeout of the drain task: the deadline and time for the last migration's report. */
    static Duration phaseTimeout(AgentSettings s) {
        return s.drainDeadline().plus(s.migrationTimeout()).plusSeconds(10);
    }

    /** Installs the tasks; the future completes when the agent has stopped (see the class comment). */
    static CompletableFuture<Void> install(ActorSystem<NodeAgent.Command> system, AgentSettings settings, Drain drain,
                                           ServerBinding http) {
        CoordinatedShutdown cs = CoordinatedShutdown.get(system);
        cs.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "roam-drain", () -> {
            boolean asked = cs.getShutdownReason().map(r -> !(r instanceof Requested q) || q.drain()).orElse(true);
            if (!settings.drainOnStop() || !asked) {
                return CompletableFuture.completedFuture(Done.done());
            }
            return self(system, settings).thenCompose(s -> {
                if (s.processes().isEmpty()) {
                    return CompletableFuture.completedFuture(Done.done());
                }
                say("stopping: draining " + settings.host() + " first (" + s.processes().size() + " rank(s), deadline "
                        + settings.drainDeadline() + ")");
                return drain.run(s.node().address(), List.of(), settings.drainDeadline(),
                        e -> say("drain: " + e.type() + " " + e.detail())).thenApply(e -> Done.done());
            }).exceptionally(t -> {
                say("stopping without a drain: " + t);
                return Done.done();
            });
        });
        cs.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "roam-http-unbind",
                () -> http.unbind().thenApply(x -> Done.done()));
        CompletableFuture<Void> terminating = new CompletableFuture<>();
        cs.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "roam-terminating", () -> {
            terminating.complete(null);
            return CompletableFuture.completedFuture(Done.done());
        });
        CompletableFuture<Void> ended = system.getWhenTerminated().toCompletableFuture().thenApply(t -> null);
        CompletableFuture<Void> late = terminating.thenRunAsync(() -> {
            if (!ended.isDone()) {
                LOG.warn("the actor system did not end within {} of the shutdown's last phase (a remoting stream"
                        + " that does not stop); the agent has left the cluster and counts as stopped. Threads still"
                        + " running:{}", Settings.format(TERMINATE_GRACE), stacks());
            }
        }, CompletableFuture.delayedExecutor(TERMINATE_GRACE.toMillis(), TimeUnit.MILLISECONDS));
        return ended.applyToEither(late, x -> null);
    }

    /** The stacks of the actor system's threads, for the log line above. */
    private static String stacks() {
        StringBuilder sb = new StringBuilder();
        Thread.getAllStackTraces().forEach((t, frames) -> {
            if (t.getName().startsWith("roam-") && frames.length > 0) {
                sb.append("\n  ").append(t.getName()).append(" (").append(t.getState()).append(')');
                for (int i = 0; i < Math.min(frames.length, 12); i++) {
                    sb.append("\n      at ").append(frames[i]);
                }
            }
        });
        return sb.toString();
    }

    /**
     * On the agent's console, not through the logger: during a JVM shutdown (SIGTERM) the
     * logging back end may already be stopped, and the operator must see what the drain did.
     */
    private static void say(String line) {
        System.out.println("roam agent: " + line);
        System.out.flush();
    }

    private static CompletionStage<NodeStatus> self(ActorSystem<NodeAgent.Command> system, AgentSettings s) {
        return AskPattern.ask(system, r -> new NodeAgent.Wire(new StatusQuery(r)), s.statusTimeout(),
                system.scheduler());
    }
}
