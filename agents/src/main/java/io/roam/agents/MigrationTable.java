package io.roam.agents;

import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.Phase;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The migrations this agent is the source of: order id -> who to tell. One migration per
 * (job, rank) at a time. Orders for a job that already has its migrations in flight from
 * this node wait in a queue per job, in the order they came ({@link #add(Pending, String)}):
 * whenever one of a job's migrations ends, the table tells its owner ({@link #onEnded}), which
 * takes the next ones out ({@link #pollQueued}) and orders them. Not thread-safe: owned by the
 * agent actor.
 */
final class MigrationTable {
    /** One migration in flight. */
    record Pending(long orderId, String jobId, int rank, String target, ActorRef<MigrationEvent> requester) {
    }

    /** Hears of every migration added and every event reported (the web view's log, the metrics). */
    interface Listener {
        void added(Pending p, long atMillis);

        void reported(Pending p, MigrationEvent e);
    }

    /**
     * How long a source agent waits, after its process said it left (BYE migrated), for the
     * target agent to confirm the arrival before it reports the migration DONE unconfirmed
     * (at most roam.agent.migration.timeout).
     */
    static final java.time.Duration CONFIRM_GRACE = java.time.Duration.ofSeconds(10);

    private final Map<Long, Pending> byOrder = new HashMap<>();
    /** Per job: the orders waiting for the job's migrations in flight, first come first, with their target agent's address. */
    private final Map<String, ArrayDeque<Queued>> queued = new HashMap<>();

    /** An order waiting in its job's queue, and the address of its target agent. */
    record Queued(Pending pending, String targetAddress) {
    }
    private final long prefix;
    private final Listener listener;
    private Consumer<String> ended = jobId -> { };
    private long counter;

    /** Order ids are unique in the cluster: a random per-agent prefix and a counter. */
    MigrationTable(long agentPrefix) {
        this(agentPrefix, null);
    }

    MigrationTable(long agentPrefix, Listener listener) {
        this.prefix = (agentPrefix & 0x7fff_ffffL) << 32;
        this.listener = listener;
    }

    /** Called with the job id after each migration that ends (its terminal event told and logged). */
    void onEnded(Consumer<String> then) {
        this.ended = then;
    }

    long nextOrderId() {
        return prefix | (++counter & 0xffff_ffffL);
    }

    boolean busy(String jobId, int rank) {
        return byOrder.values().stream().anyMatch(p -> p.jobId().equals(jobId) && p.rank() == rank);
    }

    /** How many migrations of {@code jobId} from this node are in flight (ordered, not queued). */
    long inFlight(String jobId) {
        return byOrder.values().stream().filter(p -> p.jobId().equals(jobId) && !isQueued(p.orderId())).count();
    }

    /** The orders of {@code jobId} waiting in its queue. */
    List<Queued> queued(String jobId) {
        return List.copyOf(queued.getOrDefault(jobId, new ArrayDeque<>()));
    }

    boolean isQueued(long orderId) {
        return queued.values().stream().anyMatch(q -> q.stream().anyMatch(e -> e.pending().orderId() == orderId));
    }


    /** The first order waiting for {@code jobId}, taken out of the queue (the caller dispatches it). */
    Optional<Queued> pollQueued(String jobId) {
        ArrayDeque<Queued> q = queued.get(jobId);
        Queued next = q == null ? null : q.pollFirst();
        if (q != null && q.isEmpty()) {
            queued.remove(jobId);
        }
        return Optional.ofNullable(next);
    }

    /** The migrations of {@code jobId} from this node in flight. */
    List<Pending> ofJob(String jobId) {
        return byOrder.values().stream().filter(p -> p.jobId().equals(jobId)).toList();
    }

    /** The migration of (job, rank) in flight, if any. */
    Optional<Pending> of(String jobId, int rank) {
        return byOrder.values().stream().filter(p -> p.jobId().equals(jobId) && p.rank() == rank).findFirst();
    }

    void add(Pending p) {
        add(p, null);
    }

    /** Adds {@code p}; with a target agent's address, at the end of its job's queue (not in flight). */
    void add(Pending p, String queuedForTarget) {
        byOrder.put(p.orderId(), p);
        if (queuedForTarget != null) {
            queued.computeIfAbsent(p.jobId(), j -> new ArrayDeque<>()).addLast(new Queued(p, queuedForTarget));
        }
        if (listener != null) {
            listener.added(p, System.currentTimeMillis());
        }
    }

    Optional<Pending> get(long orderId) {
        return Optional.ofNullable(byOrder.get(orderId));
    }

    /** Tells the requester; a terminal phase ends the migration, and the owner hears of it. */
    void report(long orderId, Phase phase, String detail, MigrationEvent.MigrationTimes times) {
        Pending p = byOrder.get(orderId);
        if (p == null) {
            return;
        }
        MigrationEvent e = new MigrationEvent(orderId, p.jobId(), p.rank(), phase, System.currentTimeMillis(),
                detail, times);
        p.requester().tell(e);
        if (phase.terminal()) {
            byOrder.remove(orderId);
            ArrayDeque<Queued> q = queued.get(p.jobId());
            if (q != null && q.removeIf(w -> w.pending().orderId() == orderId) && q.isEmpty()) {
                queued.remove(p.jobId());
            }
        }
        if (listener != null) {
            listener.reported(p, e);
        }
        if (phase.terminal()) {
            ended.accept(p.jobId());
        }
    }

    int size() {
        return byOrder.size();
    }
}
