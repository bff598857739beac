package io.roam.agents;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay on loopback that delays what its clients send (this kernel has no netem):
 * every chunk read from a client is written to the target {@code delay} later, in order;
 * the target's answers go back at once. Closing it closes every socket and joins every
 * thread it started.
 */
final class DelayRelay implements AutoCloseable {
    private record Chunk(long dueNanos, byte[] bytes) {
    }

    private static final Chunk END = new Chunk(0, new byte[0]);

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile long delayNanos;
    private volatile boolean closed;

    DelayRelay(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** The one-way delay of bytes the relay reads from now on. */
    void delayMillis(long ms) {
        delayNanos = ms * 1_000_000;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket target = new Socket();
                sockets.add(client);
                sockets.add(target);
                try {
                    target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5000);
                } catch (IOException e) {
                    closeQuietly(client);   // the target is gone (it stopped first): so is this connection
                    continue;
                }
                client.setTcpNoDelay(true);
                target.setTcpNoDelay(true);
                LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
                thread("relay-read", () -> read(client, queue));
                thread("relay-write", () -> write(queue, target));
                thread("relay-back", () -> copy(target, client));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("relay: " + e);
                }
            }
        }
    }

    private void read(Socket from, LinkedBlockingQueue<Chunk> queue) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
            }
        } catch (IOException e) {
            // closed
        } finally {
            queue.add(END);
        }
    }

    private void write(LinkedBlockingQueue<Chunk> queue, Socket to) {
        try (OutputStream out = to.getOutputStream()) {
            for (Chunk c; (c = queue.take()) != END; ) {
                long wait = c.dueNanos() - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                out.write(c.bytes());
            }
        } catch (IOException | InterruptedException e) {
            // closed
        }
        closeQuietly(to);
    }

    private void copy(Socket from, Socket to) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream()) {
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // closed
        }
        closeQuietly(to);
    }

    private void thread(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        acceptor.join(5000);   // no socket or thread is added after this
        sockets.forEach(DelayRelay::closeQuietly);
        for (Thread t : threads) {
            t.interrupt();
            t.join(5000);
        }
    }
}
