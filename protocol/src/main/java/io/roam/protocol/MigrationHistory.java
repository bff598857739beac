package io.roam.protocol;

import io.roam.decision.MoveEffect;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The migrations one agent was the source of, in progress and recently finished, each with
 * every phase it went through (the web view and {@code GET /api/migrations} gather them from
 * every agent).
 */
public record MigrationHistory(String host, List<Entry> migrations) implements RoamMessage {
    public MigrationHistory {
        Objects.requireNonNull(host, "host");
        migrations = List.copyOf(migrations);
    }

    /**
     * One migration: where it goes and its phases so far, oldest first (the last one is
     * DONE or FAILED once it ended; DONE carries the phase times), and once measured, what
     * it did to its job ({@code effect}, null until then and for moves that failed).
     */
    public record Entry(long orderId, String jobId, int rank, String source, String target, long startedAtMillis,
                        List<MigrationEvent> events, MoveEffect effect) implements RoamMessage {
        public Entry {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            events = List.copyOf(events);
        }

        /** The latest phase, or null before the first event. */
        public MigrationEvent last() {
            return events.isEmpty() ? null : events.get(events.size() - 1);
        }

        public boolean finished() {
            MigrationEvent e = last();
            return e != null && e.phase().terminal();
        }
    }

    /** Asks an agent for the migrations it is or was the source of. */
    public record Query(ActorRef<MigrationHistory> replyTo) implements AgentMessage {
        public Query {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }
}
