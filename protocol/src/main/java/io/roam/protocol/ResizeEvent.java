package io.roam.protocol;

import java.util.Objects;

/**
 * Progress of one resize of a job (issue 22: grow or shrink its number of processes), sent to
 * whoever asked for it ({@code roam resize}, later the agents' own decisions). {@code oldSize}
 * is the job's size when the order was accepted (0 if not known), {@code newSize} the size
 * asked for; {@code times} is set on {@link Phase#DONE}.
 */
public record ResizeEvent(long orderId, String jobId, int oldSize, int newSize, Phase phase, long atMillis,
                          String detail, ResizeTimes times) implements RoamMessage {
    /** The phases of a resize, in order; it ends in DONE, FAILED or UNKNOWN. */
    public enum Phase {
        /** The agent of the job's rank 0 has the order and the process. */
        ACCEPTED,
        /** The RESIZE frame is written to rank 0's socket; the job carries it out at its next PCM_Status. */
        ORDERED,
        /** Not terminal: a process of the job reported that the reconfiguration stalled; libpcm ends the job. */
        STALLED,
        /** The job runs with {@code newSize} processes (RESIZE_DONE from rank 0). */
        DONE,
        /** The resize did not happen; the job runs on at its old size. */
        FAILED,
        /** The agent of rank 0 left the cluster before the resize ended: its outcome is not known here. */
        UNKNOWN;

        public boolean terminal() {
            return this == DONE || this == FAILED || this == UNKNOWN;
        }
    }

    public ResizeEvent {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * The phases of a completed resize as rank 0 reported them (RESIZE_DONE): when the order
     * reached it (ns since the epoch) and the durations in ns.
     */
    public record ResizeTimes(long tOrder, long spawnNs, long worldNs, long redistributeNs, long totalNs)
            implements RoamMessage {
        /** One line: "spawn 310.2 ms, world 21.0 ms, redistribution 5.1 ms, total 336.3 ms". */
        public String describe() {
            return String.format(java.util.Locale.ROOT, "spawn %.1f ms, world %.1f ms, redistribution %.1f ms, total %.1f ms",
                    spawnNs / 1e6, worldNs / 1e6, redistributeNs / 1e6, totalNs / 1e6);
        }
    }
}
