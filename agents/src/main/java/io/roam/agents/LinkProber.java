package io.roam.agents;

import io.roam.profiling.InterfaceStats;
import io.roam.profiling.LinkEstimator;
import io.roam.profiling.NetworkProfile;
import io.roam.profiling.ProfilingSettings;
import io.roam.profiling.TcpRates;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.ProbeReply;
import io.roam.protocol.AgentMessage.ProbeRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The agent's network profiler, a child of {@link NodeAgent}: every
 * {@code roam.profiling.network.period} it samples the node's interfaces and probes its
 * neighbours' agents ({@link ProbeRounds} chooses, {@link LinkEstimator} estimates), then
 * reports the {@link NetworkProfile} to the agent. Once a round's answers are in, it reads the
 * kernel's delivery rate of the connections that carried its payload probes ({@link TcpRates},
 * one run of ss off its own thread), bandwidth samples that the agents' scheduling does not lower. Probes go to each peer's {@code protocol}
 * actor, which answers them itself ({@link #answer}), not through its agent's mailbox, so
 * that a round trip is the network's and the two agents' serialization, not the agent's
 * other work.
 */
public final class LinkProber extends AbstractBehavior<LinkProber.Command> {
    public sealed interface Command {
    }

    /** One neighbour to probe: its cluster address, MPI host name and agent ref. */
    public record Peer(String address, String host, ActorRef<AgentMessage> ref) {
    }

    /** The current neighbours (replaces the previous set). */
    public record Neighbours(List<Peer> peers) implements Command {
    }

    private record Replied(ProbeReply reply) implements Command {
    }

    /** The kernel's rates, bytes/s, of the connections to the peers whose payload probes came back. */
    private record KernelRates(Map<String, Double> byPeer) implements Command {
    }

    private enum Round implements Command { TICK }

    private static final byte[] NO_BYTES = new byte[0];
    private static final Duration SS_TIMEOUT = Duration.ofSeconds(2);

    private final ProfilingSettings.Network settings;
    private final ActorRef<NetworkProfile> reportTo;
    private final ActorRef<ProbeReply> replies;
    private final LinkEstimator links;
    private final InterfaceStats interfaces = new InterfaceStats();
    private final ProbeRounds rounds;
    private final List<byte[]> payload;
    private final Map<String, Peer> peers = new HashMap<>();
    /** Peers whose payload probe came back this round: their kernel rates are read once the round is in. */
    private final Set<String> kernelPending = new HashSet<>();
    private NetworkProfile last;

    /** Answers {@code m} if it is a probe (returns true); else the caller handles it. */
    public static boolean answer(AgentMessage m) {
        if (m instanceof ProbeRequest p) {
            p.replyTo().tell(p.reply());
            return true;
        }
        return false;
    }

    public static Behavior<Command> create(ProfilingSettings settings, ActorRef<NetworkProfile> reportTo) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new LinkProber(ctx, timers, settings, reportTo)));
    }

    private LinkProber(ActorContext<Command> ctx, TimerScheduler<Command> timers, ProfilingSettings settings,
                       ActorRef<NetworkProfile> reportTo) {
        super(ctx);
        this.settings = settings.network();
        this.reportTo = reportTo;
        this.replies = ctx.messageAdapter(ProbeReply.class, Replied::new);
        this.links = new LinkEstimator(settings.smoothingOldWeight());
        Duration period = this.settings.period();
        long expiry = Math.max(3 * period.toNanos(), Duration.ofSeconds(10).toNanos());
        this.rounds = new ProbeRounds(this.settings.maxPeers(), this.settings.bandwidthEvery(),
                this.settings.probeBytes(), expiry);
        this.payload = chunks(this.settings.probeBytes(), new Random());
        this.last = new NetworkProfile(interfaces.sample(), List.of());
        reportTo.tell(last);
        timers.startTimerWithFixedDelay(Round.TICK, period);
    }

    /** A payload of {@code bytes} as requests of at most {@link ProbeRequest#MAX_PAYLOAD}, random (never compressible). */
    static List<byte[]> chunks(int bytes, Random random) {
        List<byte[]> out = new ArrayList<>();
        byte[] full = new byte[Math.min(bytes, ProbeRequest.MAX_PAYLOAD)];
        random.nextBytes(full);
        for (int left = bytes; left > 0; left -= full.length) {
            out.add(left >= full.length ? full : java.util.Arrays.copyOf(full, left));
        }
        return out;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Neighbours.class, this::onNeighbours)
                .onMessageEquals(Round.TICK, this::onRound)
                .onMessage(Replied.class, r -> onReply(r.reply()))
                .onMessage(KernelRates.class, this::onKernelRates)
                .build();
    }

    private Behavior<Command> onNeighbours(Neighbours n) {
        peers.clear();
        n.peers().forEach(p -> peers.put(p.address(), p));
        links.retain(peers.keySet());
        rounds.retain(peers.keySet());
        return this;
    }

    private Behavior<Command> onRound() {
        readKernelRates();   // those of a round whose last answers never came
        for (ProbeRounds.Probe p : rounds.next(peers.keySet(), System.nanoTime())) {
            ActorRef<AgentMessage> to = peers.get(p.peer()).ref();
            long sent = System.nanoTime();
            if (p.bytes() == 0) {
                to.tell(new ProbeRequest(p.seq(), sent, NO_BYTES, replies));
            } else {
                for (byte[] chunk : payload) {
                    to.tell(new ProbeRequest(p.seq(), sent, chunk, replies));
                }
            }
        }
        report(new NetworkProfile(interfaces.sample(), links.links()));
        return this;
    }

    private Behavior<Command> onReply(ProbeReply r) {
        long now = System.nanoTime();
        rounds.replied(r.seq(), r.bytes(), r.sentNanos(), now).ifPresent(done -> {
            Peer peer = peers.get(done.peer());
            if (done.bytes() == 0) {
                links.rtt(done.peer(), peer.host(), done.rttNanos(), System.currentTimeMillis());
            } else {
                links.payload(done.peer(), peer.host(), done.bytes(), done.rttNanos());
                if (settings.kernelRates()) {
                    kernelPending.add(done.peer());
                }
            }
            if (rounds.idle()) {
                report(new NetworkProfile(last.interfaces(), links.links()));
                readKernelRates();
            }
        });
        return this;
    }

    /**
     * Reads, off the actor's thread (ss is a child process, one run for the whole round), the
     * kernel's delivery rate of this node's connections to the cluster address of each peer
     * whose payload probe came back, the payload's connection among them.
     */
    private void readKernelRates() {
        if (kernelPending.isEmpty()) {
            return;
        }
        Map<String, Address> addresses = new HashMap<>();
        for (String peer : kernelPending) {
            try {
                Address a = AddressFromURIString.parse(peer);
                if (a.getHost().isPresent() && a.getPort().isPresent()) {
                    addresses.put(peer, a);
                }
            } catch (RuntimeException notAnAddress) {
                // no rate for it
            }
        }
        kernelPending.clear();
        Executor blocking = getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
            Map<String, Double> rates = TcpRates.all(SS_TIMEOUT);
            Map<String, Double> byPeer = new HashMap<>();
            addresses.forEach((peer, a) -> TcpRates.destination(a.getHost().get(), a.getPort().get())
                    .map(rates::get).ifPresent(rate -> byPeer.put(peer, rate)));
            return byPeer;
        }, blocking), (byPeer, error) -> new KernelRates(error == null ? byPeer : Map.of()));
    }

    private Behavior<Command> onKernelRates(KernelRates r) {
        boolean any = false;
        for (Map.Entry<String, Double> e : r.byPeer().entrySet()) {
            Peer peer = peers.get(e.getKey());
            any |= peer != null && links.rate(e.getKey(), peer.host(), e.getValue());
        }
        if (any) {
            report(new NetworkProfile(last.interfaces(), links.links()));
        }
        return this;
    }

    private void report(NetworkProfile p) {
        last = p;
        reportTo.tell(p);
    }
}
