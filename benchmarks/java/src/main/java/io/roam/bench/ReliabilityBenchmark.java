package io.roam.bench;

import static io.roam.bench.BenchSupport.awaitReachable;
import static io.roam.bench.BenchSupport.freePort;
import static io.roam.bench.BenchSupport.reachable;
import static io.roam.bench.BenchSupport.startAgent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.roam.agents.NodeAgent;
import io.roam.bench.BenchSupport.Setting;
import io.roam.pcm.wire.PcmCodec;
import io.roam.pcm.wire.PcmMessage.Heartbeat;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.profiling.NetworkProfile;
import io.roam.profiling.NodeProfile;
import io.roam.protocol.AgentMessage;
import io.roam.stealing.StealMessage;
import io.roam.topologies.NodeInfo;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Load on one agent (benchmarks/reliability.sh): 64 fake PCM processes speaking the
 * wire protocol, each sending a HEARTBEAT every 100 ms, and a burst of steal requests from a
 * fake thief that joins the agent's cluster (an actor registered as an agent: it answers
 * status queries and counts the answers to its requests). Measures how long the agent's
 * {@code GET /api/status} takes before and during the burst, counts the answers, and checks
 * that every process stayed registered with its latest heartbeat. Writes a Markdown fragment.
 * Usage: ReliabilityBenchmark OUT.md [STEALS (10000)] [PROCESSES (64)]
 */
