package io.roam.protocol;

import java.util.Objects;

/**
 * Progress of one migration, sent to whoever asked for it ({@code roam migrate}, later the
 * work-stealing thief). {@code times} is set on {@link Phase#DONE}.
 */
public record MigrationEvent(long orderId, String jobId, int rank, Phase phase, long atMillis, String detail,
                             MigrationTimes times) implements RoamMessage {
    /** The phases a migration goes through, in order; it ends in DONE or FAILED. */
    public enum Phase {
        /** The source agent has the request and the process. */
        ACCEPTED,
        /**
         * Another migration of the same job is under way from the source node: this order waits
         * behind it (the detail says which) and is carried out when the migrations ahead have ended.
         */
        QUEUED,
        /** The order is on its way to the process (the target agent expects the replacement). */
        ORDERED,
        /** Every rank agreed at a PCM_Status: spawn, merge and transfer are under way. */
        STARTED,
        /**
         * The state is moving: the detail says {@code "<sent> of <total> bytes"} (see
         * {@link #transferred(String)}); reported at most every 100 ms while it lasts.
         */
        TRANSFER,
        /**
         * Not terminal: a process of the job reported that the reconfiguration has made no
         * progress within libpcm's bound (ROAM_PCM_STALL_MS); the detail names the process, the
         * MPI call and step it waits in and for how long. libpcm ends the job shortly after
         * (docs/failure-model.md); FAILED follows when the processes are gone.
         */
        STALLED,
        /** The replacement runs on the target node. */
        DONE,
        /** The migration did not happen; the rank stays where it was. */
        FAILED,
        /**
         * The source agent left the cluster (died, was cut off) before the migration ended:
         * its outcome is not known here; the agents' status shows where the rank runs.
         */
        UNKNOWN;

        public boolean terminal() {
            return this == DONE || this == FAILED || this == UNKNOWN;
        }
    }

    public MigrationEvent {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(detail, "detail");
    }

    /** The detail of a {@link Phase#TRANSFER} event. */
    public static String transferDetail(long sent, long total) {
        return sent + " of " + total + " bytes";
    }

    /** Bytes sent and total from a {@link Phase#TRANSFER} detail, or null if it is not one. */
    public static long[] transferred(String detail) {
        java.util.regex.Matcher m = TRANSFER_DETAIL.matcher(detail);
        return m.matches() ? new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))} : null;
    }

    private static final java.util.regex.Pattern TRANSFER_DETAIL =
            java.util.regex.Pattern.compile("(\\d+) of (\\d+) bytes");

    /** Phase timestamps of a completed migration, ns since the epoch, as libpcm reported them. */
    public record MigrationTimes(long stateBytes, long tOrder, long tDecided, long tSpawned, long tMerged,
                                 long tTransferred, long tResumed) implements RoamMessage {
        /** Milliseconds between two of the timestamps. */
        public static double ms(long from, long to) {
            return (to - from) / 1e6;
        }
    }
}
