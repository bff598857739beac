package io.roam.pcm.wire;

import java.util.Arrays;

/** Builds one big-endian frame: length, version, type, flags, then payload fields. */
final class FrameWriter {
    private byte[] buf = new byte[64];
    private int size;

    FrameWriter(int type) {
        size = 4; // the length, filled in by finish()
        u8(PcmCodec.VERSION);
        u8(type);
        u16(0); // flags
    }

    FrameWriter u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    FrameWriter u16(int v) {
        ensure(2);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
        return this;
    }

    /** Writes the low 32 bits of {@code v} (a u32 held in a long, or an i32). */
    FrameWriter u32(long v) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    FrameWriter u64(long v) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buf[size++] = (byte) (v >>> shift);
        }
        return this;
    }

    FrameWriter str(String field, String v) {
        byte[] bytes = PcmChecks.utf8(field, v);
        if (bytes.length > PcmCodec.MAX_STRING) {
            throw new IllegalArgumentException(field + " exceeds " + PcmCodec.MAX_STRING + " UTF-8 bytes");
        }
        u16(bytes.length);
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    /** The finished frame, length header included. */
    byte[] finish() {
        int length = size - 4;
        buf[0] = (byte) (length >>> 24);
        buf[1] = (byte) (length >>> 16);
        buf[2] = (byte) (length >>> 8);
        buf[3] = (byte) length;
        return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed - 4 > PcmCodec.MAX_FRAME) {
            throw new IllegalArgumentException("message does not fit in a frame of " + PcmCodec.MAX_FRAME + " bytes");
        }
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min(2L * buf.length, PcmCodec.MAX_FRAME + 4L)));
        }
    }
}
