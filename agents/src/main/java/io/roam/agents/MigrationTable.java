package io.roam.agents;

import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.Phase;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The migrations this agent is the source of: order id -> who to tell. One migration per
 * (job, rank) at a time. Not thread-safe: owned by the agent actor.
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
    private final long prefix;
    private final Listener listener;
    private long counter;

    /** Order ids are unique in the cluster: a random per-agent prefix and a counter. */
    MigrationTable(long agentPrefix) {
        this(agentPrefix, null);
    }

    MigrationTable(long agentPrefix, Listener listener) {
        this.prefix = (agentPrefix & 0x7fff_ffffL) << 32;
        this.listener = listener;
    }

    long nextOrderId() {
        return prefix | (++counter & 0xffff_ffffL);
    }

    boolean busy(String jobId, int rank) {
        return byOrder.values().stream().anyMatch(p -> p.jobId().equals(jobId) && p.rank() == rank);
    }

    /** How many migrations of {@code jobId} from this node are in flight. */
    long inFlight(String jobId) {
        return byOrder.values().stream().filter(p -> p.jobId().equals(jobId)).count();
    }

    /** The migrations of {@code jobId} from this node in flight. */
    java.util.List<Pending> ofJob(String jobId) {
        return byOrder.values().stream().filter(p -> p.jobId().equals(jobId)).toList();
    }

    /** The migration of (job, rank) in flight, if any. */
    Optional<Pending> of(String jobId, int rank) {
        return byOrder.values().stream().filter(p -> p.jobId().equals(jobId) && p.rank() == rank).findFirst();
    }

    void add(Pending p) {
        byOrder.put(p.orderId(), p);
        if (listener != null) {
            listener.added(p, System.currentTimeMillis());
        }
    }

    Optional<Pending> get(long orderId) {
        return Optional.ofNullable(byOrder.get(orderId));
    }

    /** Tells the requester; a terminal phase ends the migration. */
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
        }
        if (listener != null) {
            listener.reported(p, e);
        }
    }

    int size() {
        return byOrder.size();
    }
}
