package io.roam.agents;

import io.roam.decision.DecisionSettings;
import io.roam.decision.MoveEffect;
import io.roam.decision.Window;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.ExpectArrival;
import io.roam.protocol.AgentMessage.MoveMeasured;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.MigrationTimes;
import io.roam.protocol.MigrationEvent.Phase;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One migration of a rank to this node: the target side of the migration protocol
 * (docs/architecture.md, "One migration, one actor").
 *
 * <pre>
 * expecting --Arrived--> measuring --window full, process gone, or time up--> (stopped)
 *     |
 *     +-- arrival timeout: nothing is told (the source has its own timeout)
 * </pre>
 *
 * Expecting: it waits for the replacement that the source agent announced
 * ({@link ExpectArrival}), relays a stall the replacement reports, and tells the source's
 * migration DONE when the replacement registers here and reports MIGRATION_DONE.
 * Measuring: it times the job's iterations as the replacement reports them in its
 * heartbeats (the first {@link #SKIPPED_HEARTBEATS} skipped: the move's own pause and
 * start-up are in them) until it has a window of them, then judges the move against the
 * window the source sent ({@link MoveEffect}) and tells the source agent and its own agent
 * ({@link MoveMeasured}). If the process ends first, or the heartbeats stop, it judges what
 * it has (too few samples: UNMEASURED).
 */
final class TargetMigration {
    /** Heartbeats of the replacement not timed: the first spans the restore, the second may. */
    static final int SKIPPED_HEARTBEATS = 2;

    sealed interface Command {
    }

    /** The replacement runs here as {@code pid} (MIGRATION_DONE), with libpcm's phase times. */
    record Arrived(long pid, MigrationTimes times) implements Command {
    }

    /** The replacement (or another process of the job here) reports the reconfiguration stalled. */
    record Stalled(String detail) implements Command {
    }

    /** A heartbeat of a process of the rank here: the job's iteration time as it saw it (ns; 0 unknown). */
    record Heartbeat(long pid, long iterationNs) implements Command {
    }

    /** The process {@code pid} of the rank here is gone (the job ended, or it moved on). */
    record Gone(long pid) implements Command {
    }

    private enum Timeout implements Command { ARRIVAL, MEASURE }

    /** Where it reports, and how it measures. */
    record Setup(String host, String selfAddress, Duration arrivalTimeout, Duration measureTimeout,
                 DecisionSettings decision, ActorRef<AgentMessage> ownAgent) {
    }

    private TargetMigration() {
    }

    static Behavior<Command> create(ExpectArrival a, Setup setup) {
        return Behaviors.withTimers(timers -> {
            timers.startSingleTimer(Timeout.ARRIVAL, setup.arrivalTimeout());
            return Behaviors.receive(Command.class)
                    .onMessage(Arrived.class, r -> {
                        a.replyTo().tell(event(a, Phase.DONE, "running on " + setup.host() + " as pid " + r.pid(),
                                r.times()));
                        timers.cancel(Timeout.ARRIVAL);
                        timers.startSingleTimer(Timeout.MEASURE, setup.measureTimeout());
                        return measuring(a, setup, r.pid(), timers);
                    })
                    .onMessage(Stalled.class, s -> {
                        a.replyTo().tell(event(a, Phase.STALLED, s.detail(), null));
                        return Behaviors.same();
                    })
                    .onMessage(Heartbeat.class, h -> Behaviors.same())   // the old process's, or the rank's elsewhere
                    .onMessage(Gone.class, g -> Behaviors.same())
                    .onMessageEquals(Timeout.ARRIVAL, Behaviors::stopped)
                    .build();
        });
    }

    /** The replacement runs here as {@code pid}: its heartbeats are timed. */
    private static Behavior<Command> measuring(ExpectArrival a, Setup setup, long pid, TimerScheduler<Command> timers) {
        Window after = new Window(setup.decision().window());
        int[] skipped = {0};
        return Behaviors.receive(Command.class)
                .onMessage(Heartbeat.class, h -> {
                    if (h.pid() != pid || h.iterationNs() <= 0) {
                        return Behaviors.same();
                    }
                    if (skipped[0] < SKIPPED_HEARTBEATS) {
                        skipped[0]++;
                        return Behaviors.same();
                    }
                    after.add(h.iterationNs());
                    return after.isFull() ? judge(a, setup, after) : Behaviors.same();
                })
                .onMessage(Gone.class, g -> g.pid() == pid ? judge(a, setup, after) : Behaviors.same())
                .onMessageEquals(Timeout.MEASURE, () -> judge(a, setup, after))
                .onMessage(Stalled.class, s -> Behaviors.same())   // after DONE: the source's actor has ended
                .onMessage(Arrived.class, r -> Behaviors.same())
                .build();
    }

    private static Behavior<Command> judge(ExpectArrival a, Setup setup, Window after) {
        MoveEffect effect = setup.decision().judge(a.beforeNs(), after.factorSummary());
        MoveMeasured m = new MoveMeasured(a.orderId(), a.jobId(), a.rank(), setup.selfAddress(), setup.host(), effect);
        a.sourceAgent().tell(m);
        setup.ownAgent().tell(m);
        return Behaviors.stopped();
    }

    private static MigrationEvent event(ExpectArrival a, Phase phase, String detail, MigrationTimes times) {
        return new MigrationEvent(a.orderId(), a.jobId(), a.rank(), phase, System.currentTimeMillis(), detail, times);
    }
}
