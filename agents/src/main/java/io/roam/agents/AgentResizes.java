package io.roam.agents;

import io.roam.pcm.wire.PcmErrors;
import io.roam.pcm.wire.PcmMessage;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.protocol.AgentMessage.ResizeJob;
import io.roam.protocol.ResizeEvent;
import io.roam.protocol.ResizeEvent.Phase;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The resizes of the jobs whose rank 0 runs on this node: it checks an order
 * ({@link ResizeJob}), creates the actor that carries it out ({@link ResizeOrder}), routes to it
 * what rank 0 says (RESIZE_DONE, MIGRATION_FAILED with its order id, BYE, MIGRATION_STALLED),
 * and keeps the last resizes that ended. One resize per job at a time. Owned by the agent actor
 * and called only from it; not thread-safe.
 */
final class AgentResizes {
    /** Finished resizes kept for the history and the web view. */
    static final int KEEP_FINISHED = 50;

    private final ActorContext<NodeAgent.Command> ctx;
    private final String host;
    private final Duration timeout;
    private final LongSupplier nextOrderId;
    private final Collection<ProcessInfo> processes;
    private final Function<String, List<String>> jobHosts;
    private final ActorRef<PcmDaemon.Command> daemon;
    private final ActorRef<ResizeOrder.Reported> reportedTo;
    private final LongFunction<NodeAgent.Command> stopped;
    /** In flight, by order id. */
    private final Map<Long, Running> running = new HashMap<>();
    private final ArrayDeque<ResizeEvent> finished = new ArrayDeque<>();

    private record Running(ResizeOrder.Order order, ActorRef<ResizeOrder.Command> actor) {
    }

    /** The agent's side: where the actors report, and the agent's command when one stops. */
    record Wiring(ActorRef<PcmDaemon.Command> daemon, ActorRef<ResizeOrder.Reported> reported,
                  LongFunction<NodeAgent.Command> stopped) {
    }

    /**
     * @param processes the node's registered processes, a live view the agent keeps current
     * @param jobHosts the hosts a job was started on (mpirun's allocation), or null when not known
     */
    AgentResizes(ActorContext<NodeAgent.Command> ctx, String host, Duration timeout, LongSupplier nextOrderId,
                 Collection<ProcessInfo> processes, Function<String, List<String>> jobHosts, Wiring wiring) {
        this.ctx = ctx;
        this.host = host;
        this.timeout = timeout;
        this.nextOrderId = nextOrderId;
        this.processes = processes;
        this.jobHosts = jobHosts;
        this.daemon = wiring.daemon();
        this.reportedTo = wiring.reported();
        this.stopped = wiring.stopped();
    }

    /** roam.agent.resize.timeout: 1 s to 1 h. */
    static Duration timeout(com.typesafe.config.Config config) {
        return io.roam.config.Settings.of(config, "roam.agent.resize")
                .duration("timeout", Duration.ofSeconds(1), Duration.ofHours(1));
    }

    /** A resize of a job whose rank 0 is here: refused at once with the reason, or ordered. */
    void accept(ResizeJob r) {
        long id = nextOrderId.getAsLong();
        Optional<ProcessInfo> rank0 = processes.stream()
                .filter(p -> p.jobId().equals(r.jobId()) && p.rank() == 0).findFirst();
        int size = rank0.map(ProcessInfo::size).orElse(0);
        String problem = problem(r, rank0.isPresent(), size);
        if (problem == null && !rank0.get().malleable()) {
            problem = "job " + r.jobId() + " has not declared itself malleable (its program calls no PCM_Malleable,"
                    + " or its libpcm is older): it would not carry a resize out; nothing changed";
        }
        if (problem != null) {
            r.replyTo().tell(new ResizeEvent(id, r.jobId(), size, r.ranks(), Phase.FAILED,
                    System.currentTimeMillis(), problem, null));
            return;
        }
        ResizeOrder.Order order = new ResizeOrder.Order(id, r.jobId(), size, r.ranks(),
                r.ranks() > size ? r.hosts() : List.of(), r.replyTo());
        ActorRef<ResizeOrder.Command> actor = ctx.spawn(
                ResizeOrder.create(order, host, timeout, daemon, reportedTo), "resize-" + id);
        ctx.watchWith(actor, stopped.apply(id));
        running.put(id, new Running(order, actor));
    }

    private String problem(ResizeJob r, boolean here, int size) {
        if (!here) {
            return "rank 0 of job " + r.jobId() + " is not registered on " + host + ": the agent of rank 0 orders"
                    + " its resizes";
        }
        if (r.ranks() == size) {
            return "job " + r.jobId() + " runs with " + size + " processes already: nothing to do";
        }
        if (running.values().stream().anyMatch(x -> x.order().jobId().equals(r.jobId()))) {
            return "job " + r.jobId() + " is already resizing: one resize per job at a time";
        }
        List<String> allowed = jobHosts.apply(r.jobId());
        if (r.ranks() > size && allowed != null && !allowed.isEmpty()) {
            List<String> outside = r.hosts().stream().filter(h -> !allowed.contains(h)).distinct().toList();
            if (!outside.isEmpty()) {
                return String.join(", ", outside) + (outside.size() == 1 ? " is" : " are") + " not among the hosts job "
                        + r.jobId() + " was started on (" + String.join(", ", allowed) + "): Open MPI 4.1 cannot start"
                        + " a process outside the hosts mpirun was given; nothing changed";
            }
        }
        return null;
    }

