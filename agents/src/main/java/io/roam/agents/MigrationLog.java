package io.roam.agents;

import io.roam.decision.MoveEffect;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationHistory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The migrations this agent is the source of, with every phase each went through: all those
 * in progress and the last {@code keepFinished} that ended. Not thread-safe: owned by the
 * agent actor, which answers {@link MigrationHistory.Query} with {@link #history()}.
 */
final class MigrationLog {
    private final String host;
    private final int keepFinished;
    /** By order id, in the order they started. */
    private final Map<Long, Entry> entries = new LinkedHashMap<>();

    private static final class Entry {
        final long orderId;
        final String jobId;
        final int rank;
        final String target;
        final long startedAtMillis;
        final List<MigrationEvent> events = new ArrayList<>();
        MoveEffect effect;

        Entry(long orderId, String jobId, int rank, String target, long startedAtMillis) {
            this.orderId = orderId;
            this.jobId = jobId;
            this.rank = rank;
            this.target = target;
            this.startedAtMillis = startedAtMillis;
        }

        boolean finished() {
            return !events.isEmpty() && events.get(events.size() - 1).phase().terminal();
        }
    }

    MigrationLog(String host, int keepFinished) {
        if (keepFinished < 0) {
            throw new IllegalArgumentException("keepFinished must be >= 0, was " + keepFinished);
        }
        this.host = host;
        this.keepFinished = keepFinished;
    }

    /** A migration from this node to {@code target} begins. */
    void started(long orderId, String jobId, int rank, String target, long atMillis) {
        entries.put(orderId, new Entry(orderId, jobId, rank, target, atMillis));
    }

    /** A phase of a migration begun here; events of unknown orders are ignored. */
    void event(MigrationEvent e) {
        Entry entry = entries.get(e.orderId());
        if (entry == null || entry.finished()) {
            return;
        }
        int last = entry.events.size() - 1;
        if (e.phase() == MigrationEvent.Phase.TRANSFER && last >= 0
                && entry.events.get(last).phase() == MigrationEvent.Phase.TRANSFER) {
            entry.events.set(last, e);   // progress: the latest count is what matters
        } else {
            entry.events.add(e);
        }
        if (e.phase().terminal()) {
            forgetOldFinished();
        }
    }

    private void forgetOldFinished() {
        long finished = entries.values().stream().filter(Entry::finished).count();
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext() && finished > keepFinished; ) {
            if (it.next().finished()) {
                it.remove();
                finished--;
            }
        }
    }

    /** What a migration begun here did to its job, as its target measured it; unknown orders are ignored. */
    void effect(long orderId, MoveEffect effect) {
        Entry entry = entries.get(orderId);
        if (entry != null) {
            entry.effect = effect;
        }
    }

    int inProgress() {
        return (int) entries.values().stream().filter(e -> !e.finished()).count();
    }

    MigrationHistory history() {
        List<MigrationHistory.Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            out.add(new MigrationHistory.Entry(e.orderId, e.jobId, e.rank, host, e.target, e.startedAtMillis,
                    e.events, e.effect));
        }
        return new MigrationHistory(host, out);
    }
}
