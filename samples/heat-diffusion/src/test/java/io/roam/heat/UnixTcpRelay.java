package io.roam.heat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Carries TCP connections from this network namespace to a namespace host through a Unix
 * socket (a file: namespaces of the network do not separate it). Inside the host, {@link #main}
 * accepts on the socket and connects to HOST:PORT there; here, {@link #toUnix} accepts on a
 * loopback port and connects to the socket. A browser in the test's namespace reaches an
 * agent's control API that listens inside a namespace host.
 */
final class UnixTcpRelay implements AutoCloseable {
    private final ServerSocketChannel server;

    private UnixTcpRelay(ServerSocketChannel server) {
        this.server = server;
    }

    /** In the namespace host: {@code UnixTcpRelay SOCKET HOST PORT}; runs until killed. */
    public static void main(String[] args) throws IOException {
        Path socket = Path.of(args[0]);
        InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        Files.deleteIfExists(socket);
        try (ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            unix.bind(UnixDomainSocketAddress.of(socket));
            while (true) {
                SocketChannel in = unix.accept();
                try {
                    join(in, SocketChannel.open(target));
                } catch (IOException e) {
                    in.close();
                }
            }
        }
    }

    /** Here: a loopback port whose connections go to the Unix socket. */
    static UnixTcpRelay toUnix(Path socket) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread accept = new Thread(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel in = server.accept();
                    try {
                        join(in, SocketChannel.open(UnixDomainSocketAddress.of(socket)));
                    } catch (IOException e) {
                        in.close();   // the far side is not up yet: the client sees a closed connection
                    }
                } catch (IOException e) {
                    // closed
                }
            }
        }, "relay-accept");
        accept.setDaemon(true);
        accept.start();
        return new UnixTcpRelay(server);
    }

    int port() {
        return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    }

    /**
     * Copies both ways between two connected channels, one thread each way, until either side
     * ends; then closes both. Channels, not their streams: the streams of one channel would
     * share a lock and a blocked read would hold up the write the other way.
     */
    private static void join(SocketChannel a, SocketChannel b) {
        pipe(a, b);
        pipe(b, a);
    }

    private static void pipe(SocketChannel from, SocketChannel to) {
        Thread t = new Thread(() -> {
            ByteBuffer buf = ByteBuffer.allocate(16384);
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                close(from);
                close(to);
            }
        }, "relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
