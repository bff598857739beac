package io.roam.agents;

import io.roam.pcm.wire.PcmErrors;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.MigrationFailed;
import io.roam.pcm.wire.PcmMessage.MigrationStarted;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.ExpectArrival;
import io.roam.protocol.AgentMessage.MigrateRank;
import io.roam.protocol.AgentMessage.NodeStatus;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.protocol.AgentMessage.StatusQuery;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.StealMessage;
import io.roam.protocol.MigrationEvent.MigrationTimes;
import io.roam.protocol.MigrationEvent.Phase;
import io.roam.profiling.NetworkProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.topologies.NodeInfo;
import io.roam.topologies.Topologies;
import io.roam.topologies.Topology;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * The agent of one node: cluster membership and the virtual topology, the PCM daemon, and
 * the agent protocol (status, migrations). Algorithms live in plain classes (Topology,
 * LocalProcesses, MigrationTable); this actor only routes.
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

    private record OrderSent(PcmDaemon.OrderResult result) implements Command {
    }

    private record FromTarget(MigrationEvent event) implements Command {
    }

    private record OrderTimeout(long orderId) implements Command {
    }

    /** The process of a migration said it left; the target agent has not confirmed the arrival. */
    private record ArrivalUnconfirmed(long orderId) implements Command {
    }

    private record Network(NetworkProfile profile) implements Command {
    }

    private enum Sample implements Command { TICK }

    private final AgentSettings settings;
    private final Cluster cluster;
    private final NodeInfo self;
    private final Topology topology;
    private final ActorRef<PcmDaemon.Command> daemon;
    private final ActorRef<LinkProber.Command> prober;
    private final ActorRef<AgentMessage> wire;
    private final ActorRef<MigrationEvent> fromTarget;
    private final ActorRef<PcmDaemon.OrderResult> orderSent;
    private final TimerScheduler<Command> timers;
    private final long upSince = System.currentTimeMillis();
    private final Map<String, ActorRef<AgentMessage>> agents = new HashMap<>();
    private final Map<String, NodeInfo> nodes = new HashMap<>();
    private final List<String> unreachable = new ArrayList<>();
    private final Map<String, ProcessInfo> processes = new HashMap<>();
    private final AgentProfiling profiling;
    private final ActorRef<Stealer.Command> stealer;
    private final MigrationTable migrations;
    private final StallReports stalls;
    private final Map<Long, ExpectArrival> arrivals = new HashMap<>();
    private final int maxMigrationsPerJob;
    private NetworkProfile network = NetworkProfile.EMPTY;
    private boolean drained;
    /** Finished migrations kept for the web view and GET /api/migrations (those in progress are all kept). */
    private static final int KEEP_FINISHED_MIGRATIONS = 50;
    private final AgentMetrics metrics;
    private final MigrationLog migrationLog;

    public static Behavior<Command> create(AgentConfig config) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new NodeAgent(ctx, timers, config)));
    }

    private NodeAgent(ActorContext<Command> ctx, TimerScheduler<Command> timers, AgentConfig config)
            throws java.io.IOException {
        super(ctx);
        this.settings = config.agent();
        this.maxMigrationsPerJob = config.stealing().maxMigrationsPerJob();
        this.profiling = new AgentProfiling(settings.host(), config.profiling());
        timers.startTimerWithFixedDelay(Sample.TICK, config.profiling().period());
        this.timers = timers;
        this.cluster = Cluster.get(ctx.getSystem());
        Member me = cluster.selfMember();
        this.self = new NodeInfo(me.address().toString(), settings.cluster(), settings.host(), Integer.MAX_VALUE);
        this.topology = Topologies.create(settings.topology(), self, settings.maxNeighbours(),
                new Random(me.address().hashCode()));
        this.metrics = AgentMetrics.get(ctx.getSystem());
        this.migrationLog = new MigrationLog(settings.host(), KEEP_FINISHED_MIGRATIONS);
        this.migrations = new MigrationTable(new Random().nextInt(), migrationLog.recorder(metrics));
        this.stalls = new StallReports(settings.host(), migrations, ctx.getLog());
        migrations.onEnded(this::dispatchQueued);   // a job's next queued orders go out when one ends
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
        this.fromTarget = ctx.messageAdapter(MigrationEvent.class, FromTarget::new);
        this.orderSent = ctx.messageAdapter(PcmDaemon.OrderResult.class, OrderSent::new);
        this.daemon = ctx.spawn(PcmDaemon.create(settings, ctx.messageAdapter(PcmDaemon.Event.class, Daemon::new)),
                "pcm-daemon");
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
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Wire.class, w -> onWire(w.message()))
                .onMessage(GetPeers.class, this::onGetPeers)
                .onMessage(Membership.class, m -> onMembership(m.event()))
                .onMessage(Reachability.class, r -> onReachability(r.event()))
                .onMessage(Listing.class, l -> onListing(l.listing()))
                .onMessage(Daemon.class, d -> onDaemon(d.event()))
                .onMessage(OrderSent.class, o -> onOrderSent(o.result()))
                .onMessage(FromTarget.class, f -> onFromTarget(f.event()))
                .onMessage(OrderTimeout.class, t -> onTimeout(t.orderId()))
                .onMessage(ArrivalUnconfirmed.class, u -> onUnconfirmed(u.orderId()))
                .onMessageEquals(Sample.TICK, this::onSample)
                .onMessage(Network.class, n -> {
                    network = n.profile();
                    return this;
                })
                .build();
    }

    private Behavior<Command> onSample() {
        try {
            AgentProfiling.Sample sample = profiling.sample(processes.values());
            metrics.sampled(new AgentMetrics.NodeSample(sample.node(), processes.size(), nodes.size(),
                    unreachable.size(), agents.size(), drained));
            if (stealer != null) {
                // a drained node takes no work: it shows nothing available, so it never steals
                stealer.tell(new Stealer.Snapshot(nodes.getOrDefault(self.address(), self),
                        drained ? sample.node().withNothingAvailable() : sample.node(),
                        sample.processes(), topology.neighbours(),
                        topology.otherClusterManagers(), Map.copyOf(agents), network.rttMillisByPeer(),
                        network.bandwidthByPeer()));
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
            q.replyTo().tell(migrationLog.history());
        } else if (m instanceof MigrateRank r) {
            contacted(r.replyTo());
            onMigrateRank(r);
        } else if (m instanceof StealMessage s) {
            if (stealer != null) {
                stealer.tell(new Stealer.Incoming(s));
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
            arrivals.put(a.orderId(), a);
            timers.startSingleTimer("arrival-" + a.orderId(), new OrderTimeout(a.orderId()),
                    settings.migrationTimeout());
        }
        return this;
    }

    /** IOS: an agent that contacts this one becomes a neighbour (if it is a member). */
    private void contacted(ActorRef<?> from) {
        if (!from.path().address().hasLocalScope()) {
            NodeInfo n = nodes.get(from.path().address().toString());
            if (n != null) {
                topology.contactedBy(n);
                neighboursChanged();
            }
        }
    }

    private NodeStatus status() {
        List<String> neighbours = topology.neighbours().stream().map(NodeInfo::address).toList();
        List<ProcessProfile> profiles = processes.values().stream().map(profiling::profile).toList();
        return new NodeStatus(nodes.getOrDefault(self.address(), self), upSince, topology.isManager(),
                settings.slots(), new ArrayList<>(processes.values()), neighbours, profiles, profiling.node(), network,
                drained);
    }

    /** The link prober probes the neighbours whose agent is known. */
    private void neighboursChanged() {
        prober.tell(new LinkProber.Neighbours(topology.neighbours().stream().filter(n -> agents.containsKey(n.address()))
                .map(n -> new LinkProber.Peer(n.address(), n.host(), agents.get(n.address()))).toList()));
    }

    private void onMigrateRank(MigrateRank r) {
        long id = migrations.nextOrderId();
        ActorRef<AgentMessage> target = agents.get(r.targetAddress());
        NodeInfo targetNode = nodes.get(r.targetAddress());
        String problem = null;
        if (processes.values().stream().noneMatch(p -> p.jobId().equals(r.jobId()) && p.rank() == r.rank())) {
            problem = "job " + r.jobId() + " rank " + r.rank() + " is not registered on " + settings.host();
        } else if (target == null || targetNode == null) {
            problem = "no agent at " + r.targetAddress() + " (known: " + agents.keySet() + ")";
        } else if (targetNode.address().equals(self.address())) {
            problem = "job " + r.jobId() + " rank " + r.rank() + " already runs on " + settings.host();
        } else if (migrations.busy(r.jobId(), r.rank())) {
            problem = "job " + r.jobId() + " rank " + r.rank() + " is already migrating (or ordered to): one order"
                    + " per rank at a time";
        } else if (unreachable.contains(r.targetAddress())) {
            problem = "the agent of " + targetNode.host() + " is unreachable: the rank stays on " + settings.host();
        }
        if (problem != null) {
            r.replyTo().tell(new MigrationEvent(id, r.jobId(), r.rank(), Phase.FAILED, System.currentTimeMillis(),
                    problem, null));
            return;
        }
        MigrationTable.Pending p = new MigrationTable.Pending(id, r.jobId(), r.rank(), targetNode.host(), r.replyTo());
        // drains, roam migrate and steals alike: a job's migrations from this node go one after
        // the other (libpcm carries out one reconfiguration per round anyway); later ones wait
        boolean wait = migrations.inFlight(r.jobId()) >= maxMigrationsPerJob;
        String ahead = "job " + r.jobId() + " already has " + migrations.inFlight(r.jobId()) + " migration(s) under way"
                + " from " + settings.host() + " (roam.stealing.max-migrations-per-job " + maxMigrationsPerJob + ") and "
                + migrations.queued(r.jobId()).size() + " order(s) waiting: rank " + r.rank() + " moves to "
                + targetNode.host() + " when they have ended";
        migrations.add(p, wait ? r.targetAddress() : null);
        migrations.report(id, Phase.ACCEPTED, "from " + settings.host() + " to " + targetNode.host(), null);
        if (wait) {
            migrations.report(id, Phase.QUEUED, ahead, null);
        } else {
            dispatch(p, r.targetAddress());
        }
    }

    /** Orders the move of a migration in the table (just accepted, or first in its job's queue). */
    private void dispatch(MigrationTable.Pending p, String targetAddress) {
        ActorRef<AgentMessage> target = agents.get(targetAddress);
        String problem = null;
        if (processes.values().stream().noneMatch(q -> q.jobId().equals(p.jobId()) && q.rank() == p.rank())) {
            problem = "job " + p.jobId() + " rank " + p.rank() + " is no longer registered on " + settings.host();
        } else if (target == null || unreachable.contains(targetAddress)) {
            problem = "the agent of " + p.target() + " is unreachable: the rank stays on " + settings.host();
        }
        if (problem != null) {
            migrations.report(p.orderId(), Phase.FAILED, problem, null);
            return;
        }
        target.tell(new ExpectArrival(p.orderId(), p.jobId(), p.rank(), fromTarget));
        daemon.tell(new PcmDaemon.Order(p.jobId(), p.rank(), p.orderId(), p.target(), orderSent));
        timers.startSingleTimer("order-" + p.orderId(), new OrderTimeout(p.orderId()), settings.migrationTimeout());
    }

    private void dispatchQueued(String jobId) {
        while (migrations.inFlight(jobId) < maxMigrationsPerJob) {
            Optional<MigrationTable.Queued> next = migrations.pollQueued(jobId);
            if (next.isEmpty()) {
                return;
            }
            dispatch(next.get().pending(), next.get().targetAddress());
        }
    }

    private Behavior<Command> onOrderSent(PcmDaemon.OrderResult r) {
        migrations.report(r.orderId(), r.sent() ? Phase.ORDERED : Phase.FAILED, r.detail(), null);
        return this;
    }

    private Behavior<Command> onFromTarget(MigrationEvent e) {
        migrations.report(e.orderId(), e.phase(), e.detail(), e.times());
        if (e.phase().terminal()) {
            timers.cancel("order-" + e.orderId());
        }
        return this;
    }

    /**
     * The migrating process said BYE(migrated): the replacement holds the new world and the
     * state went out. If the target agent (dead, cut off, restarted) never confirms, the
     * migration is still done: reported so after {@link MigrationTable#CONFIRM_GRACE}.
     */
    private void onDeparted(ProcessInfo p) {
        migrations.of(p.jobId(), p.rank()).ifPresent(m -> {
            getContext().getLog().info("job {} rank {} left {} for {} (order {}); waiting for {}'s confirmation",
                    p.jobId(), p.rank(), settings.host(), m.target(), m.orderId(), m.target());
            java.time.Duration grace = MigrationTable.CONFIRM_GRACE.compareTo(settings.migrationTimeout()) < 0
                    ? MigrationTable.CONFIRM_GRACE : settings.migrationTimeout();
            timers.cancel("order-" + m.orderId());   // it left: whatever happens now, it is not FAILED
            timers.startSingleTimer("unconfirmed-" + m.orderId(), new ArrivalUnconfirmed(m.orderId()), grace);
        });
    }

    private Behavior<Command> onUnconfirmed(long orderId) {
        migrations.get(orderId).ifPresent(m -> {
            timers.cancel("order-" + orderId);
            migrations.report(orderId, Phase.DONE, "the process left " + settings.host() + " for " + m.target()
                    + " (BYE migrated: the replacement holds the rank and its state), but the agent of " + m.target()
                    + " did not confirm the arrival (down, cut off or restarted?)", null);
        });
        return this;
    }

    private Behavior<Command> onTimeout(long orderId) {
        ExpectArrival a = arrivals.remove(orderId);
        if (a != null) {
            return this;   // the source agent reports its own timeout
        }
        migrations.report(orderId, Phase.FAILED, "no replacement reported within " + settings.migrationTimeout(),
                null);
        return this;
    }

    private Behavior<Command> onDaemon(PcmDaemon.Event event) {
        if (event instanceof PcmDaemon.ProcessGone g) {
            stalls.gone(processes.remove(key(g.process())));
            profiling.gone(g.process());
        } else if (event instanceof PcmDaemon.FromProcess f) {
            onProcessMessage(f.process(), f.message());
        }
        return this;
    }

    private void onProcessMessage(ProcessInfo p, PcmMessage m) {
        if (m instanceof PcmMessage.Register) {
            processes.put(key(p), p);
        } else if (m instanceof PcmMessage.Heartbeat h) {
            profiling.heartbeat(p, h);
            metrics.heartbeat();
        } else if (m instanceof PcmMessage.Bye b && b.reason() == PcmMessage.Bye.Reason.MIGRATED) {
            onDeparted(p);
        } else if (m instanceof PcmMessage.Bye) {   // finalized: an order it had not carried out never will be
            migrations.of(p.jobId(), p.rank()).ifPresent(o -> migrations.report(o.orderId(), Phase.FAILED, "job " + p.jobId()
                    + " rank " + p.rank() + " finalized (the job ended) before the order's round: nothing moved", null));
        } else if (m instanceof PcmMessage.MigrationProgress pr) {
            migrations.report(pr.orderId(), Phase.TRANSFER,
                    MigrationEvent.transferDetail(pr.bytesSent(), pr.bytesTotal()), null);
        } else if (m instanceof PcmMessage.MigrationStalled s) {
            processes.put(key(p), stalls.stalled(p, s, arrivals.get(s.orderId())));
        } else if (m instanceof MigrationStarted s) {
            migrations.report(s.orderId(), Phase.STARTED, "every rank agreed at iteration " + s.iteration(), null);
        } else if (m instanceof MigrationFailed f) {
            migrations.report(f.orderId(), Phase.FAILED, PcmErrors.name(f.code()) + ": " + f.message(), null);
            timers.cancel("order-" + f.orderId());
        } else if (m instanceof MigrationDone d) {
            ExpectArrival a = arrivals.remove(d.orderId());
            if (a != null) {
                timers.cancel("arrival-" + d.orderId());
                MigrationTimes t = new MigrationTimes(d.stateBytes(), d.tOrder(), d.tDecided(), d.tSpawned(),
                        d.tMerged(), d.tTransferred(), d.tResumed());
                a.replyTo().tell(new MigrationEvent(d.orderId(), a.jobId(), a.rank(), Phase.DONE,
                        System.currentTimeMillis(), "running on " + settings.host() + " as pid " + p.pid(), t));
            }
        }
    }

    private static String key(ProcessInfo p) {
        return AgentProfiling.key(p);
    }

    private Behavior<Command> onGetPeers(GetPeers g) {
        g.replyTo().tell(new Peers(nodes.getOrDefault(self.address(), self), Map.copyOf(agents), Map.copyOf(nodes),
                List.copyOf(unreachable)));
        return this;
    }

    private Behavior<Command> onMembership(ClusterEvent.MemberEvent e) {
        Member m = e.member();
        String address = m.address().toString();
        if (e instanceof ClusterEvent.MemberUp) {
            NodeInfo n = MemberRoles.nodeOf(m);
            nodes.put(address, n);
            topology.memberUp(n);   // for self, this records its real up number
        } else if (e instanceof ClusterEvent.MemberRemoved || e instanceof ClusterEvent.MemberExited) {
            nodes.remove(address);
            unreachable.remove(address);
            topology.memberRemoved(address);
        }
        neighboursChanged();
        return this;
    }

    private Behavior<Command> onReachability(ClusterEvent.ReachabilityEvent e) {
        String address = e.member().address().toString();
        if (e instanceof ClusterEvent.UnreachableMember) {
            unreachable.add(address);
        } else {
            unreachable.remove(address);
        }
        return this;
    }

    private Behavior<Command> onListing(Receptionist.Listing l) {
        agents.clear();
        for (ActorRef<AgentMessage> ref : l.getServiceInstances(KEY)) {
            String address = ref.path().address().hasLocalScope() ? self.address() : ref.path().address().toString();
            agents.put(address, ref);
        }
        neighboursChanged();
        return this;
    }
}
