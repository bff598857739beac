package io.roam.pcm.wire;

import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmMessage.Registered;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The agent side of the PCM protocol: a Unix domain socket server with one daemon thread per
 * connection ({@code pcm-conn-<id>}) and one accept thread ({@code pcm-accept}).
 *
 * <p>On REGISTER the server records the registration on the connection, answers REGISTERED
 * itself, then calls the listener. The first message of a connection must be REGISTER (or
 * ERROR), a second REGISTER on it is refused, and REGISTERED / MIGRATE (agent -> process only) are refused. A protocol error on a
 * connection is answered with {@code ERROR(PCM_ERR_PROTOCOL)} (best effort), closes that
 * connection only and is reported to {@link Listener#onDisconnect}; the others keep going.
 * Listener callbacks run on the connection's thread; an exception thrown by one is logged and
 * does not affect the connection.
 *
 * <p>Only processes of the server's own user may talk to it: the socket file is made
 * owner-only as soon as it is bound, and every accepted connection's peer credentials
 * ({@code SO_PEERCRED}) are checked; a process of another user is closed at once, before
 * anything is read from it, and counted in {@link #refusedPeers()}. At most
 * {@link Options#maxConnections()} connections are served at once (each may buffer up to one
 * {@link PcmCodec#MAX_FRAME} frame); the ones beyond are closed and counted the same way.
 *
 * <p>The pid a REGISTER carries must be the connecting process's or one of its descendants'
 * ({@link PeerProcess}, unless {@link Options#checkPids()} is off): else the server answers
 * {@code ERROR(PCM_ERR_PROTOCOL)} saying why, logs a warning, closes that connection and counts
 * it in {@link #refusedRegistrations()}; the listener never sees that REGISTER.
 */
public final class PcmServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PcmServer.class.getName());
    private static final long JOIN_MS = 2000;

    /** Callbacks, all called on the thread of the connection concerned. */
    public interface Listener {
        /** A process connected; nothing was read from it yet. */
        default void onConnect(PcmConnection connection) {
        }

        /** A message arrived (for REGISTER, after the server answered REGISTERED). */
        void onMessage(PcmConnection connection, PcmMessage message);

        /**
         * The connection is closed: {@code causeOrNull} is null for an end of stream between frames
         * or a local close, else the {@link PcmProtocolException} or I/O error that ended it.
         */
        default void onDisconnect(PcmConnection connection, Throwable causeOrNull) {
        }
    }

    /**
     * Server settings.
     *
     * @param agentName   sent in REGISTERED (for logs)
     * @param heartbeatMs sent in REGISTERED, a u32; 0 tells processes not to send heartbeats
     * @param maxConnections connections served at once, at least 1
     * @param checkPids   whether a REGISTER's pid must be the connecting process or a descendant
     *                    of it (on by default; off only where simulated processes register pids
     *                    they do not own: tests of the wire, benchmarks)
     */
    public record Options(String agentName, long heartbeatMs, int maxConnections, boolean checkPids) {
        /** The default of {@link #maxConnections}: far above the ranks one node runs. */
        public static final int MAX_CONNECTIONS = 1024;

        public Options {
            PcmChecks.str("agentName", agentName);
            PcmChecks.u32("heartbeatMs", heartbeatMs);
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
            }
        }

        public Options(String agentName, long heartbeatMs, int maxConnections) {
            this(agentName, heartbeatMs, maxConnections, true);
        }

        public Options(String agentName, long heartbeatMs) {
            this(agentName, heartbeatMs, MAX_CONNECTIONS);
        }

        /** These options with the pid check on or off. */
        public Options withPidCheck(boolean on) {
            return new Options(agentName, heartbeatMs, maxConnections, on);
        }

        /** Agent "roam-agent", heartbeats every 1000 ms. */
        public static Options defaults() {
            return new Options("roam-agent", 1000);
        }
    }

    private final Path socketPath;
    private final Listener listener;
    private final Options options;
    private final Object lock = new Object();
    private final Map<Long, PcmConnection> connections = new ConcurrentHashMap<>();
    private final Map<Long, Thread> threads = new ConcurrentHashMap<>();
    private ServerSocketChannel server; // guarded by lock
    private Thread acceptThread; // guarded by lock
    private final AtomicLong refusedPeers = new AtomicLong();
    private final AtomicLong refusedRegistrations = new AtomicLong();
    private volatile boolean running;
    private String owner; // the socket file's owner: the only user served; guarded by lock
    private long nextId; // accept thread only

    /** Configures a server; nothing happens until {@link #start()}. */
    public PcmServer(Path socketPath, Listener listener, Options options) {
        this.socketPath = Objects.requireNonNull(socketPath, "socketPath");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Removes a stale socket file at the path, binds and starts accepting.
     *
     * @return this server
     * @throws IOException if the path holds something other than a socket, another server is
     *                     listening on it, or binding fails
     */
    public PcmServer start() throws IOException {
        synchronized (lock) {
            if (server != null) {
                throw new IllegalStateException("already started");
            }
            if (options.checkPids()) {
                PeerProcess.requireTools();
            }
            removeStaleSocket();
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.bind(UnixDomainSocketAddress.of(socketPath));
                Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
                owner = Files.getOwner(socketPath, LinkOption.NOFOLLOW_LINKS).getName();
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            server = channel;
            running = true;
            acceptThread = new Thread(this::acceptLoop, "pcm-accept");
            acceptThread.setDaemon(true);
            acceptThread.start();
        }
        LOG.log(Level.DEBUG, "PCM server listening on {0}", socketPath);
        return this;
    }

    public Path socketPath() {
        return socketPath;
    }

    public Options options() {
        return options;
    }

    /** Connections closed unread: from another user's process, or beyond the connection limit. */
    public long refusedPeers() {
        return refusedPeers.get();
    }

    /** REGISTERs refused because their pid was not the connecting process's nor a descendant's. */
    public long refusedRegistrations() {
        return refusedRegistrations.get();
    }

    /** Whether the server is started and not closed. */
    public boolean isRunning() {
        return running;
    }

    /** A snapshot of the live connections, in connection order. */
    public List<PcmConnection> connections() {
        List<PcmConnection> live = new ArrayList<>(connections.values());
        live.removeIf(c -> !c.isOpen());
        live.sort((a, b) -> Long.compare(a.id(), b.id()));
        return live;
    }

    /**
     * Stops accepting, closes every connection (each reports onDisconnect with no cause), waits
     * briefly for their threads, and removes the socket file. Idempotent.
     */
    @Override
    public void close() {
        Thread accept;
        synchronized (lock) {
            if (server == null || !running) {
                return;
            }
            running = false;
            accept = acceptThread;
            try {
                server.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing the server socket", e);
            }
        }
        connections.values().forEach(PcmConnection::close);
        join(accept);
        threads.values().forEach(PcmServer::join);
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove socket " + socketPath, e);
        }
    }

    private void removeStaleSocket() throws IOException {
        if (!Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.readAttributes(socketPath, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
            throw new IOException(socketPath + " exists and is not a socket");
        }
        boolean live;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            live = probe.connect(UnixDomainSocketAddress.of(socketPath));
        } catch (IOException e) {
            live = false; // nobody listening: a leftover of a dead agent
        }
        if (live) {
            throw new IOException("another server is listening on " + socketPath);
        }
        Files.deleteIfExists(socketPath);
    }

    private void acceptLoop() {
        while (running) {
            SocketChannel channel;
            Set<Long> gained = Set.of();
            try {
                // the sockets this JVM gains across the accept hold the accepted one (PeerProcess)
                Set<Long> before = options.checkPids() ? PeerProcess.socketInodes() : Set.of();
                channel = server.accept();
                if (options.checkPids()) {
                    gained = PeerProcess.socketInodes();
                    gained.removeAll(before);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!running) {
                    return;
                }
                LOG.log(Level.WARNING, "accept failed on " + socketPath, e);
                pause();
                continue;
            }
            synchronized (lock) {
                if (!running) {
                    closeQuietly(channel);
                    return;
                }
                String refusal = refusal(channel);
                if (refusal != null) {
                    refusedPeers.incrementAndGet();
                    LOG.log(Level.WARNING, "PCM socket {0}: {1}; connection closed", socketPath, refusal);
                    closeQuietly(channel);
                    continue;
                }
                PcmConnection connection = new PcmConnection(++nextId, channel, gained);
                Thread thread = new Thread(() -> serve(connection), "pcm-conn-" + connection.id());
                thread.setDaemon(true);
                connections.put(connection.id(), connection);
                threads.put(connection.id(), thread);
                thread.start();
            }
        }
    }

    /** Why this connection may not be served, or null. */
    private String refusal(SocketChannel channel) {
        if (connections.size() >= options.maxConnections()) {
            return "already " + connections.size() + " connections (the most served at once)";
        }
        try {
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String user = peer.user().getName();
            return user.equals(owner) ? null : "a process of user " + user + " connected (only " + owner + "'s may)";
        } catch (IOException | UnsupportedOperationException e) {
            return "the peer's credentials cannot be read (" + e.getMessage() + ")";
        }
    }

    private void serve(PcmConnection connection) {
        Throwable cause = null;
        try {
            call(() -> listener.onConnect(connection), connection, "onConnect");
            PcmFrameReader reader = new PcmFrameReader(connection.channel());
            for (PcmMessage m = reader.read(); m != null; m = reader.read()) {
                handle(connection, m);
            }
        } catch (PcmProtocolException e) {
            cause = e;
            LOG.log(e instanceof RefusedRegister ? Level.WARNING : Level.INFO, "{0} on {1}: {2}",
                    e instanceof RefusedRegister ? "refused" : "protocol error", connection, e.getMessage());
            connection.sendQuietly(new PcmMessage.Error(PcmErrors.PCM_ERR_PROTOCOL, PcmChecks.sanitize(e.getMessage())));
        } catch (IOException | RuntimeException e) {
            if (!connection.closedLocally()) {
                cause = e;
            }
        } finally {
            connection.close();
            connections.remove(connection.id());
            threads.remove(connection.id());
            Throwable reported = cause;
            call(() -> listener.onDisconnect(connection, reported), connection, "onDisconnect");
        }
    }

    private void handle(PcmConnection connection, PcmMessage message) throws IOException {
        if (message instanceof Register register) {
            if (connection.registration().isPresent()) {   // one process per connection, registered once
                throw new PcmProtocolException("REGISTER twice on one connection");
            }
            String refusal = options.checkPids()
                    ? PeerProcess.refusal(socketPath, connection.acceptedInodes(), register.pid()) : null;
            if (refusal != null) {
                refusedRegistrations.incrementAndGet();
                throw new RefusedRegister("REGISTER of job " + register.jobId() + " rank " + register.rank()
                        + " refused: " + refusal + " (a process registers its own pid)");
            }
            connection.registered(register);
            // Best effort: a short-lived process may already have sent its last frames and
            // closed; those frames must still be read and reported.
            connection.sendQuietly(new Registered(options.agentName(), options.heartbeatMs()));
        } else if (message instanceof Registered || message instanceof PcmMessage.Migrate) {
            throw new PcmProtocolException(PcmMessage.typeName(message.type()) + " goes from agent to process only");
        } else if (connection.registration().isEmpty() && !(message instanceof PcmMessage.Error)) {
            throw new PcmProtocolException("first message must be REGISTER, got "
                    + PcmMessage.typeName(message.type()));
        }
        call(() -> listener.onMessage(connection, message), connection, "onMessage");
    }

    /** A REGISTER whose pid is not the connecting process's nor a descendant's. */
    private static final class RefusedRegister extends PcmProtocolException {
        private static final long serialVersionUID = 1L;

        RefusedRegister(String message) {
            super(message);
        }
    }

    private static void call(Runnable callback, PcmConnection connection, String what) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "listener " + what + " failed on " + connection, e);
        }
    }

    private static void join(Thread thread) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(JOIN_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
