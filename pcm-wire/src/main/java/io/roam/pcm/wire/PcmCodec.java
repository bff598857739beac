package io.roam.pcm.wire;

import io.roam.pcm.wire.PcmMessage.Bye;
import io.roam.pcm.wire.PcmMessage.Heartbeat;
import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.MigrationFailed;
import io.roam.pcm.wire.PcmMessage.MigrationStarted;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmMessage.Registered;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes PCM frames (docs/pcm-protocol.md).
 *
 * <p>A frame is {@code u32 length | u8 version | u8 type | u16 flags | payload}, big-endian;
 * {@code length} counts the bytes after itself. The <em>frame body</em> is what follows the
 * length: version, type, flags and payload.
 */
public final class PcmCodec {
    /** The protocol version this codec speaks. */
    public static final int VERSION = 1;
    /** Largest allowed value of the length field (1 MiB). */
    public static final int MAX_FRAME = 1 << 20;
    /** Smallest allowed value of the length field: version, type and flags. */
    public static final int MIN_FRAME = 4;
    /** Largest {@code str} in UTF-8 bytes. */
    public static final int MAX_STRING = 4096;

    private PcmCodec() {
    }

    /**
     * Encodes a message as a full frame, length header included.
     *
     * @throws IllegalArgumentException if the message does not fit in {@link #MAX_FRAME}
     *                                  (only possible for a HEARTBEAT with ~52 000 peers)
     */
    public static byte[] encode(PcmMessage message) {
        FrameWriter w = new FrameWriter(message.type());
        if (message instanceof Register m) {
            w.str("jobId", m.jobId()).u32(m.rank()).u32(m.size()).u32(m.pid()).str("host", m.host())
                    .u32(m.moves()).str("program", m.program()).u64(m.stateBytes()).str("jobHosts", m.jobHosts());
        } else if (message instanceof PcmMessage.ProcessFlags m) {
            w.u32(m.flags());
        } else if (message instanceof Registered m) {
            w.str("agent", m.agent()).u32(m.heartbeatMs());
        } else if (message instanceof Heartbeat m) {
            w.u64(m.iteration()).u64(m.iterationNs()).u64(m.computeNs()).u64(m.mpiNs()).u64(m.stateBytes());
            w.u32(m.peers().size());
            for (PeerTraffic p : m.peers()) {
                w.u32(p.rank()).u64(p.messages()).u64(p.bytes());
            }
        } else if (message instanceof Migrate m) {
            w.u64(m.orderId()).str("targetHost", m.targetHost()).u64(m.notBeforeIteration());
        } else if (message instanceof PcmMessage.Resize m) {
            w.u64(m.orderId()).u32(m.ranks()).str("hosts", m.hosts()).u64(m.notBeforeIteration());
        } else if (message instanceof PcmMessage.ResizeDone m) {
            w.u64(m.orderId()).str("jobId", m.jobId()).u32(m.oldSize()).u32(m.newSize()).u64(m.tOrder())
                    .u64(m.spawnNs()).u64(m.worldNs()).u64(m.redistributeNs()).u64(m.totalNs());
        } else if (message instanceof MigrationStarted m) {
            w.u64(m.orderId()).u64(m.iteration());
        } else if (message instanceof PcmMessage.MigrationProgress m) {
            w.u64(m.orderId()).u64(m.bytesSent()).u64(m.bytesTotal());
        } else if (message instanceof PcmMessage.MigrationStalled m) {
            w.u64(m.orderId()).u32(m.rank()).u64(m.waitedMs()).str("detail", m.detail());
        } else if (message instanceof MigrationDone m) {
            w.u64(m.orderId()).str("jobId", m.jobId()).u32(m.rank()).str("sourceHost", m.sourceHost())
                    .u32(m.sourcePid()).u64(m.stateBytes()).u64(m.tOrder()).u64(m.tDecided())
                    .u64(m.tSpawned()).u64(m.tMerged()).u64(m.tTransferred()).u64(m.tResumed());
        } else if (message instanceof MigrationFailed m) {
            w.u64(m.orderId()).u32(m.code()).str("message", m.message());
        } else if (message instanceof Bye m) {
            w.u8(m.reason().code());
        } else if (message instanceof PcmMessage.Error m) {
            w.u32(m.code()).str("message", m.message());
        } else {
            throw new IllegalArgumentException("unknown message " + message);
        }
        return w.finish();
    }

    /**
     * Checks a length field before anything is allocated for the frame.
     *
     * @param length the length field read as unsigned
     * @throws PcmProtocolException if it is below {@link #MIN_FRAME} or above {@link #MAX_FRAME}
     */
    public static void checkLength(long length) throws PcmProtocolException {
        if (length < MIN_FRAME || length > MAX_FRAME) {
            throw new PcmProtocolException("frame length " + length + " outside " + MIN_FRAME + ".." + MAX_FRAME);
        }
    }

    /**
     * Decodes a full frame, length header included; the length must match the array.
     */
    public static PcmMessage decodeFrame(byte[] frame) throws PcmProtocolException {
        if (frame.length < 4) {
            throw new PcmProtocolException("frame of " + frame.length + " bytes has no length header");
        }
        ByteBuffer buf = ByteBuffer.wrap(frame);
        long length = buf.getInt() & 0xFFFF_FFFFL;
        checkLength(length);
        if (length != buf.remaining()) {
            throw new PcmProtocolException("frame length field " + length + " but " + buf.remaining() + " bytes follow");
        }
        return decode(buf);
    }

