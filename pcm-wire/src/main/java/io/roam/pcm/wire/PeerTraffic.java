package io.roam.pcm.wire;

/**
 * One peer entry of a {@link PcmMessage.Heartbeat}: traffic this process sent to another rank.
 *
 * @param rank     the peer rank, a {@code u32} (0..2^32-1)
 * @param messages messages sent to it, a {@code u64} read as unsigned
 * @param bytes    bytes sent to it, a {@code u64} read as unsigned
 */
public record PeerTraffic(long rank, long messages, long bytes) {
    /** Encoded size of one entry: u32 + u64 + u64. */
    static final int WIRE_BYTES = 20;

    public PeerTraffic {
        PcmChecks.u32("rank", rank);
    }
}
