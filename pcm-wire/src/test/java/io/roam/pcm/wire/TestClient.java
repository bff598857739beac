package io.roam.pcm.wire;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** A minimal Java stand-in for libpcm's client side, for server tests. Reads block: use @Timeout. */
final class TestClient implements AutoCloseable {
    private final SocketChannel channel;
    private final PcmFrameReader reader;

    private TestClient(SocketChannel channel) {
        this.channel = channel;
        this.reader = new PcmFrameReader(channel);
    }

    static TestClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new TestClient(channel);
    }

    void send(PcmMessage message) throws IOException {
        sendRaw(PcmCodec.encode(message));
    }

    void sendRaw(byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    /** The next message, or null at end of stream. */
    PcmMessage read() throws IOException {
        return reader.read();
    }

    /** Reads the next message, which must be of {@code type}. */
    <T extends PcmMessage> T read(Class<T> type) throws IOException {
        PcmMessage m = read();
        if (!type.isInstance(m)) {
            throw new AssertionError("expected " + type.getSimpleName() + ", got " + m);
        }
        return type.cast(m);
    }

    /** Reads until the server closes: true if it ended with end of stream or a reset. */
    boolean readsEndOfStream() {
        try {
            return read() == null;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