    /** Whether an order id is a resize in flight here. */
    boolean isResize(long orderId) {
        return running.containsKey(orderId);
    }

    /**
     * What a process here says about a resize: RESIZE_DONE and MIGRATION_FAILED of a resize's
     * order go to its actor (true: handled); a BYE(finalized) of a rank 0 whose job is
     * resizing tells the actor too, and the caller passes it on (false).
     */
    boolean fromProcess(ProcessInfo p, PcmMessage m) {
        if (m instanceof PcmMessage.ResizeDone d) {
            Running r = running.get(d.orderId());
            if (r == null) {
                ctx.getLog().info("job {} resized {} -> {} processes (order {}, not ordered by this agent)",
                        d.jobId(), d.oldSize(), d.newSize(), Long.toUnsignedString(d.orderId()));
            } else {
                r.actor().tell(new ResizeOrder.Done(d));
            }
            return true;
        }
        if (m instanceof PcmMessage.MigrationFailed f && running.containsKey(f.orderId())) {
            running.get(f.orderId()).actor().tell(new ResizeOrder.ProcessFailed(
                    f.message().startsWith("resize") ? f.message() : PcmErrors.name(f.code()) + ": " + f.message()));
            return true;
        }
        if (m instanceof PcmMessage.Bye b && b.reason() == PcmMessage.Bye.Reason.FINALIZED && p.rank() == 0) {
            ofJob(p.jobId()).forEach(r -> r.actor().tell(new ResizeOrder.Finalized()));
        }
        return false;
    }

    /** A process reported a stalled reconfiguration: the resize of that order, if it is one here. */
    void stalled(long orderId, String detail) {
        Running r = running.get(orderId);
        if (r != null) {
            r.actor().tell(new ResizeOrder.Stalled(detail));
        }
    }

    /** A process is gone: rank 0 of a resizing job gone means the resize cannot end well. */
    void processGone(ProcessInfo last) {
        if (last == null || last.rank() != 0) {
            return;
        }
        ofJob(last.jobId()).forEach(r -> r.actor().tell(new ResizeOrder.Abort("rank 0 of job " + last.jobId()
                + " (pid " + last.pid() + ") is gone from " + host + (last.stalled().isEmpty() ? ""
                : " after its reconfiguration stalled (" + last.stalled() + ")") + ": the job has ended")));
    }

    private List<Running> ofJob(String jobId) {
        return running.values().stream().filter(r -> r.order().jobId().equals(jobId)).toList();
    }

    /** Every event of a resize from here: logged; at its end the order leaves the table. */
    void reported(ResizeOrder.Reported r) {
        ResizeEvent e = r.event();
        if (e.phase().terminal()) {
            running.remove(e.orderId());
            finished.addLast(e);
            while (finished.size() > KEEP_FINISHED) {
                finished.removeFirst();
            }
            ctx.getLog().info("resize {} of job {} ({} -> {}): {} {}", Long.toUnsignedString(e.orderId()), e.jobId(),
                    e.oldSize(), e.newSize(), e.phase(), e.detail());
        }
    }

    /** A resize's actor stopped: after its terminal event, or (a fault in it) without one, which is told here. */
    void stopped(long orderId) {
        Running r = running.remove(orderId);
        if (r != null) {
            ctx.getLog().error("the actor of resize {} stopped before the resize ended", orderId);
            ResizeOrder.Order o = r.order();
            ResizeEvent failed = new ResizeEvent(orderId, o.jobId(), o.oldSize(), o.newSize(), Phase.FAILED,
                    System.currentTimeMillis(), "internal error in the agent of " + host
                    + " (its log has the cause): the resize's outcome is not known", null);
            o.requester().tell(failed);
            finished.addLast(failed);
        }
    }

    /** For each job with a resize that ended here, when the last one ended (ms since the epoch). */
    Map<String, Long> lastEnded() {
        Map<String, Long> last = new HashMap<>();
        finished.forEach(e -> last.merge(e.jobId(), e.atMillis(), Math::max));
        return last;
    }

    /** The jobs with a resize in flight here. */
    java.util.Set<String> resizing() {
        java.util.Set<String> jobs = new java.util.HashSet<>();
        running.values().forEach(r -> jobs.add(r.order().jobId()));
        return jobs;
    }

    /** The resizes that ended here, oldest first. */
    List<ResizeEvent> finished() {
        return new ArrayList<>(finished);
    }
}
