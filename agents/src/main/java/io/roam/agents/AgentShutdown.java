package io.roam.agents;

import io.roam.protocol.AgentMessage.NodeStatus;
import io.roam.protocol.AgentMessage.StatusQuery;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * How an agent stops (SIGTERM, {@code roam stop}, {@link Agent#close()}): Pekko's coordinated
 * shutdown, with a first task that drains the node (when roam.agent.drain.on-stop is on and
 * the stop asked for it), within roam.agent.drain.deadline, then the control API unbinds and
 * the node leaves the cluster. Ranks that could not move are logged and left running.
 */
final class AgentShutdown {
    /** A stop asked by Roam itself; {@code drain} false when the node was drained already or must not be. */
    record Requested(String reason, boolean drain) implements CoordinatedShutdown.Reason {
    }

    private AgentShutdown() {
    }

    /** The phase timeout of the drain task: the deadline and time for the last migration's report. */
    static Duration phaseTimeout(AgentSettings s) {
        return s.drainDeadline().plus(s.migrationTimeout()).plusSeconds(10);
    }

    static void install(ActorSystem<NodeAgent.Command> system, AgentSettings settings, Drain drain, ServerBinding http) {
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
