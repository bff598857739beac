package io.roam.agents;

import io.roam.pcm.wire.PcmMessage;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.ExpectArrival;
import io.roam.protocol.AgentMessage.MigrateRank;
import io.roam.protocol.AgentMessage.NodeStatus;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.protocol.AgentMessage.StatusQuery;
import io.roam.profiling.NetworkProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.topologies.NodeInfo;
import io.roam.topologies.Topologies;
import io.roam.topologies.Topology;
import java.util.ArrayList;
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
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The agent of one node: it creates the node's parts and routes messages among them. The
 * cluster as this node sees it is a {@link ClusterView}; the PCM daemon, the link prober and
 * the stealer are child actors; each migration is an actor of its own, created and reached
 * through {@link AgentMigrations}; profiling is {@link AgentProfiling}. Messages from other
 * agents come in through the "protocol" child; one this agent does not handle is logged.
 */
public final class NodeAgent extends AbstractBehavior<NodeAgent.Command> {
    public static final ServiceKey<AgentMessage> KEY = ServiceKey.create(AgentMessage.class, AgentMessage.SERVICE_KEY_ID);

    public sealed interface Command {
    }

    /** A message from another agent (or this node's control API). */
    record Wire(AgentMessage message) implements Command {
    }

    /** Local: the refs of every agent and their nodes, for the control API. */
    public record GetPeers(ActorRef<Peers> replyTo) implements Command {
    }

    /** Every agent known to the receptionist, with the node of each (when a member). */
    public record Peers(NodeInfo self, Map<String, ActorRef<AgentMessage>> byAddress, Map<String, NodeInfo> nodes,
                        List<String> unreachable) {
    }

    private record Membership(ClusterEvent.MemberEvent event) implements Command {
    }

    private record Reachability(ClusterEvent.ReachabilityEvent event) implements Command {
    }

    private record Listing(Receptionist.Listing listing) implements Command {
    }

    private record Daemon(PcmDaemon.Event event) implements Command {
    }

    /** An event of a migration from this node, from its actor. */
    private record Reported(SourceMigration.Reported report) implements Command {
    }

    /** The actor of a migration from this node stopped. */
    private record SourceStopped(long orderId) implements Command {
    }

    /** The actor of a migration to this node stopped. */
    private record TargetStopped(long orderId) implements Command {
    }

    private record Network(NetworkProfile profile) implements Command {
    }

    /** An event of a resize ordered here, from its actor. */
    private record ResizeReported(ResizeOrder.Reported report) implements Command {
    }

    /** The actor of a resize ordered here stopped. */
    private record ResizeStopped(long orderId) implements Command {
    }

    private enum Sample implements Command { TICK }

    private final AgentSettings settings;
    private final Cluster cluster;
    private final NodeInfo self;
    private final ClusterView view;
    private final ActorRef<PcmDaemon.Command> daemon;
    private final ActorRef<LinkProber.Command> prober;
    private final ActorRef<AgentMessage> wire;
    private final long upSince = System.currentTimeMillis();
    private final Map<String, ProcessInfo> processes = new HashMap<>();
    /** The hosts each job with a process here was started on (REGISTER's job_hosts), when known. */
    private final Map<String, List<String>> jobHosts = new HashMap<>();
    private final AgentProfiling profiling;
    private final ActorRef<Stealer.Command> stealer;
    private final AgentMigrations migrations;
    private final AgentResizes resizes;
    /**
     * Grows the malleable jobs whose rank 0 runs here onto free slots (roam.agent.grow.on-join) and
     * shrinks those whose highest rank is slow (roam.agent.grow.shrink-slow); null when both are off.
     */
    private final ActorRef<AutoGrow.Command> grower;
    private NetworkProfile network = NetworkProfile.EMPTY;
    private boolean drained;
    private final AgentMetrics metrics;
    private final HistoryLog history;

