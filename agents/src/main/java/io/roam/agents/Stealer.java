package io.roam.agents;

import io.roam.decision.Decision;
import io.roam.decision.Strategy;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.MigrateRank;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.StealMessage;
import io.roam.protocol.StealMessage.JobRank;
import io.roam.protocol.StealMessage.NeighbourView;
import io.roam.protocol.stealing.Neighbourhood;
import io.roam.protocol.stealing.Outgoing;
import io.roam.protocol.stealing.StealSettings;
import io.roam.protocol.stealing.Thief;
import io.roam.protocol.stealing.Victim;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.topologies.NodeInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Work stealing for one agent: drives the plain {@link Thief} and {@link Victim} with the
 * agent's latest snapshot (profiles, neighbours, links) and carries their messages. A
 * migration a thief accepted is ordered through the agent like {@code roam migrate} does.
 */
public final class Stealer extends AbstractBehavior<Stealer.Command> {
    public sealed interface Command {
    }

    /** The agent's view at one profiling sample. Links: latency (ms) and transfer rate (B/s) by address. */
    public record Snapshot(NodeInfo self, NodeProfile profile, List<ProcessProfile> processes, List<NodeInfo> neighbours,
                           List<NodeInfo> otherClusterManagers, Map<String, ActorRef<AgentMessage>> agents,
                           Map<String, Double> latencyMillis, Map<String, Double> bytesPerSec) implements Command {
    }

    /** A work-stealing message from another agent. */
    public record Incoming(StealMessage message) implements Command {
    }

    private record Ended(MigrationEvent event) implements Command {
    }

    private enum Tick implements Command { INSTANCE }

    private final StealSettings settings;
    private final String address;
    private final ActorRef<AgentMessage> agent;
    private final Thief thief;
    private final Victim victim;
    private final Map<String, NeighbourView> views = new HashMap<>();
    private final Map<String, Long> viewTimes = new HashMap<>();
    /** job/rank -> steal id of the migration ordered for it (a process is in one migration at a time). */
    private final Map<String, Long> stealOfRank = new HashMap<>();
    private final ActorRef<MigrationEvent> ended;
    private Snapshot last;