    /**
     * Decodes a frame body: version, type, flags and payload, exactly the bytes from the buffer's
     * position to its limit. The buffer itself is not modified.
     *
     * @throws PcmProtocolException on a bad size, version, type, or payload
     */
    public static PcmMessage decode(ByteBuffer frameBody) throws PcmProtocolException {
        ByteBuffer in = frameBody.duplicate().order(ByteOrder.BIG_ENDIAN);
        checkLength(in.remaining());
        int version = in.get() & 0xFF;
        int type = in.get() & 0xFF;
        in.getShort(); // flags: 0 in version 1, ignored by receivers
        if (version != VERSION) {
            throw new PcmProtocolException("unsupported protocol version " + version + " (expected " + VERSION + ")");
        }
        PayloadReader r = new PayloadReader(in, PcmMessage.typeName(type));
        PcmMessage message;
        try {
            message = decodePayload(type, r);
        } catch (IllegalArgumentException e) { // a record rejected a decoded field
            throw new PcmProtocolException(PcmMessage.typeName(type) + ": " + e.getMessage(), e);
        }
        r.end();
        return message;
    }

    private static PcmMessage decodePayload(int type, PayloadReader r) throws PcmProtocolException {
        return switch (type) {
            case PcmMessage.REGISTER -> new Register(r.str("job_id"), r.u32("rank"), r.u32("size"), r.u32("pid"),
                    r.str("host"), r.u32("moves"), r.str("program"), r.u64("state_bytes"), r.str("job_hosts"));
            case PcmMessage.PROCESS_FLAGS -> new PcmMessage.ProcessFlags(r.u32("flags"));
            case PcmMessage.REGISTERED -> new Registered(r.str("agent"), r.u32("heartbeat_ms"));
            case PcmMessage.HEARTBEAT -> decodeHeartbeat(r);
            case PcmMessage.MIGRATE -> new Migrate(r.u64("order_id"), r.str("target_host"),
                    r.u64("not_before_iteration"));
            case PcmMessage.RESIZE -> new PcmMessage.Resize(r.u64("order_id"), r.u32("ranks"), r.str("hosts"),
                    r.u64("not_before_iteration"));
            case PcmMessage.RESIZE_DONE -> new PcmMessage.ResizeDone(r.u64("order_id"), r.str("job_id"),
                    r.u32("old_size"), r.u32("new_size"), r.u64("t_order"), r.u64("spawn_ns"), r.u64("world_ns"),
                    r.u64("redistribute_ns"), r.u64("total_ns"));
            case PcmMessage.MIGRATION_STARTED -> new MigrationStarted(r.u64("order_id"), r.u64("iteration"));
            case PcmMessage.MIGRATION_PROGRESS -> new PcmMessage.MigrationProgress(r.u64("order_id"),
                    r.u64("bytes_sent"), r.u64("bytes_total"));
            case PcmMessage.MIGRATION_STALLED -> new PcmMessage.MigrationStalled(r.u64("order_id"), r.u32("rank"),
                    r.u64("waited_ms"), r.str("detail"));
            case PcmMessage.MIGRATION_DONE -> new MigrationDone(r.u64("order_id"), r.str("job_id"), r.u32("rank"),
                    r.str("source_host"), r.u32("source_pid"), r.u64("state_bytes"), r.u64("t_order"),
                    r.u64("t_decided"), r.u64("t_spawned"), r.u64("t_merged"), r.u64("t_transferred"),
                    r.u64("t_resumed"));
            case PcmMessage.MIGRATION_FAILED -> new MigrationFailed(r.u64("order_id"), r.i32("code"),
                    r.str("message"));
            case PcmMessage.BYE -> decodeBye(r);
            case PcmMessage.ERROR -> new PcmMessage.Error(r.i32("code"), r.str("message"));
            default -> throw new PcmProtocolException("unknown message type " + type);
        };
    }

    private static Heartbeat decodeHeartbeat(PayloadReader r) throws PcmProtocolException {
        long iteration = r.u64("iteration");
        long iterationNs = r.u64("iteration_ns");
        long computeNs = r.u64("compute_ns");
        long mpiNs = r.u64("mpi_ns");
        long stateBytes = r.u64("state_bytes");
        long count = r.u32("peers");
        if (count * PeerTraffic.WIRE_BYTES > r.remaining()) { // before allocating the list
            throw new PcmProtocolException("HEARTBEAT: " + count + " peers do not fit in the "
                    + r.remaining() + " bytes left");
        }
        List<PeerTraffic> peers = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            peers.add(new PeerTraffic(r.u32("peer rank"), r.u64("peer messages"), r.u64("peer bytes")));
        }
        return new Heartbeat(iteration, iterationNs, computeNs, mpiNs, stateBytes, peers);
    }

    private static Bye decodeBye(PayloadReader r) throws PcmProtocolException {
        int code = r.u8("reason");
        if (code > 1) {
            throw new PcmProtocolException("BYE: unknown reason " + code);
        }
        return new Bye(Bye.Reason.fromCode(code));
    }
}
