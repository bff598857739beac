package io.roam.agents;

import io.roam.decision.Summary;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.ExpectArrival;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.MigrationTimes;
import io.roam.protocol.MigrationEvent.Phase;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One migration of a rank away from this node, from the order's acceptance to its end: the
 * source side of the migration protocol (docs/architecture.md, "One migration, one actor").
 *
 * <pre>
 * waiting --Go--> ordered --Departed--> departed
 *    |               |                     |
 *    +-- Abort,      +-- DONE from target, +-- DONE from target, grace over (DONE
 *        Finalized       process failed,       unconfirmed), Abort
 *                        Abort, Finalized,
 *                        order timeout
 * </pre>
 *
 * Every state ends in exactly one terminal event (DONE or FAILED), after which the actor
 * stops. Each event goes to the requester ({@code roam migrate}, a thief, a drain) and to the
 * owner (the agent: its migration log, metrics and the job's queue). The actor owns its two
 * timers: the order timeout ({@code roam.agent.migration.timeout}, from Go until the process
 * leaves) and the grace for the target's confirmation once the process has left.
 */
final class SourceMigration {
    sealed interface Command {
    }

    /**
     * Its turn: order the move. The agent has checked that the rank and the target agent are
     * still there; {@code beforeNs} is the job's iteration time here before the move, which
     * the target compares with what it measures after ({@code sourceAgent}: where it tells).
     */
    record Go(ActorRef<AgentMessage> targetAgent, Summary beforeNs, ActorRef<AgentMessage> sourceAgent)
            implements Command {
    }

    /** The migration will not happen (or, after the process left, its job ended): the reason. */
    record Abort(String reason) implements Command {
    }

    /** The process agreed with every rank at a PCM_Status (MIGRATION_STARTED). */
    record Started(long iteration) implements Command {
    }

    /** State transfer progress (MIGRATION_PROGRESS). */
    record Progress(long bytesSent, long bytesTotal) implements Command {
    }

    /** The process reports the migration failed; it goes on where it is (MIGRATION_FAILED). */
    record ProcessFailed(String detail) implements Command {
    }

    /** A process of the job reports the reconfiguration stalled (MIGRATION_STALLED); not terminal. */
    record Stalled(String detail) implements Command {
    }

    /** The process said BYE(migrated): the replacement holds the rank and its state. */
    record Departed() implements Command {
    }

    /** The process said BYE(finalized) before carrying out the order: the job ended. */
    record Finalized() implements Command {
    }

    /** What the daemon made of the order (written to the process's socket, or not). */
    private record Sent(PcmDaemon.OrderResult result) implements Command {
    }

    /** An event from the target agent (DONE, or STALLED relayed from the replacement's side). */
    private record FromTarget(MigrationEvent event) implements Command {
    }

    private enum Timeout implements Command { ORDER, CONFIRMATION }

    /** Every event of a migration, for the owner (the agent). */
    record Reported(MigrationTable.Pending migration, MigrationEvent event) {
    }

    /**
     * How long the move may take once ordered, and how long to wait for the target agent's
     * confirmation once the process left (at most {@code orderTimeout}).
     */
    record Timing(Duration orderTimeout, Duration confirmGrace) {
        Timing {
            if (confirmGrace.compareTo(orderTimeout) > 0) {
                confirmGrace = orderTimeout;
            }
        }
    }

    private final MigrationTable.Pending p;
    private final String sourceHost;
    private final Timing timing;
    private final ActorRef<PcmDaemon.Command> daemon;
    private final ActorRef<Reported> owner;
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;

    /**
     * @param queuedBehind null when the order goes out at once; else why it waits (the job's
     *                     migrations ahead of it), reported as QUEUED
     */
    static Behavior<Command> create(MigrationTable.Pending p, String sourceHost, String queuedBehind, Timing timing,
                                    ActorRef<PcmDaemon.Command> daemon, ActorRef<Reported> owner) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            SourceMigration m = new SourceMigration(p, sourceHost, timing, daemon, owner, ctx, timers);
            m.report(Phase.ACCEPTED, "from " + sourceHost + " to " + p.target(), null);
            if (queuedBehind != null) {
                m.report(Phase.QUEUED, queuedBehind, null);
            }
            return m.waiting();
        }));
    }

    private SourceMigration(MigrationTable.Pending p, String sourceHost, Timing timing,
                            ActorRef<PcmDaemon.Command> daemon, ActorRef<Reported> owner, ActorContext<Command> ctx,
                            TimerScheduler<Command> timers) {
        this.p = p;
        this.sourceHost = sourceHost;
        this.timing = timing;
        this.daemon = daemon;
        this.owner = owner;
        this.ctx = ctx;
        this.timers = timers;
    }

    /** Accepted, possibly queued behind the job's migrations in flight: nothing ordered yet. */
    private Behavior<Command> waiting() {
        return Behaviors.receive(Command.class)
                .onMessage(Go.class, this::onGo)
                .onMessage(Abort.class, a -> fail(a.reason()))
                .onMessage(Finalized.class, f -> finalizedFirst())
                .onMessage(Stalled.class, s -> stalled(s.detail()))
                .build();
    }

    private Behavior<Command> onGo(Go go) {
        timers.startSingleTimer(Timeout.ORDER, timing.orderTimeout());   // first: a test sees it set once the order is out
        go.targetAgent().tell(new ExpectArrival(p.orderId(), p.jobId(), p.rank(),
                ctx.messageAdapter(MigrationEvent.class, FromTarget::new), go.beforeNs(), go.sourceAgent()));
        daemon.tell(new PcmDaemon.Order(p.jobId(), p.rank(), p.orderId(), p.target(),
                ctx.messageAdapter(PcmDaemon.OrderResult.class, Sent::new)));
        return ordered();
    }

    /** The target expects the replacement; the order is on its way to (or with) the process. */
    private Behavior<Command> ordered() {
        return Behaviors.receive(Command.class)
                .onMessage(Sent.class, s -> s.result().sent() ? same(Phase.ORDERED, s.result().detail())
                        : fail(s.result().detail()))
                .onMessage(Started.class, s -> same(Phase.STARTED, "every rank agreed at iteration " + s.iteration()))
                .onMessage(Progress.class, pr -> same(Phase.TRANSFER,
                        MigrationEvent.transferDetail(pr.bytesSent(), pr.bytesTotal())))
                .onMessage(Stalled.class, s -> stalled(s.detail()))
                .onMessage(ProcessFailed.class, f -> fail(f.detail()))
                .onMessage(Departed.class, d -> departed())
                .onMessage(FromTarget.class, this::fromTarget)
                .onMessage(Abort.class, a -> fail(a.reason()))
                .onMessage(Finalized.class, f -> finalizedFirst())
                .onMessageEquals(Timeout.ORDER, () -> fail("no replacement reported within " + timing.orderTimeout()))
                .build();
    }

    /**
     * The process left: whatever happens now, the rank is not where it was, so the outcome is
     * DONE, confirmed by the target agent or, if it never confirms (dead, cut off, restarted),
     * after the grace.
     */
    private Behavior<Command> departed() {
        ctx.getLog().info("job {} rank {} left {} for {} (order {}); waiting for {}'s confirmation", p.jobId(),
                p.rank(), sourceHost, p.target(), p.orderId(), p.target());
        timers.cancel(Timeout.ORDER);
        timers.startSingleTimer(Timeout.CONFIRMATION, timing.confirmGrace());
        return Behaviors.receive(Command.class)
                .onMessage(FromTarget.class, this::fromTarget)
                .onMessage(Stalled.class, s -> stalled(s.detail()))
                .onMessage(Abort.class, a -> fail(a.reason()))
                .onMessageEquals(Timeout.CONFIRMATION, () -> end(Phase.DONE, "the process left " + sourceHost
                        + " for " + p.target() + " (BYE migrated: the replacement holds the rank and its state), but the"
                        + " agent of " + p.target() + " did not confirm the arrival (down, cut off or restarted?)", null))
                .build();
    }

    private Behavior<Command> fromTarget(FromTarget f) {
        MigrationEvent e = f.event();
        if (e.phase().terminal()) {
            return end(e.phase(), e.detail(), e.times());
        }
        return same(e.phase(), e.detail());
    }

    private Behavior<Command> stalled(String detail) {
        return same(Phase.STALLED, detail);
    }

    private Behavior<Command> finalizedFirst() {
        return fail("job " + p.jobId() + " rank " + p.rank()
                + " finalized (the job ended) before the order's round: nothing moved");
    }

    private Behavior<Command> same(Phase phase, String detail) {
        report(phase, detail, null);
        return Behaviors.same();
    }

    private Behavior<Command> fail(String reason) {
        return end(Phase.FAILED, reason, null);
    }

    private Behavior<Command> end(Phase phase, String detail, MigrationTimes times) {
        report(phase, detail, times);
        return Behaviors.stopped();
    }

    private void report(Phase phase, String detail, MigrationTimes times) {
        MigrationEvent e = new MigrationEvent(p.orderId(), p.jobId(), p.rank(), phase, System.currentTimeMillis(),
                detail, times);
        p.requester().tell(e);
        owner.tell(new Reported(p, e));
    }
}