    public static Behavior<Command> create(StealSettings settings, Strategy strategy, String address,
                                           ActorRef<AgentMessage> agent) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.period());
            return new Stealer(ctx, settings, strategy, address, agent);
        }));
    }

    private Stealer(ActorContext<Command> ctx, StealSettings settings, Strategy strategy, String address,
                    ActorRef<AgentMessage> agent) {
        super(ctx);
        this.settings = settings;
        this.address = address;
        this.agent = agent;
        Random rnd = new Random(address.hashCode() * 31L + System.nanoTime());
        this.thief = new Thief(address, settings, rnd);
        this.victim = new Victim(address, settings, strategy, rnd);
        this.ended = ctx.messageAdapter(MigrationEvent.class, Ended::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Snapshot.class, s -> {
                    last = s;
                    return this;
                })
                .onMessage(Incoming.class, i -> onMessage(i.message()))
                .onMessage(Ended.class, e -> onEnded(e.event()))
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .build();
    }

    private Neighbourhood neighbourhood() {
        long now = System.currentTimeMillis();
        long maxAge = 3 * settings.period().toMillis() + 1000;
        viewTimes.entrySet().removeIf(e -> now - e.getValue() > maxAge && views.remove(e.getKey()) != null);
        return new Neighbourhood(last.self(), last.neighbours(), last.otherClusterManagers(), views,
                last.latencyMillis());
    }

    private Behavior<Command> onTick() {
        if (last == null) {
            return this;
        }
        long now = System.currentTimeMillis();
        victim.expire(now);
        NeighbourView mine = new NeighbourView(address, last.profile(),
                last.processes().stream().map(p -> new JobRank(p.jobId(), p.rank())).toList(), victim.migratingJobs());
        for (NodeInfo n : last.neighbours()) {
            send(new Outgoing(n.address(), mine));
        }
        thief.tick(now, last.profile(), last.processes(), neighbourhood()).ifPresent(o -> {
            getContext().getLog().info("thief: available {} of capacity, asking {} (steal {})",
                    String.format("%.2f", last.profile().availableShare()), o.to(), id(o.message()));
            send(o);
        });
        return this;
    }

    private Behavior<Command> onMessage(StealMessage m) {
        long now = System.currentTimeMillis();
        if (m instanceof NeighbourView v) {
            views.put(v.address(), v);
            viewTimes.put(v.address(), now);
        } else if (last == null) {
            getContext().getLog().debug("not profiled yet, ignoring {}", m);
        } else if (m instanceof StealMessage.StealRequest r) {
            Victim.Reaction re = victim.onRequest(r, now, last.profile(), last.processes(), neighbourhood(),
                    last.bytesPerSec().getOrDefault(r.thief(), -1.0), last.latencyMillis().getOrDefault(r.thief(), -1.0));
            log(r, re);
            send(re.outgoing());
        } else if (m instanceof StealMessage.StealOffer o) {
            Outgoing answer = thief.onOffer(o, now, last.profile());
            getContext().getLog().info("thief: offer of job {} rank {} from {} (score {}): {}", o.jobId(), o.rank(),
                    o.victim(), String.format("%.3f", o.score()), ((StealMessage.StealAnswer) answer.message()).reason());
            send(answer);
        } else if (m instanceof StealMessage.StealRefused r) {
            getContext().getLog().info("thief: steal {} refused by {}: {}", Long.toHexString(r.stealId()), r.victim(),
                    r.reason());
            thief.onRefused(r, now);
        } else if (m instanceof StealMessage.StealAnswer a) {
            victim.onAnswer(a).ifPresent(order -> {
                getContext().getLog().info("victim: {} accepted job {} rank {}: ordering the migration", a.thief(),
                        order.jobId(), order.rank());
                stealOfRank.put(order.jobId() + "/" + order.rank(), order.stealId());
                agent.tell(new MigrateRank(order.jobId(), order.rank(), order.thief(), ended));
            });
        } else if (m instanceof StealMessage.StealOutcome o) {
            getContext().getLog().info("thief: job {} rank {} from {}: {}", o.jobId(), o.rank(), o.victim(),
                    o.migrated() ? "arrived" : "not moved (" + o.detail() + ")");
            thief.onOutcome(o, now);
        }
        return this;
    }

    private Behavior<Command> onEnded(MigrationEvent e) {
        String key = e.jobId() + "/" + e.rank();
        Long steal = stealOfRank.get(key);
        if (steal == null) {
            return this;
        }
        getContext().getLog().info("victim: job {} rank {} {}: {}", e.jobId(), e.rank(), e.phase(), e.detail());
        if (e.phase().terminal()) {
            stealOfRank.remove(key);
            boolean ok = e.phase() == MigrationEvent.Phase.DONE;
            victim.onMigrationEnded(steal, ok, e.detail()).ifPresent(this::send);
        }
        return this;
    }

    private void log(StealMessage.StealRequest r, Victim.Reaction re) {
        Decision d = re.decision();
        String why = d == null ? "" : d.evaluations().stream().map(Object::toString)
                .reduce((a, b) -> a + "; " + b).orElse("");
        StealMessage out = re.outgoing().message();
        String what = out instanceof StealMessage.StealOffer o ? "offering job " + o.jobId() + " rank " + o.rank()
                : out instanceof StealMessage.StealRequest ? "forwarding to " + re.outgoing().to()
                : "refusing: " + ((StealMessage.StealRefused) out).reason();
        getContext().getLog().info("victim: steal {} from {} (ttl {}): {} {}", Long.toHexString(r.stealId()), r.thief(),
                r.ttl(), what, why.isEmpty() ? "" : "[" + why + "]");
    }

    private void send(Outgoing o) {
        ActorRef<AgentMessage> to = last == null ? null : last.agents().get(o.to());
        if (to == null) {
            getContext().getLog().debug("no agent at {} for {}", o.to(), o.message());
            return;
        }
        to.tell(o.message());
    }

    private static String id(StealMessage m) {
        return m instanceof StealMessage.StealRequest r ? Long.toHexString(r.stealId()) : "?";
    }
}
