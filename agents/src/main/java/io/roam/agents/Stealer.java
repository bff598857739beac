package io.roam.agents;

import io.roam.decision.Decision;
import io.roam.decision.MoveEffect;
import io.roam.decision.Strategy;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.MigrateRank;
import io.roam.protocol.MigrationEvent;
import io.roam.stealing.Outgoing;
import io.roam.stealing.StealMessage;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.stealing.StealSettings;
import io.roam.stealing.StealingNode;
import io.roam.stealing.Victim;
import io.roam.topologies.NodeInfo;
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
 * Work stealing for one agent: drives the plain {@link StealingNode} (thief, victim, neighbour
 * views) with the agent's latest snapshot (profiles, neighbours, links) and carries its
 * messages; the simulator drives the same class. A
 * migration a thief accepted is ordered through the agent like {@code roam migrate} does.
 */
public final class Stealer extends AbstractBehavior<Stealer.Command> {
    public sealed interface Command {
    }

    /** The agent's view at one profiling sample. Links: latency (ms) and transfer rate (B/s) by address. */
    public record Snapshot(NodeInfo self, NodeProfile profile, List<ProcessProfile> processes, List<NodeInfo> neighbours,
                           List<NodeInfo> otherClusterManagers, Map<String, ActorRef<AgentMessage>> agents,
                           Map<String, Double> latencyMillis, Map<String, Double> bytesPerSec,
                           Map<String, List<String>> jobHosts) implements Command {
    }

    /** A work-stealing message from another agent. */
    public record Incoming(StealMessage message) implements Command {
    }

    /** A move of a rank from this node to {@code target} was measured (its effect on the job). */
    public record MovedFromHere(String jobId, int rank, String target, MoveEffect effect) implements Command {
    }

    /** A move of a rank to this node was measured. */
    public record MovedHere(String jobId, int rank, MoveEffect effect) implements Command {
    }

    private record Ended(MigrationEvent event) implements Command {
    }

    private enum Tick implements Command { INSTANCE }

