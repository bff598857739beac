package io.roam.pcm.wire;

import io.roam.pcm.wire.PcmMessage.Register;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.Set;

/**
 * One process connected to a {@link PcmServer}.
 *
 * <p>{@link #send} may be called from any thread. The connection's own thread reads from it;
 * {@link #close} from any thread ends that thread, which then reports
 * {@link PcmServer.Listener#onDisconnect} with no cause.
 */
public final class PcmConnection implements AutoCloseable {
    private final long id;
    private final SocketChannel channel;
    private final Object writeLock = new Object();
    private final Set<Long> acceptedInodes;
    private volatile Register registration;
    private volatile boolean closedLocally;

    PcmConnection(long id, SocketChannel channel, Set<Long> acceptedInodes) {
        this.id = id;
        this.channel = channel;
        this.acceptedInodes = Set.copyOf(acceptedInodes);
    }

    /** The id given by the server, 1 for its first connection; also in the thread name {@code pcm-conn-<id>}. */
    public long id() {
        return id;
    }

    /** The last REGISTER received on this connection, if any. */
    public Optional<Register> registration() {
        return Optional.ofNullable(registration);
    }

    /** Whether the connection is still open. */
    public boolean isOpen() {
        return channel.isOpen();
    }

    /**
     * Sends one message, blocking until it is written; thread-safe, frames never interleave.
     *
     * @throws IOException if the connection is closed or writing fails
     */
    public void send(PcmMessage message) throws IOException {
        ByteBuffer frame = ByteBuffer.wrap(PcmCodec.encode(message));
        synchronized (writeLock) {
            while (frame.hasRemaining()) {
                channel.write(frame);
            }
        }
    }

    /** Sends a message, ignoring failures (e.g. a final ERROR to a peer that may be gone). */
    void sendQuietly(PcmMessage message) {
        try {
            send(message);
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }

    /** Closes the connection; idempotent. */
    @Override
    public void close() {
        closedLocally = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do: the socket is gone either way
        }
    }

    /** The socket inodes the server's JVM gained across this connection's accept (PeerProcess). */
    Set<Long> acceptedInodes() {
        return acceptedInodes;
    }

    SocketChannel channel() {
        return channel;
    }

    void registered(Register register) {
        this.registration = register;
    }

    boolean closedLocally() {
        return closedLocally;
    }

    @Override
    public String toString() {
        Register r = registration;
        return "pcm-conn-" + id + (r == null ? "" : "(" + r.jobId() + " rank " + r.rank() + " pid " + r.pid() + ")");
    }
}
