package io.roam.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What one agent kept of the recent past (the web view's history and {@code GET /api/history}
 * gather it from every agent): its node's available processing, for each job with ranks on
 * the node their iteration time, one point per {@code stepMillis}, and the moves it was the
 * source of.
 */
public record NodeHistory(String host, long stepMillis, Series available, List<JobSeries> jobs, List<Move> moves,
                          List<Resize> resizes) implements RoamMessage {
    public NodeHistory {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(available, "available");
        jobs = List.copyOf(jobs);
        moves = List.copyOf(moves);
        resizes = List.copyOf(resizes);
    }

    /** A history without resizes. */
    public NodeHistory(String host, long stepMillis, Series available, List<JobSeries> jobs, List<Move> moves) {
        this(host, stepMillis, available, jobs, moves, List.of());
    }

    /**
     * Points every step from {@code firstMillis}: {@code values} holds one big-endian float per
     * point (4 bytes each, NaN where the step had no sample).
     */
    public record Series(long firstMillis, byte[] values) implements RoamMessage {
        public Series {
            Objects.requireNonNull(values, "values");
            if (values.length % 4 != 0) {
                throw new IllegalArgumentException("values must hold 4 bytes per point, has " + values.length);
            }
        }

        public int size() {
            return values.length / 4;
        }

        /** The value of point {@code i} (NaN: no sample in that step). */
        public float value(int i) {
            return java.nio.ByteBuffer.wrap(values).getFloat(4 * i);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Series s && s.firstMillis == firstMillis && Arrays.equals(s.values, values);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(firstMillis) * 31 + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Series[firstMillis=" + firstMillis + ", points=" + size() + "]";
        }
    }

    /** The mean iteration time in milliseconds of the job's ranks on the node, per step. */
    public record JobSeries(String jobId, Series iterationMs) implements RoamMessage {
        public JobSeries {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(iterationMs, "iterationMs");
        }
    }

    /** A rank that moved from this node ({@code from}) to {@code to}, when the move was done. */
    public record Move(long atMillis, String jobId, int rank, String from, String to) implements RoamMessage {
        public Move {
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }

    /** A resize of a job this node ordered (its rank 0 ran here), when it was done: its size over time. */
    public record Resize(long atMillis, String jobId, int oldSize, int newSize) implements RoamMessage {
        public Resize {
            Objects.requireNonNull(jobId, "jobId");
        }
    }

    /** Asks an agent for its history. */
    public record Query(ActorRef<NodeHistory> replyTo) implements AgentMessage {
        public Query {
            Objects.requireNonNull(replyTo, "replyTo");
        }
    }
}
