package io.roam.pcm.wire;

import static io.roam.pcm.wire.PcmChecks.str;
import static io.roam.pcm.wire.PcmChecks.u32;

import java.util.List;
import java.util.Objects;

/**
 * One message of the PCM control protocol (docs/pcm-protocol.md), one record per type.
 *
 * <p>Field conventions: {@code u32} fields are held as {@code long} and checked to be in
 * 0..2^32-1; {@code u64} fields (ids, counters, times in ns since the epoch, durations in ns)
 * are held as {@code long} and read as unsigned (see {@link Long#toUnsignedString(long)});
 * {@code i32} fields are {@code int}. Strings must be non-null, well-formed, and at most
 * {@link PcmCodec#MAX_STRING} bytes of UTF-8. Constructors throw {@link NullPointerException}
 * or {@link IllegalArgumentException} on a bad field.
 */
public sealed interface PcmMessage {
    int REGISTER = 1;
    int REGISTERED = 2;
    int HEARTBEAT = 3;
    int MIGRATE = 4;
    int MIGRATION_STARTED = 5;
    int MIGRATION_DONE = 6;
    int MIGRATION_FAILED = 7;
    int BYE = 8;
    int ERROR = 9;
    int MIGRATION_PROGRESS = 10;
    // 11 is reserved
    int MIGRATION_STALLED = 12;
    int RESIZE = 13;
    int RESIZE_DONE = 14;
    int PROCESS_FLAGS = 15;

    /** The wire type code of this message (1..10, 12..15). */
    int type();

    /** The protocol name of a type code, e.g. {@code "MIGRATION_DONE"}, or {@code "type N"}. */
    static String typeName(int type) {
        return switch (type) {
            case REGISTER -> "REGISTER";
            case REGISTERED -> "REGISTERED";
            case HEARTBEAT -> "HEARTBEAT";
            case MIGRATE -> "MIGRATE";
            case MIGRATION_STARTED -> "MIGRATION_STARTED";
            case MIGRATION_DONE -> "MIGRATION_DONE";
            case MIGRATION_FAILED -> "MIGRATION_FAILED";
            case BYE -> "BYE";
            case ERROR -> "ERROR";
            case MIGRATION_PROGRESS -> "MIGRATION_PROGRESS";
            case MIGRATION_STALLED -> "MIGRATION_STALLED";
            case RESIZE -> "RESIZE";
            case RESIZE_DONE -> "RESIZE_DONE";
            case PROCESS_FLAGS -> "PROCESS_FLAGS";
            default -> "type " + type;
        };
    }

    /**
     * 1, process -> agent: sent first on every connection. {@code jobHosts}: the hosts the job
     * was started on (mpirun's allocation, ROAM_JOB_HOSTS), comma-separated; "" = not known.
     */
    record Register(String jobId, long rank, long size, long pid, String host, long moves,
                    String program, long stateBytes, String jobHosts) implements PcmMessage {
        public Register {
            str("jobId", jobId);
            u32("rank", rank);
            u32("size", size);
            u32("pid", pid);
            str("host", host);
            u32("moves", moves);
            str("program", program);
            str("jobHosts", jobHosts);
        }

        /** A process whose job's hosts are not known. */
        public Register(String jobId, long rank, long size, long pid, String host, long moves, String program,
                        long stateBytes) {
            this(jobId, rank, size, pid, host, moves, program, stateBytes, "");
        }

        /** The job's hosts; empty when not known. */
        public java.util.List<String> jobHostList() {
            return jobHosts.isEmpty() ? java.util.List.of()
                    : java.util.Arrays.stream(jobHosts.split(",")).filter(h -> !h.isEmpty()).toList();
        }

        @Override
        public int type() {
            return REGISTER;
        }
    }

    /**
     * 15, process -> agent, after REGISTER (again after every REGISTER of a reconnection): what
     * the program declared about itself, a u32 of bits; {@link #MALLEABLE} (bit 0): it handles
     * resizes (PCM_Malleable). Bits a receiver does not know are kept and ignored. REGISTER
     * itself is unchanged, so a libpcm that never sends this registers with any agent.
     */
    record ProcessFlags(long flags) implements PcmMessage {
        /** Bit 0: the program handles PCM_RESIZE (PCM_Malleable, PcmResize.declareMalleable). */
        public static final long MALLEABLE = 1;

        public ProcessFlags {
            u32("flags", flags);
        }

        /** Whether the program declared itself malleable. */
        public boolean malleable() {
            return (flags & MALLEABLE) != 0;
        }

        @Override
        public int type() {
            return PROCESS_FLAGS;
        }
    }

    /** 2, agent -> process: the answer to REGISTER; {@code heartbeatMs} 0 means never. */
    record Registered(String agent, long heartbeatMs) implements PcmMessage {
        public Registered {
            str("agent", agent);
            u32("heartbeatMs", heartbeatMs);
        }

        @Override
        public int type() {
            return REGISTERED;
        }
    }

    /** 3, process -> agent: cumulative counters; {@code peers} is copied (immutable). */
    record Heartbeat(long iteration, long iterationNs, long computeNs, long mpiNs, long stateBytes,
                     List<PeerTraffic> peers) implements PcmMessage {
        public Heartbeat {
            peers = List.copyOf(Objects.requireNonNull(peers, "peers")); // also rejects null entries
        }

        @Override
        public int type() {
            return HEARTBEAT;
        }
    }

