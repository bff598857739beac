package io.roam.agents;

import io.roam.pcm.wire.PcmConnection;
import io.roam.pcm.wire.PcmErrors;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmServer;
import io.roam.protocol.AgentMessage.ProcessInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The PCM daemon: the agent's end of the Unix socket of docs/pcm-protocol.md. It keeps the
 * local PCM processes (registered, forgotten when they disconnect), sends them
 * migration orders, and tells the agent what they report. A malformed frame drops only
 * that process's connection (PcmServer); the daemon and every other process stay.
 */
public final class PcmDaemon extends AbstractBehavior<PcmDaemon.Command> {
    public sealed interface Command {
    }

    /** Send a MIGRATE order to the process of (job, rank); the answer goes to replyTo. */
    public record Order(String jobId, int rank, long orderId, String targetHost, ActorRef<OrderResult> replyTo)
            implements Command {
    }

    /**
     * Send a RESIZE order to the process of (job, rank 0): run the job with {@code ranks}
     * processes, a grow's new ones on {@code hosts} (comma-separated); the answer goes to replyTo.
     */
    public record Resize(String jobId, long orderId, int ranks, String hosts, ActorRef<OrderResult> replyTo)
            implements Command {
    }

    /** Whether the order reached a process. */
    public record OrderResult(long orderId, boolean sent, String detail) {
    }

    /** Events the daemon reports to the agent. */
    public sealed interface Event {
    }

    /** A message from a registered process (MIGRATION_STARTED, _DONE, _FAILED...). */
    public record FromProcess(ProcessInfo process, PcmMessage message) implements Event {
    }

    /** A process connection ended (finalized, migrated away, died). */
    public record ProcessGone(ProcessInfo process) implements Event {
    }

    private record Received(PcmConnection connection, PcmMessage message) implements Command {
    }

    private record Disconnected(PcmConnection connection) implements Command {
    }

    private final PcmServer server;
    private final ActorRef<Event> events;
    private final LocalProcesses processes = new LocalProcesses();

    public static Behavior<Command> create(AgentSettings settings, ActorRef<Event> events) {
        return Behaviors.setup(ctx -> new PcmDaemon(ctx, settings, events));
    }

    private PcmDaemon(ActorContext<Command> ctx, AgentSettings settings, ActorRef<Event> events) throws IOException {
        super(ctx);
        ctx.setLoggerName(PcmDaemon.class);
        this.events = events;
        ActorRef<Command> self = ctx.getSelf();
        PcmServer.Listener listener = new PcmServer.Listener() {
            @Override
            public void onMessage(PcmConnection connection, PcmMessage message) {
                self.tell(new Received(connection, message));
            }

            @Override
            public void onDisconnect(PcmConnection connection, Throwable cause) {
                self.tell(new Disconnected(connection));
            }
        };
        Path socket = settings.pcmSocket();
        RoamPaths.createPrivateDir(socket.toAbsolutePath().getParent());
        server = new PcmServer(socket, listener,
                new PcmServer.Options("roam-agent@" + settings.host(), settings.heartbeat().toMillis())
                        .withPidCheck(settings.checkPids())).start();
        ctx.getLog().info("PCM daemon listening on {}", socket);
    }

    /**
     * Fails when another agent already serves {@code socket} (a stale file is fine: the
     * server replaces it), so that a misconfigured agent stops at start with the reason.
     */
    static void checkSocketFree(Path socket) {
        try {
            RoamPaths.createPrivateDir(socket.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new IllegalArgumentException("roam.agent.pcm.socket: cannot create the directory of " + socket
                    + ": " + e.getMessage(), e);
        }
        if (Files.exists(socket) && accepts(socket)) {
            throw new Unavailable("another agent is listening on " + socket
                    + " (roam.agent.pcm.socket; give each agent its own host name or socket)");
        }
    }

    /** Whether a server accepts connections on the socket (a stale file does not). */
    static boolean accepts(Path socket) {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException notServed) {
            return false;
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Received.class, this::onReceived)
                .onMessage(Disconnected.class, this::onDisconnected)
                .onMessage(Order.class, this::onOrder)
                .onMessage(Resize.class, this::onResize)
                .onSignal(PostStop.class, s -> stop())
                .build();
    }

    private Behavior<Command> onReceived(Received r) {
        if (r.message() instanceof Register reg) {
            LocalProcesses.Entry e = processes.register(r.connection(), reg, System.currentTimeMillis());
            getContext().getLog().info("process registered: job {} rank {} pid {} (moves {})",
                    reg.jobId(), reg.rank(), reg.pid(), reg.moves());
            events.tell(new FromProcess(e.info(), reg));
        } else {
            processes.byConnection(r.connection())
                    .ifPresent(e -> events.tell(new FromProcess(e.info(), r.message())));
        }
        return this;
    }

    private Behavior<Command> onDisconnected(Disconnected d) {
        processes.remove(d.connection()).ifPresent(e -> {
            getContext().getLog().info("process gone: job {} rank {} pid {}", e.info().jobId(), e.info().rank(),
                    e.info().pid());
            events.tell(new ProcessGone(e.info()));
        });
        return this;
    }

    private Behavior<Command> onOrder(Order o) {
        var entry = processes.find(o.jobId(), o.rank());
        if (entry.isEmpty()) {
            o.replyTo().tell(new OrderResult(o.orderId(), false,
                    "no process of job " + o.jobId() + " rank " + o.rank() + " is registered here"));
            return this;
        }
        try {
            entry.get().connection().send(new Migrate(o.orderId(), o.targetHost(), 0));
            getContext().getLog().info("migration order {} sent: job {} rank {} pid {} to {}", o.orderId(), o.jobId(),
                    o.rank(), entry.get().info().pid(), o.targetHost());
            o.replyTo().tell(new OrderResult(o.orderId(), true, "order sent to pid " + entry.get().info().pid()));
        } catch (IOException e) {
            o.replyTo().tell(new OrderResult(o.orderId(), false, "the process's connection failed: " + e.getMessage()
                    + " (" + PcmErrors.name(PcmErrors.PCM_ERR_AGENT) + ")"));
        }
        return this;
    }

    private Behavior<Command> onResize(Resize o) {
        var entry = processes.find(o.jobId(), 0);
        if (entry.isEmpty()) {
            o.replyTo().tell(new OrderResult(o.orderId(), false,
                    "no process of job " + o.jobId() + " rank 0 is registered here"));
            return this;
        }
        try {
            entry.get().connection().send(new PcmMessage.Resize(o.orderId(), o.ranks(), o.hosts(), 0));
            getContext().getLog().info("resize order {} sent: job {} to {} processes (pid {} of rank 0){}", o.orderId(),
                    o.jobId(), o.ranks(), entry.get().info().pid(), o.hosts().isEmpty() ? "" : ", new ones on " + o.hosts());
            o.replyTo().tell(new OrderResult(o.orderId(), true, "order sent to rank 0, pid " + entry.get().info().pid()));
        } catch (IOException e) {
            o.replyTo().tell(new OrderResult(o.orderId(), false, "the connection of rank 0 failed: " + e.getMessage()
                    + " (" + PcmErrors.name(PcmErrors.PCM_ERR_AGENT) + ")"));
        }
        return this;
    }

    private Behavior<Command> stop() {
        server.close();
        return this;
    }
}
