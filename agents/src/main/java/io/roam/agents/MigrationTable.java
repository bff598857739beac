package io.roam.agents;

import io.roam.protocol.MigrationEvent;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The migrations this agent is the source of, each with its actor ({@link SourceMigration}):
 * one per (job, rank) at a time. Orders for a job that already has its migrations in flight
 * from this node wait in a queue per job, in the order they came: when one of the job's
 * migrations ends ({@link #ended}), the agent takes the next ones out ({@link #pollQueued})
 * and tells their actors to go. Plain bookkeeping, no messages: owned by the agent actor, not
 * thread-safe.
 */
final class MigrationTable {
    /** One migration: what moves where, and who asked. */
    record Pending(long orderId, String jobId, int rank, String target, ActorRef<MigrationEvent> requester) {
    }

    /** A migration in the table: its actor, the address of its target agent, and whether it waits in its job's queue. */
    record Entry(Pending pending, ActorRef<SourceMigration.Command> actor, String targetAddress) {
    }

    /**
     * How long a source agent waits, after its process said it left (BYE migrated), for the
     * target agent to confirm the arrival before it reports the migration DONE unconfirmed
     * (at most roam.agent.migration.timeout).
     */
    static final java.time.Duration CONFIRM_GRACE = java.time.Duration.ofSeconds(10);

    private final Map<Long, Entry> byOrder = new HashMap<>();
    /** Per job: the orders waiting for the job's migrations in flight, first come first. */
    private final Map<String, ArrayDeque<Long>> queued = new HashMap<>();
    private final long prefix;
    private long counter;

    /** Order ids are unique in the cluster: a random per-agent prefix and a counter. */
    MigrationTable(long agentPrefix) {
        this.prefix = (agentPrefix & 0x7fff_ffffL) << 32;
    }

    long nextOrderId() {
        return prefix | (++counter & 0xffff_ffffL);
    }

    boolean busy(String jobId, int rank) {
        return of(jobId, rank).isPresent();
    }

    /** How many migrations of {@code jobId} from this node are in flight (ordered, not queued). */
    long inFlight(String jobId) {
        return byOrder.values().stream().filter(e -> e.pending().jobId().equals(jobId)
                && !isQueued(e.pending().orderId())).count();
    }

    /** How many orders of {@code jobId} wait in its queue. */
    int queued(String jobId) {
        return queued.getOrDefault(jobId, new ArrayDeque<>()).size();
    }

    boolean isQueued(long orderId) {
        return queued.values().stream().anyMatch(q -> q.contains(orderId));
    }

    /** Adds a migration; {@code waits}: at the end of its job's queue (not in flight). */
    void add(Entry e, boolean waits) {
        byOrder.put(e.pending().orderId(), e);
        if (waits) {
            queued.computeIfAbsent(e.pending().jobId(), j -> new ArrayDeque<>()).addLast(e.pending().orderId());
        }
    }

    /** The first order waiting for {@code jobId}, taken out of the queue: in flight from now on. */
    Optional<Entry> pollQueued(String jobId) {
        ArrayDeque<Long> q = queued.get(jobId);
        Long next = q == null ? null : q.pollFirst();
        if (q != null && q.isEmpty()) {
            queued.remove(jobId);
        }
        return next == null ? Optional.empty() : Optional.ofNullable(byOrder.get(next));
    }

    /** The migrations of {@code jobId} from this node, queued or in flight. */
    List<Entry> ofJob(String jobId) {
        return byOrder.values().stream().filter(e -> e.pending().jobId().equals(jobId)).toList();
    }

    /** The migration of (job, rank), if any. */
    Optional<Entry> of(String jobId, int rank) {
        return byOrder.values().stream().filter(e -> e.pending().jobId().equals(jobId) && e.pending().rank() == rank)
                .findFirst();
    }

    Optional<Entry> get(long orderId) {
        return Optional.ofNullable(byOrder.get(orderId));
    }

    /** The migration ended (its terminal event was told): out of the table and its queue. */
    Optional<Entry> ended(long orderId) {
        Entry e = byOrder.remove(orderId);
        if (e != null) {
            ArrayDeque<Long> q = queued.get(e.pending().jobId());
            if (q != null && q.remove(orderId) && q.isEmpty()) {
                queued.remove(e.pending().jobId());
            }
        }
        return Optional.ofNullable(e);
    }

    int size() {
        return byOrder.size();
    }
}