    /** 4, agent -> process: move this rank to {@code targetHost}. */
    record Migrate(long orderId, String targetHost, long notBeforeIteration) implements PcmMessage {
        public Migrate {
            str("targetHost", targetHost);
        }

        @Override
        public int type() {
            return MIGRATE;
        }
    }

    /**
     * 13, agent -> process: run the job with {@code ranks} processes (at least 1); a grow starts
     * the new ones on {@code hosts} (comma-separated, in rank order, cycled; "" = the receiving
     * process's host). libpcm answers a refused order or a failed grow with MIGRATION_FAILED.
     */
    record Resize(long orderId, long ranks, String hosts, long notBeforeIteration) implements PcmMessage {
        public Resize {
            u32("ranks", ranks);
            if (ranks < 1) {
                throw new IllegalArgumentException("ranks must be at least 1: " + ranks);
            }
            str("hosts", hosts);
        }

        @Override
        public int type() {
            return RESIZE;
        }
    }

    /**
     * 14, rank 0 of the new world -> its agent: resize {@code orderId} of job {@code jobId} is over,
     * {@code oldSize} -> {@code newSize} processes. {@code tOrder}: ns since the epoch when the order
     * reached rank 0; durations in ns: {@code spawnNs} the grow's spawn (0 for a shrink),
     * {@code worldNs} building the new world, {@code redistributeNs} the program's time between
     * PCM_Resize_begin and PCM_Resize_end (its data redistribution), {@code totalNs} from the
     * decision round to the end of PCM_Resize_end.
     */
    record ResizeDone(long orderId, String jobId, long oldSize, long newSize, long tOrder, long spawnNs,
                      long worldNs, long redistributeNs, long totalNs) implements PcmMessage {
        public ResizeDone {
            str("jobId", jobId);
            u32("oldSize", oldSize);
            u32("newSize", newSize);
        }

        @Override
        public int type() {
            return RESIZE_DONE;
        }
    }

    /** 5, process -> agent: every rank agreed on the order. */
    record MigrationStarted(long orderId, long iteration) implements PcmMessage {
        @Override
        public int type() {
            return MIGRATION_STARTED;
        }
    }

    /**
     * 10, departing process -> agent: {@code bytesSent} of the {@code bytesTotal} bytes of its
     * state have reached the replacement (sent while the state moves, at most every 100 ms).
     */
    record MigrationProgress(long orderId, long bytesSent, long bytesTotal) implements PcmMessage {
        public MigrationProgress {
            if (Long.compareUnsigned(bytesSent, bytesTotal) > 0) {
                throw new IllegalArgumentException("bytes_sent " + Long.toUnsignedString(bytesSent)
                        + " exceeds bytes_total " + Long.toUnsignedString(bytesTotal));
            }
        }

        @Override
        public int type() {
            return MIGRATION_PROGRESS;
        }
    }

    /**
     * 12, any process of a job -> its agent: the reconfiguration for order {@code orderId}
     * (the move of rank {@code rank}) has made no progress for {@code waitedMs}; {@code detail}
     * says which process waits in which MPI call and step. libpcm ends the job shortly after.
     */
    record MigrationStalled(long orderId, long rank, long waitedMs, String detail) implements PcmMessage {
        public MigrationStalled {
            u32("rank", rank);
            str("detail", detail);
        }

        @Override
        public int type() {
            return MIGRATION_STALLED;
        }
    }

    /**
     * 6, replacement -> agent of its new host: the state arrived and the application runs
     * again; {@code t*} are ns since the epoch.
     */
    record MigrationDone(long orderId, String jobId, long rank, String sourceHost, long sourcePid,
                         long stateBytes, long tOrder, long tDecided, long tSpawned, long tMerged,
                         long tTransferred, long tResumed) implements PcmMessage {
        public MigrationDone {
            str("jobId", jobId);
            u32("rank", rank);
            str("sourceHost", sourceHost);
            u32("sourcePid", sourcePid);
        }

        @Override
        public int type() {
            return MIGRATION_DONE;
        }
    }

    /** 7, process -> agent: the order failed with a {@code PCM_ERR_*} code. */
    record MigrationFailed(long orderId, int code, String message) implements PcmMessage {
        public MigrationFailed {
            str("message", message);
        }

        @Override
        public int type() {
            return MIGRATION_FAILED;
        }
    }

    /** 8, process -> agent: the process leaves. */
    record Bye(Reason reason) implements PcmMessage {
        /** Why the process leaves; {@link #code()} is the wire {@code u8}. */
        public enum Reason {
            FINALIZED(0), MIGRATED(1);

            private final int code;

            Reason(int code) {
                this.code = code;
            }

            public int code() {
                return code;
            }

            /** The reason with this wire code; {@link IllegalArgumentException} if none. */
            public static Reason fromCode(int code) {
                for (Reason r : values()) {
                    if (r.code == code) {
                        return r;
                    }
                }
                throw new IllegalArgumentException("unknown BYE reason " + code);
            }
        }

        public Bye {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public int type() {
            return BYE;
        }
    }

    /** 9, either way: the sender closes the connection after it. */
    record Error(int code, String message) implements PcmMessage {
        public Error {
            str("message", message);
        }

        @Override
        public int type() {
            return ERROR;
        }
    }
}
