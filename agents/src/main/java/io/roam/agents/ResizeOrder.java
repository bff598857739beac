package io.roam.agents;

import io.roam.pcm.wire.PcmMessage;
import io.roam.protocol.ResizeEvent;
import io.roam.protocol.ResizeEvent.Phase;
import io.roam.protocol.ResizeEvent.ResizeTimes;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One resize of a job, on the agent of its rank 0, from the order's acceptance to its end
 * (docs/architecture.md, "Resizing a job: the agents' side").
 *
 * <pre>
 * (ACCEPTED) --daemon wrote RESIZE--> ordered (ORDERED, STALLED) --RESIZE_DONE--> DONE
 *      |                                  |
 *      +-- the daemon could not send      +-- MIGRATION_FAILED for the order, rank 0 finalized,
 *          (FAILED)                           Abort (the job ended, stalled), timeout (FAILED)
 * </pre>
 *
 * Every resize ends in exactly one terminal event, after which the actor stops. Each event
 * goes to the requester ({@code roam resize}) and to the owner (the agent: its log of resizes,
 * the job's size in its status). The actor owns one timer, {@code roam.agent.resize.timeout},
 * from the order until rank 0's RESIZE_DONE.
 */
final class ResizeOrder {
    sealed interface Command {
    }

    /** RESIZE_DONE from rank 0: the job runs at its new size. */
    record Done(PcmMessage.ResizeDone report) implements Command {
    }

    /** MIGRATION_FAILED carrying this order's id: refused or failed, the job runs at its old size. */
    record ProcessFailed(String detail) implements Command {
    }

    /** A process of the job reported the reconfiguration stalled (MIGRATION_STALLED); not terminal. */
    record Stalled(String detail) implements Command {
    }

    /** Rank 0 said BYE(finalized) before the order's round: the job ended. */
    record Finalized() implements Command {
    }

    /** The resize cannot go on (rank 0's process is gone, its job stalled): the reason. */
    record Abort(String reason) implements Command {
    }

    private record Sent(PcmDaemon.OrderResult result) implements Command {
    }

    private enum Timeout implements Command { ORDER }

    /** What the order is: id, job, the size it had when accepted, the size asked, a grow's hosts. */
    record Order(long orderId, String jobId, int oldSize, int newSize, List<String> hosts,
                 ActorRef<ResizeEvent> requester) {
        Order {
            hosts = List.copyOf(hosts);
        }

        String describe() {
            return "job " + jobId + ": " + oldSize + " -> " + newSize + " processes"
                    + (newSize > oldSize && !hosts.isEmpty() ? ", the new ones on " + String.join(",", hosts) : "");
        }
    }

    /** Every event of a resize, for the owner (the agent). */
    record Reported(Order order, ResizeEvent event) {
    }

    private final Order order;
    private final String host;
    private final Duration timeout;
    private final ActorRef<Reported> owner;
    private final TimerScheduler<Command> timers;

    static Behavior<Command> create(Order order, String host, Duration timeout, ActorRef<PcmDaemon.Command> daemon,
                                    ActorRef<Reported> owner) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            ResizeOrder r = new ResizeOrder(order, host, timeout, owner, timers);
            r.report(Phase.ACCEPTED, order.describe() + " (rank 0 on " + host + ")", null);
            timers.startSingleTimer(Timeout.ORDER, timeout);
            daemon.tell(new PcmDaemon.Resize(order.jobId(), order.orderId(), order.newSize(),
                    String.join(",", order.hosts()), ctx.messageAdapter(PcmDaemon.OrderResult.class, Sent::new)));
            return r.ordered(ctx);
        }));
    }

    private ResizeOrder(Order order, String host, Duration timeout, ActorRef<Reported> owner,
                        TimerScheduler<Command> timers) {
        this.order = order;
        this.host = host;
        this.timeout = timeout;
        this.owner = owner;
        this.timers = timers;
    }

    private Behavior<Command> ordered(ActorContext<Command> ctx) {
        return Behaviors.receive(Command.class)
                .onMessage(Sent.class, s -> s.result().sent()
                        ? same(Phase.ORDERED, s.result().detail() + "; the job resizes at its next PCM_Status")
                        : end(Phase.FAILED, s.result().detail() + "; nothing changed", null))
                .onMessage(Done.class, d -> done(d.report()))
                .onMessage(ProcessFailed.class, f -> end(Phase.FAILED, f.detail(), null))
                .onMessage(Stalled.class, s -> same(Phase.STALLED, s.detail()))
                .onMessage(Finalized.class, f -> end(Phase.FAILED, "job " + order.jobId()
                        + " finalized (it ended) before the order's round: nothing changed", null))
                .onMessage(Abort.class, a -> end(Phase.FAILED, a.reason(), null))
                .onMessageEquals(Timeout.ORDER, () -> end(Phase.FAILED, "rank 0 of job " + order.jobId()
                        + " reported no RESIZE_DONE within " + timeout + " (roam.agent.resize.timeout): a program that"
                        + " is not malleable ignores the order; roam status shows the job's size", null))
                .build();
    }

    private Behavior<Command> done(PcmMessage.ResizeDone d) {
        ResizeTimes times = new ResizeTimes(d.tOrder(), d.spawnNs(), d.worldNs(), d.redistributeNs(), d.totalNs());
        return end(Phase.DONE, "job " + order.jobId() + " runs with " + d.newSize() + " processes (was "
                + d.oldSize() + "): " + times.describe(), times);
    }

    private Behavior<Command> same(Phase phase, String detail) {
        report(phase, detail, null);
        return Behaviors.same();
    }

    private Behavior<Command> end(Phase phase, String detail, ResizeTimes times) {
        timers.cancel(Timeout.ORDER);
        report(phase, detail, times);
        return Behaviors.stopped();
    }

    private void report(Phase phase, String detail, ResizeTimes times) {
        ResizeEvent e = new ResizeEvent(order.orderId(), order.jobId(), order.oldSize(), order.newSize(), phase,
                System.currentTimeMillis(), detail, times);
        order.requester().tell(e);
        owner.tell(new Reported(order, e));
    }
}
