package io.roam.pcm.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectableChannel;
import java.util.Objects;

/**
 * Reads PCM frames one at a time from a blocking byte stream.
 *
 * <p>The length field is checked before anything is allocated, and never more than the
 * declared length (at most {@link PcmCodec#MAX_FRAME}) is allocated or read for a frame; after
 * a bad length nothing further is read. Not thread-safe: one reader per stream.
 */
public final class PcmFrameReader {
    private final ReadableByteChannel in;
    private final ByteBuffer header = ByteBuffer.allocate(4);

    /** Reads from a channel, which must be in blocking mode. */
    public PcmFrameReader(ReadableByteChannel in) {
        this.in = Objects.requireNonNull(in, "in");
        if (in instanceof SelectableChannel sc && !sc.isBlocking()) {
            throw new IllegalArgumentException("channel must be in blocking mode");
        }
    }

    /** Reads from a stream; bytes past the current frame are never consumed. */
    public PcmFrameReader(InputStream in) {
        this(Channels.newChannel(Objects.requireNonNull(in, "in")));
    }

    /**
     * Reads and decodes the next frame.
     *
     * @return the message, or {@code null} if the stream ended cleanly between two frames
     * @throws PcmProtocolException if the frame breaks the protocol
     * @throws EOFException         if the stream ends inside a frame
     * @throws IOException          if reading fails
     */
    public PcmMessage read() throws IOException {
        header.clear();
        if (!fill(header, true)) {
            return null;
        }
        long length = header.getInt(0) & 0xFFFF_FFFFL;
        PcmCodec.checkLength(length);
        ByteBuffer body = ByteBuffer.allocate((int) length);
        fill(body, false);
        body.flip();
        return PcmCodec.decode(body);
    }

    /** Fills {@code buf}; returns false on EOF before the first byte if {@code eofOk}. */
    private boolean fill(ByteBuffer buf, boolean eofOk) throws IOException {
        while (buf.hasRemaining()) {
            if (in.read(buf) < 0) {
                if (eofOk && buf.position() == 0) {
                    return false;
                }
                throw new EOFException("stream ended inside a frame (" + buf.position() + " of "
                        + buf.capacity() + (eofOk ? " length bytes)" : " body bytes)"));
            }
        }
        return true;
    }
}