    private final ActorRef<AgentMessage> agent;
    private final StealingNode node;
    private final ActorRef<MigrationEvent> ended;
    private Snapshot last;
    private StealingNode.Local local;

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
        ctx.setLoggerName(Stealer.class);   // named, not guessed from the stack (a timer's first log line went to ActorCell)
        this.agent = agent;
        Random rnd = new Random(address.hashCode() * 31L + System.nanoTime());
        this.node = new StealingNode(address, settings, strategy, rnd);
        this.ended = ctx.messageAdapter(MigrationEvent.class, Ended::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Snapshot.class, s -> {
                    last = s;
                    local = new StealingNode.Local(s.self(), s.profile(), s.processes(), s.neighbours(),
                            s.otherClusterManagers(), s.latencyMillis(), s.bytesPerSec(), s.jobHosts());
                    node.observe(System.currentTimeMillis(), local);   // every profile is a sample
                    return this;
                })
                .onMessage(Incoming.class, i -> onMessage(i.message()))
                .onMessage(Ended.class, e -> onEnded(e.event()))
                .onMessage(MovedFromHere.class, m -> {
                    node.observations().movedFromHere(m.jobId(), m.rank(), m.target(), m.effect(),
                            System.currentTimeMillis());
                    return this;
                })
                .onMessage(MovedHere.class, m -> {
                    node.observations().movedHere(m.jobId(), m.rank(), m.effect());
                    return this;
                })
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .build();
    }

    private Behavior<Command> onTick() {
        if (last == null) {
            return this;
        }
        long now = System.currentTimeMillis();
        for (Outgoing o : node.tick(now, local)) {
            if (StealingNode.isRequest(o)) {
                AgentMetrics.get(getContext().getSystem()).steal(AgentMetrics.StealEvent.SENT);
                getContext().getLog().info("thief: available {} of capacity, asking {} (steal {})",
                        String.format("%.2f", last.profile().availableShare()), o.to(), id(o.message()));
            } else if (StealingNode.isSwapRequest(o)) {
                getContext().getLog().info("swap: load {} s below the average {} s, asking {} (swap {})",
                        String.format("%.4g", node.swapGossip().load()),
                        String.format("%.4g", node.swapGossip().average()), o.to(),
                        Long.toHexString(((StealMessage.SwapRequest) o.message()).swapId()));
            }
            send(o);
        }
        return this;
    }

    private Behavior<Command> onMessage(StealMessage m) {
        long now = System.currentTimeMillis();
        if (!(m instanceof NeighbourView) && last == null) {
            getContext().getLog().debug("not profiled yet, ignoring {}", m);
            return this;
        }
        StealingNode.Handled h = node.handle(m, now, local);
        if (m instanceof StealMessage.StealRequest r) {
            count(h.outgoing().message());
            log(r, h);
            send(h.outgoing());
        } else if (m instanceof StealMessage.StealOffer o) {
            getContext().getLog().info("thief: offer of job {} rank {} from {} (score {}): {}", o.jobId(), o.rank(),
                    o.victim(), String.format("%.3f", o.score()),
                    ((StealMessage.StealAnswer) h.outgoing().message()).reason());
            send(h.outgoing());
        } else if (m instanceof StealMessage.StealRefused r) {
            getContext().getLog().info("thief: steal {} refused by {}: {}", Long.toHexString(r.stealId()), r.victim(),
                    r.reason());
        } else if (m instanceof StealMessage.StealAnswer a && h.order() != null) {
            Victim.MigrateOrder order = h.order();
            getContext().getLog().info("victim: {} accepted job {} rank {}: ordering the migration", a.thief(),
                    order.jobId(), order.rank());
            agent.tell(new MigrateRank(order.jobId(), order.rank(), order.thief(), ended));
        } else if (m instanceof StealMessage.StealOutcome o) {
            getContext().getLog().info("thief: job {} rank {} from {}: {}", o.jobId(), o.rank(), o.victim(),
                    o.migrated() ? "arrived" : "not moved (" + o.detail() + ")");
        } else if (m instanceof StealMessage.SwapRequest r) {
            StealMessage out = h.outgoing().message();
            getContext().getLog().info("swap {} asked by {}: {}", Long.toHexString(r.swapId()), r.initiator(),
                    out instanceof StealMessage.SwapOffer o ? "offering job " + o.jobId() + " rank " + o.rank()
                            + (o.withReturn() ? " for job " + o.backJobId() + " rank " + o.backRank() : "")
                            + ": " + o.reason()
                            : "refusing: " + ((StealMessage.StealRefused) out).reason());
            send(h.outgoing());
        } else if (m instanceof StealMessage.SwapOffer o) {
            StealMessage.StealAnswer a = (StealMessage.StealAnswer) h.outgoing().message();
            getContext().getLog().info("swap {}: {} offers job {} rank {}{}: {}", Long.toHexString(o.swapId()),
                    o.node(), o.jobId(), o.rank(), o.withReturn() ? " for job " + o.backJobId() + " rank "
                            + o.backRank() : "", a.reason());
            send(h.outgoing());
            if (h.order() != null) {
                agent.tell(new MigrateRank(h.order().jobId(), h.order().rank(), h.order().thief(), ended));
            }
        }
        return this;
    }

    private Behavior<Command> onEnded(MigrationEvent e) {
        if (node.stealOf(e.jobId(), e.rank()).isEmpty()) {
            return this;
        }
        getContext().getLog().info("victim: job {} rank {} {}: {}", e.jobId(), e.rank(), e.phase(), e.detail());
        if (e.phase().terminal()) {
            boolean ok = e.phase() == MigrationEvent.Phase.DONE;
            node.migrationEnded(e.jobId(), e.rank(), ok, e.detail()).ifPresent(this::send);
        }
        return this;
    }

    /** A steal request received and what this victim did with it. */
    private void count(StealMessage answer) {
        AgentMetrics metrics = AgentMetrics.get(getContext().getSystem());
        metrics.steal(AgentMetrics.StealEvent.RECEIVED);
        metrics.steal(answer instanceof StealMessage.StealOffer ? AgentMetrics.StealEvent.OFFERED
                : answer instanceof StealMessage.StealRequest ? AgentMetrics.StealEvent.FORWARDED
                : AgentMetrics.StealEvent.REFUSED);
    }

    private void log(StealMessage.StealRequest r, StealingNode.Handled re) {
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
        to.tell(new AgentMessage.Steal(o.message()));
    }

    private static String id(StealMessage m) {
        return m instanceof StealMessage.StealRequest r ? Long.toHexString(r.stealId()) : "?";
    }
}