public final class ReliabilityBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private ReliabilityBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int steals = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int nproc = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        Path work = Files.createTempDirectory("roam-reliability-");
        int port = freePort();
        int http = freePort();
        // its processes are stand-ins registering invented pids: the agent's pid check is off
        Setting s = new Setting("load", List.of("-Xmx256m"), List.of("-Droam.agent.pcm.heartbeat=100ms",
                "-Droam.agent.pcm.check-pid=false",
                "-Droam.stealing.enabled=true", "-Droam.stealing.protocol=rs", "-Droam.profiling.period=1s",
                "-Droam.stealing.period=1s"));
        Process agent = startAgent("load", port, http, -1, s, work);
        List<SocketChannel> clients = new ArrayList<>();
        ActorSystem<Void> thief = null;
        AtomicLong tick = new AtomicLong();
        Thread beats = null;
        try {
            awaitReachable(agent, http, 1, 100, work);
            Path socket = work.resolve("pcm-load.sock");
            for (int r = 0; r < nproc; r++) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(socket));
                ch.write(ByteBuffer.wrap(PcmCodec.encode(new Register("load", r, nproc, 20_000 + r, "load", 0,
                        "/bin/fake", 1 << 20))));
                clients.add(ch);
            }
            AtomicInteger writeFailures = new AtomicInteger();
            beats = new Thread(() -> {
                long next = System.nanoTime();
                while (!Thread.currentThread().isInterrupted()) {
                    long t = tick.incrementAndGet();
                    for (SocketChannel ch : clients) {
                        try {
                            ch.write(ByteBuffer.wrap(PcmCodec.encode(new Heartbeat(t, 1_000_000, 80_000_000L * t,
                                    20_000_000L * t, 1 << 20, List.of()))));
                        } catch (java.io.IOException e) {
                            writeFailures.incrementAndGet();
                        }
                    }
                    next += 100_000_000L;
                    try {
                        Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heartbeats");
            beats.start();

            Set<Long> answered = ConcurrentHashMap.newKeySet();
            AtomicInteger offers = new AtomicInteger();
            AtomicReference<ActorRef<AgentMessage>> target = new AtomicReference<>();
            int thiefPort = freePort();
            String thiefAddress = "pekko://roam@127.0.0.1:" + thiefPort;
            thief = ActorSystem.create(thiefGuardian(thiefAddress, answered, offers, target), "roam",
                    thiefConfig(thiefPort, port));
            long deadline = System.nanoTime() + 60_000_000_000L;
            while ((target.get() == null || reachable(http) != 2) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            if (target.get() == null) {
                throw new IllegalStateException("the fake thief never saw the agent");
            }
            Thread.sleep(3000);   // the agent's stealer has its first profiles

            List<Double> idle = latencies(http, 10_000, () -> false);
            NodeProfile rich = new NodeProfile("bench-thief", System.currentTimeMillis(), 8, 8, 1e9, 0, 8e9,
                    16L << 30, 16L << 30, 0);
            long t0 = System.nanoTime();
            for (int i = 0; i < steals; i++) {
                target.get().tell(new AgentMessage.Steal(
                        new StealMessage.StealRequest(i, thiefAddress, rich, List.of(), 0, List.of())));
            }
            long sent = System.nanoTime();
            long until = System.nanoTime() + 120_000_000_000L;
            List<Double> burst = latencies(http, 120_000,
                    () -> answered.size() >= steals || System.nanoTime() > until);
            double burstSeconds = (System.nanoTime() - t0) / 1e9;
            beats.interrupt();
            beats.join();
            Thread.sleep(500);
            JsonNode st = status(http);
            long registered = 0;
            long current = 0;
            for (JsonNode n : st.get("nodes")) {
                for (JsonNode p : n.get("profiles")) {
                    if (p.get("jobId").asText().equals("load")) {
                        registered++;
                        current += p.get("iterations").asLong() == tick.get() ? 1 : 0;
                    }
                }
            }
            String text = String.format(Locale.ROOT, """
                    ## Load on one agent

                    One agent (`-Xmx256m`, heartbeat period 100 ms, RS stealing), %d fake PCM processes (the
                    wire protocol over the agent's Unix socket) each sending a `HEARTBEAT` every 100 ms, and
                    a fake thief in the agent's cluster (an actor registered as an agent) that sends **%d
                    `StealRequest`s at once** (TTL 0, so none is forwarded). `GET /api/status` polled every
                    100 ms on the agent's control API, before the burst (10 s) and until every request is
                    answered. The thief's Artery outbound queue is raised to 20,000 messages: with the default
                    (3,072 per peer) Artery drops the excess at the sender, before the agent sees it (a real
                    thief has one request outstanding).

                    | measure | value |
                    |---|---|
                    | status latency, ms, before the burst: median (min to max), %d queries | %s |
                    | status latency, ms, during the burst: median (min to max), %d queries | %s |
                    | steal requests sent (the thief's tell loop took) | %d (%.0f ms) |
                    | requests answered (offers + refusals) | %d (%d offers) in %.1f s |
                    | processes still registered after the burst | %d of %d |
                    | processes whose profile shows their last heartbeat (%d) | %d of %d |
                    | heartbeat writes that failed | %d |
                    """, nproc, steals, idle.size(), BenchSupport.stats(idle), burst.size(), BenchSupport.stats(burst),
                    steals, (sent - t0) / 1e6, answered.size(), offers.get(), burstSeconds, registered, nproc,
                    tick.get(), current, nproc, writeFailures.get());
            Files.writeString(out, text);
            System.out.print(text);
        } finally {
            if (beats != null) {
                beats.interrupt();
            }
            for (SocketChannel c : clients) {
                c.close();
            }
            if (thief != null) {
                thief.terminate();
            }
            BenchSupport.stop(List.of(agent));
        }
    }

    /** GET /api/status every 100 ms until {@code done} (or {@code maxMillis}); each latency in ms. */
    private static List<Double> latencies(int http, long maxMillis, java.util.function.BooleanSupplier done)
            throws Exception {
        List<Double> out = new ArrayList<>();
        long end = System.nanoTime() + maxMillis * 1_000_000L;
        while (System.nanoTime() < end && !done.getAsBoolean()) {
            long t = System.nanoTime();
            status(http);
            out.add((System.nanoTime() - t) / 1e6);
            Thread.sleep(100);
        }
        if (out.isEmpty()) {   // answered before the first query
            long t = System.nanoTime();
            status(http);
            out.add((System.nanoTime() - t) / 1e6);
        }
        return out;
    }

    private static JsonNode status(int http) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http
                + "/api/status")).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static Config thiefConfig(int port, int seed) {
        return ConfigFactory.parseString("pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                        + "pekko.remote.artery.canonical.port = " + port + "\n"
                        + "pekko.cluster.seed-nodes = [\"pekko://roam@127.0.0.1:" + seed + "\"]\n"
                        + "pekko.cluster.roles = [\"roam-cluster=default\", \"roam-host=bench-thief\"]\n"
                        + "pekko.loglevel = WARNING\n"
                        // Artery drops what exceeds a peer's outbound queue (3072 by default) at the
                        // sender: the burst must reach the agent, so the thief's queue holds it all
                        + "pekko.remote.artery.advanced.outbound-message-queue-size = 20000\n")
                .withFallback(ConfigFactory.load());
    }

    /** The fake thief: answers status queries, counts answers to its steal requests, finds the agent. */
    private static org.apache.pekko.actor.typed.Behavior<Void> thiefGuardian(String address, Set<Long> answered,
                                                                            AtomicInteger offers,
                                                                            AtomicReference<ActorRef<AgentMessage>> target) {
        return Behaviors.setup(ctx -> {
            long up = System.currentTimeMillis();
            ActorRef<AgentMessage> me = ctx.spawn(Behaviors.receiveMessage((AgentMessage m) -> {
                StealMessage steal = m instanceof AgentMessage.Steal s ? s.message() : null;
                if (steal instanceof StealMessage.StealRefused r) {
                    answered.add(r.stealId());
                } else if (steal instanceof StealMessage.StealOffer o) {
                    offers.incrementAndGet();
                    answered.add(o.stealId());
                } else if (m instanceof AgentMessage.StatusQuery q) {
                    q.replyTo().tell(new AgentMessage.NodeStatus(new NodeInfo(address, NodeInfo.DEFAULT_CLUSTER,
                            "bench-thief", 0), up, false, 0, List.of(), List.of(), List.of(),
                            new NodeProfile("bench-thief", System.currentTimeMillis(), 8, 8, 1e9, 0, 8e9, -1, -1, -1),
                            NetworkProfile.EMPTY, false, ""));
                } else if (m instanceof AgentMessage.ProbeRequest p) {
                    p.replyTo().tell(p.reply());
                }
                return Behaviors.same();
            }), "protocol");
            ctx.getSystem().receptionist().tell(Receptionist.register(NodeAgent.KEY, me));
            ctx.getSystem().receptionist().tell(Receptionist.subscribe(NodeAgent.KEY, ctx.spawn(
                    Behaviors.receiveMessage((Receptionist.Listing l) -> {
                        for (ActorRef<AgentMessage> ref : l.getServiceInstances(NodeAgent.KEY)) {
                            if (!ref.path().address().hasLocalScope()) {
                                target.set(ref);
                            }
                        }
                        return Behaviors.same();
                    }), "listing")));
            return Behaviors.empty();
        });
    }
}