    public static Behavior<Command> create(AgentConfig config) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new NodeAgent(ctx, timers, config)));
    }

    private NodeAgent(ActorContext<Command> ctx, TimerScheduler<Command> timers, AgentConfig config)
            throws java.io.IOException {
        super(ctx);
        ctx.setLoggerName(NodeAgent.class);
        this.settings = config.agent();
        this.profiling = new AgentProfiling(settings.host(), config.profiling());
        timers.startTimerWithFixedDelay(Sample.TICK, config.profiling().period());
        this.cluster = Cluster.get(ctx.getSystem());
        Member me = cluster.selfMember();
        this.self = new NodeInfo(me.address().toString(), settings.cluster(), settings.host(), Integer.MAX_VALUE);
        this.view = new ClusterView(self, Topologies.create(settings.topology(), self, settings.maxNeighbours(),
                new Random(me.address().hashCode())));
        this.metrics = AgentMetrics.get(ctx.getSystem());
        this.history = new HistoryLog(settings.host(), HistoryLog.Settings.of(ctx.getSystem().settings().config()));
        // a rolling upgrade starts the new agent drained: it takes work after roam undrain
        this.drained = io.roam.config.Settings.of(ctx.getSystem().settings().config(), "roam.agent.drain")
                .flag("at-start");
        // A child, not a message adapter, faces the other agents: the receptionist must see
        // the registered service and this actor's listing subscription as different refs.
        ActorRef<Command> agent = ctx.getSelf();
        // It answers network probes itself: a probe's round trip must not wait in this mailbox.
        this.wire = ctx.spawn(Behaviors.receiveMessage((AgentMessage m) -> {
            if (!LinkProber.answer(m)) {
                agent.tell(new Wire(m));
            }
            return Behaviors.same();
        }), "protocol");
        this.daemon = ctx.spawn(PcmDaemon.create(settings, ctx.messageAdapter(PcmDaemon.Event.class, Daemon::new)),
                "pcm-daemon");
        this.migrations = new AgentMigrations(ctx, config, self.address(), view,
                java.util.Collections.unmodifiableCollection(processes.values()), jobHosts::get, daemon, metrics,
                new AgentMigrations.Wiring(ctx.messageAdapter(SourceMigration.Reported.class, Reported::new),
                        SourceStopped::new, TargetStopped::new, wire));
        this.resizes = new AgentResizes(ctx, settings.host(), AgentResizes.timeout(ctx.getSystem().settings().config()),
                migrations::nextOrderId, java.util.Collections.unmodifiableCollection(processes.values()),
                jobHosts::get, new AgentResizes.Wiring(daemon,
                        ctx.messageAdapter(ResizeOrder.Reported.class, ResizeReported::new), ResizeStopped::new));
        AutoGrow.Settings grow = AutoGrow.Settings.from(ctx.getSystem().settings().config());
        this.grower = grow.onJoin() || grow.shrinkSlow() ? ctx.spawn(AutoGrow.create(new ClusterQueries(
                ctx.getSystem(), ctx.getSelf(), settings.statusTimeout()), self.address(), ctx.getSelf(), grow),
                "auto-grow") : null;
        this.prober = ctx.spawn(LinkProber.create(config.profiling(), ctx.messageAdapter(NetworkProfile.class, Network::new)),
                "link-prober");
        cluster.subscriptions().tell(Subscribe.create(
                ctx.messageAdapter(ClusterEvent.MemberEvent.class, Membership::new), ClusterEvent.MemberEvent.class));
        cluster.subscriptions().tell(Subscribe.create(
                ctx.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new),
                ClusterEvent.ReachabilityEvent.class));
        ActorRef<Receptionist.Listing> listing = ctx.messageAdapter(Receptionist.Listing.class, Listing::new);
        this.stealer = config.stealing().enabled() ? ctx.spawn(Stealer.create(config.stealing(), config.strategy(),
                self.address(), wire), "stealer") : null;
        ctx.getSystem().receptionist().tell(Receptionist.register(KEY, wire));
        ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY, listing));
        ctx.getLog().info("agent {} (host {}, cluster {}, topology {}, CPU from {})", self.address(),
                settings.host(), settings.cluster(), settings.topology(), this.profiling.source());
        if (drained) {
            ctx.getLog().info("node {} starts drained (roam.agent.drain.at-start): it takes no new work until"
                    + " roam undrain {}", settings.host(), settings.host());
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Wire.class, w -> onWire(w.message()))
                .onMessage(GetPeers.class, this::onGetPeers)
                .onMessage(Membership.class, m -> {
                    view.member(m.event());
                    neighboursChanged();
                    return this;
                })
                .onMessage(Reachability.class, r -> {
                    view.reachability(r.event());
                    return this;
                })
                .onMessage(Listing.class, l -> {
                    view.agents(l.listing().getServiceInstances(KEY));
                    neighboursChanged();
                    return this;
                })
                .onMessage(Daemon.class, d -> onDaemon(d.event()))
                .onMessage(Reported.class, r -> {
                    migrations.reported(r.report());
                    if (r.report().event().phase() == io.roam.protocol.MigrationEvent.Phase.DONE) {
                        MigrationTable.Pending p = r.report().migration();
                        history.moved(r.report().event().atMillis(), p.jobId(), p.rank(), p.target());
                    }
                    return this;
                })
                .onMessage(SourceStopped.class, s -> {
                    migrations.sourceStopped(s.orderId());
                    return this;
                })
                .onMessage(TargetStopped.class, t -> {
                    migrations.targetStopped(t.orderId());
                    return this;
                })
                .onMessage(ResizeReported.class, r -> onResized(r.report()))
                .onMessage(ResizeStopped.class, s -> {
                    resizes.stopped(s.orderId());
                    return this;
                })
                .onMessageEquals(Sample.TICK, this::onSample)
                .onMessage(Network.class, n -> {
                    network = n.profile();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onSample() {
        if (grower != null) {
            grower.tell(new AutoGrow.Check(Map.copyOf(jobHosts), resizes.lastEnded(), resizes.resizing()));
        }
        try {
            AgentProfiling.Sample sample = profiling.sample(processes.values());
            metrics.sampled(new AgentMetrics.NodeSample(sample.node(), processes.size(), view.members(),
                    view.unreachableCount(), view.agentCount(), drained));
            history.available(System.currentTimeMillis(), sample.node().available());
            if (stealer != null) {
                // a drained node takes no work: it shows nothing available, so it never steals
                stealer.tell(new Stealer.Snapshot(view.selfNode(),
                        drained ? sample.node().withNothingAvailable() : sample.node(),
                        sample.processes(), view.topology().neighbours(),
                        view.topology().otherClusterManagers(), view.agents(), network.rttMillisByPeer(),
                        network.bandwidthByPeer(), Map.copyOf(jobHosts)));
            }
        } catch (java.io.IOException e) {
            getContext().getLog().warn("node profiling failed: {}", e.getMessage());
        }
        return this;
    }

    private Behavior<Command> onWire(AgentMessage m) {
        if (m instanceof StatusQuery q) {
            q.replyTo().tell(status());
        } else if (m instanceof io.roam.protocol.MigrationHistory.Query q) {
            q.replyTo().tell(migrations.history());
        } else if (m instanceof io.roam.protocol.NodeHistory.Query q) {
            q.replyTo().tell(history.snapshot(System.currentTimeMillis()));
        } else if (m instanceof MigrateRank r) {
            contacted(r.replyTo());
            migrations.accept(r);
        } else if (m instanceof AgentMessage.ResizeJob r) {
            resizes.accept(r);
        } else if (m instanceof AgentMessage.Steal s) {
            if (stealer != null) {
                stealer.tell(new Stealer.Incoming(s.message()));
            }
        } else if (m instanceof AgentMessage.SetDrained d) {
            if (d.drained() != drained) {
                getContext().getLog().info("node {} {}", settings.host(), d.drained() ? "drained: it takes no new work"
                        : "undrained: it takes work again");
            }
            drained = d.drained();
            d.replyTo().tell(status());
        } else if (m instanceof AgentMessage.StopAgent stop) {
            getContext().getLog().info("stopping: {}", stop.reason());
            org.apache.pekko.actor.CoordinatedShutdown.get(getContext().getSystem()).runAll(
                    new AgentShutdown.Requested(stop.reason(), stop.drain()));
        } else if (m instanceof ExpectArrival a) {
            contacted(a.replyTo());
            migrations.expect(a);
        } else if (m instanceof AgentMessage.MoveMeasured mm) {
            moveMeasured(mm);
        } else {
            getContext().getLog().warn("dropped a message this agent does not handle: {}", m.getClass().getName());
        }
        return this;
    }

    /**
     * What a move did to its job, from the target's measurement: on the source, the log
     * keeps it and the stealer holds back a move that did not help; on the target (which
     * tells itself too), the stealer lets a rank whose move made its job slower go back.
     */
    private void moveMeasured(AgentMessage.MoveMeasured m) {
        boolean here = m.targetAddress().equals(self.address());
        if (!here) {
            migrations.measured(m);
        }
        if (stealer != null) {
            stealer.tell(here ? new Stealer.MovedHere(m.jobId(), m.rank(), m.effect())
                    : new Stealer.MovedFromHere(m.jobId(), m.rank(), m.targetAddress(), m.effect()));
        }
    }

    /** IOS: an agent that contacts this one becomes a neighbour (if it is a member). */
    private void contacted(ActorRef<?> from) {
        if (view.contactedBy(from)) {
            neighboursChanged();
        }
    }

    private NodeStatus status() {
        List<String> neighbours = view.topology().neighbours().stream().map(NodeInfo::address).toList();
        List<ProcessProfile> profiles = processes.values().stream().map(profiling::profile).toList();
        return new NodeStatus(view.selfNode(), upSince, view.topology().isManager(),
                settings.slots(), new ArrayList<>(processes.values()), neighbours, profiles, profiling.node(), network,
                drained, settings.pcmSocketPattern());
    }

    /** The link prober probes the neighbours whose agent is known. */
    private void neighboursChanged() {
        prober.tell(new LinkProber.Neighbours(view.probePeers()));
    }

    private Behavior<Command> onDaemon(PcmDaemon.Event event) {
        if (event instanceof PcmDaemon.ProcessGone g) {
            ProcessInfo last = processes.remove(key(g.process()));
            migrations.processGone(last);
            resizes.processGone(last);
            metrics.rankGone(g.process().jobId(), g.process().rank());
            profiling.gone(g.process());
            if (processes.values().stream().noneMatch(p -> p.jobId().equals(g.process().jobId()))) {
                jobHosts.remove(g.process().jobId());
            }
        } else if (event instanceof PcmDaemon.FromProcess f) {
            ProcessInfo p = f.process();
            PcmMessage m = f.message();
            if (m instanceof PcmMessage.Register r) {
                processes.put(key(p), p);
                if (!r.jobHostList().isEmpty()) {
                    jobHosts.put(p.jobId(), r.jobHostList());
                }
            } else if (m instanceof PcmMessage.Heartbeat h) {
                profiling.heartbeat(p, h);
                migrations.heartbeat(p, h);
                metrics.heartbeat();
                history.iteration(p.jobId(), System.currentTimeMillis(), h.iterationNs() / 1e6);
                metrics.iteration(p.jobId(), p.rank(), settings.host(), h.iterationNs() / 1e9);
            } else if (m instanceof PcmMessage.MigrationStalled s) {
                ProcessInfo stalled = migrations.stalled(processes.getOrDefault(key(p), p), s);
                processes.put(key(p), stalled);
                resizes.stalled(s.orderId(), stalled.stalled());
            } else if (m instanceof PcmMessage.ProcessFlags flags) {
                // PCM_Malleable: the job may be resized (roam resize, a drain's shrink, a grow)
                processes.computeIfPresent(key(p), (k, q) -> q.withMalleable(flags.malleable()));
            } else if (!resizes.fromProcess(p, m)) {
                migrations.fromProcess(p, m);
            }
        }
        return this;
    }

    /**
     * An event of a resize ordered here: at DONE the job's processes here take the new size
     * (rank 0's is the job's size in every status: {@link JobViews}), and the history keeps it.
     */
    private Behavior<Command> onResized(ResizeOrder.Reported r) {
        resizes.reported(r);
        io.roam.protocol.ResizeEvent e = r.event();
        if (e.phase() == io.roam.protocol.ResizeEvent.Phase.DONE) {
            processes.replaceAll((k, p) -> p.jobId().equals(e.jobId()) ? p.withSize(e.newSize()) : p);
            history.resized(e.atMillis(), e.jobId(), e.oldSize(), e.newSize());
        }
        return this;
    }

    private static String key(ProcessInfo p) {
        return AgentProfiling.key(p);
    }

    private Behavior<Command> onGetPeers(GetPeers g) {
        g.replyTo().tell(view.peers());
        return this;
    }
}
