package io.roam.agents;

import io.roam.pcm.wire.PcmErrors;
import io.roam.pcm.wire.PcmMessage;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.MigrationFailed;
import io.roam.pcm.wire.PcmMessage.MigrationStarted;
import io.roam.protocol.AgentMessage;
import io.roam.protocol.AgentMessage.ExpectArrival;
import io.roam.protocol.AgentMessage.MigrateRank;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.MigrationTimes;
import io.roam.protocol.MigrationEvent.Phase;
import io.roam.topologies.NodeInfo;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The migrations of one agent: it creates the actor of each migration from this node
 * ({@link SourceMigration}) and of each to it ({@link TargetMigration}), keeps the table and
 * the queues per job ({@link MigrationTable}) and the log ({@link MigrationLog}), and routes
 * to those actors what the node's processes say. Owned by the agent actor and called only
 * from it (it spawns and watches with the agent's context); not thread-safe.
 */
final class AgentMigrations {
    /** Finished migrations kept for the web view and GET /api/migrations (those in progress are all kept). */
    static final int KEEP_FINISHED = 50;

    private final ActorContext<NodeAgent.Command> ctx;
    private final String host;
    private final String selfAddress;
    private final int maxMigrationsPerJob;
    private final SourceMigration.Timing timing;
    private final ActorRef<PcmDaemon.Command> daemon;
    private final ActorRef<SourceMigration.Reported> reportedTo;
    private final LongFunction<NodeAgent.Command> sourceStopped;
    private final LongFunction<NodeAgent.Command> targetStopped;
    private final ClusterView view;
    private final Collection<ProcessInfo> processes;
    private final Function<String, List<String>> jobHosts;
    private final AgentMetrics metrics;
    private final MigrationTable migrations = new MigrationTable(new java.util.Random().nextInt());
    private final MigrationLog migrationLog;
    /** The migrations to this node, by order id: the actor expecting (then measuring) each replacement. */
    private final Map<Long, Arrival> arrivals = new HashMap<>();
    /** The job's iteration time as each process here reports it, by (job, rank): the "before" of a move. */
    private final IterationWindows iterations;
    private final TargetMigration.Setup targetSetup;
    private final ActorRef<AgentMessage> self;

    private record Arrival(String jobId, int rank, ActorRef<TargetMigration.Command> actor) {
    }

    /** The agent's side of it: where the actors' reports and ends go, as the agent's own commands. */
    record Wiring(ActorRef<SourceMigration.Reported> reported, LongFunction<NodeAgent.Command> sourceStopped,
                  LongFunction<NodeAgent.Command> targetStopped, ActorRef<AgentMessage> self) {
    }

    /**
     * @param processes the node's registered processes, a live view the agent keeps current
     * @param jobHosts the hosts a job was started on (mpirun's allocation), or null when not known
     */
    AgentMigrations(ActorContext<NodeAgent.Command> ctx, AgentConfig config, String selfAddress, ClusterView view,
                    Collection<ProcessInfo> processes, Function<String, List<String>> jobHosts,
                    ActorRef<PcmDaemon.Command> daemon, AgentMetrics metrics, Wiring wiring) {
        this.ctx = ctx;
        this.host = config.agent().host();
        this.selfAddress = selfAddress;
        this.maxMigrationsPerJob = config.stealing().maxMigrationsPerJob();
        this.timing = new SourceMigration.Timing(config.agent().migrationTimeout(), MigrationTable.CONFIRM_GRACE);
        this.daemon = daemon;
        this.reportedTo = wiring.reported();
        this.sourceStopped = wiring.sourceStopped();
        this.targetStopped = wiring.targetStopped();
        this.view = view;
        this.processes = processes;
        this.jobHosts = jobHosts;
        this.metrics = metrics;
        this.migrationLog = new MigrationLog(host, KEEP_FINISHED);
        this.self = wiring.self();
        this.iterations = new IterationWindows(config.decision().window(), TargetMigration.SKIPPED_HEARTBEATS);
        this.targetSetup = new TargetMigration.Setup(host, selfAddress, timing.orderTimeout(),
                measureTimeout(config), config.decision(), wiring.self());
    }

    /**
     * How long the target measures a move at most: the skipped heartbeats and a window of
     * them, three times over (an application may call PCM_Status less often than the
     * heartbeat period), and at least a minute.
     */
    static java.time.Duration measureTimeout(AgentConfig config) {
        java.time.Duration beat = config.agent().heartbeat().isZero() ? java.time.Duration.ofSeconds(1)
                : config.agent().heartbeat();
        java.time.Duration t = beat.multipliedBy(3L * (config.decision().window() + TargetMigration.SKIPPED_HEARTBEATS));
        return t.compareTo(java.time.Duration.ofMinutes(1)) < 0 ? java.time.Duration.ofMinutes(1) : t;
    }

    /** A new order id of this agent (migrations and resizes share the sequence). */
    long nextOrderId() {
        return migrations.nextOrderId();
    }

    io.roam.protocol.MigrationHistory history() {
        return migrationLog.history();
    }

    /** The actor of a migration to this node stopped. */
    void targetStopped(long orderId) {
        arrivals.remove(orderId);
    }

    /** A MigrateRank for a rank of this node: refused at once with the reason, or accepted (and queued or dispatched). */
    void accept(MigrateRank r) {
        long id = migrations.nextOrderId();
        ActorRef<AgentMessage> target = view.agent(r.targetAddress());
        NodeInfo targetNode = view.node(r.targetAddress());
        String problem = null;
        if (processes.stream().noneMatch(p -> p.jobId().equals(r.jobId()) && p.rank() == r.rank())) {
            problem = "job " + r.jobId() + " rank " + r.rank() + " is not registered on " + host;
        } else if (target == null || targetNode == null) {
            problem = "no agent at " + r.targetAddress() + " (known: " + view.agents().keySet() + ")";
        } else if (targetNode.address().equals(selfAddress)) {
            problem = "job " + r.jobId() + " rank " + r.rank() + " already runs on " + host;
        } else if (outsideTheJob(r.jobId(), targetNode.host()) != null) {
            problem = outsideTheJob(r.jobId(), targetNode.host()) + "; the rank stays on " + host;
        } else if (migrations.busy(r.jobId(), r.rank())) {
            problem = "job " + r.jobId() + " rank " + r.rank() + " is already migrating (or ordered to): one order"
                    + " per rank at a time";
        } else if (view.unreachable(r.targetAddress())) {
            problem = "the agent of " + targetNode.host() + " is unreachable: the rank stays on " + host;
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
        String ahead = !wait ? null : "job " + r.jobId() + " already has " + migrations.inFlight(r.jobId())
                + " migration(s) under way from " + host + " (roam.stealing.max-migrations-per-job "
                + maxMigrationsPerJob + ") and " + migrations.queued(r.jobId()) + " order(s) waiting: rank " + r.rank()
                + " moves to " + targetNode.host() + " when they have ended";
        migrationLog.started(id, p.jobId(), p.rank(), p.target(), System.currentTimeMillis());
        metrics.migrationsInProgress(migrationLog.inProgress());
        ActorRef<SourceMigration.Command> actor = ctx.spawn(
                SourceMigration.create(p, host, ahead, timing, daemon, reportedTo), "migration-" + id);
        ctx.watchWith(actor, sourceStopped.apply(id));
        MigrationTable.Entry e = new MigrationTable.Entry(p, actor, r.targetAddress());
        migrations.add(e, wait);
        if (!wait) {
            dispatch(e);
        }
    }


    /**
     * Why {@code target} cannot receive a rank of the job: it is not one of the hosts mpirun
     * started the job on (Open MPI 4.1 fails such a spawn, and mpirun then hangs at the job's
     * end). Null when it is one, or when the job's hosts are not known.
     */
    private String outsideTheJob(String jobId, String target) {
        List<String> hosts = jobHosts.apply(jobId);
        if (hosts == null || hosts.isEmpty() || hosts.contains(target)) {
            return null;
        }
        return target + " is not one of the hosts job " + jobId + " was started on (" + String.join(", ", hosts)
                + "): Open MPI 4.1 cannot start a rank outside the hosts mpirun was given, so nothing was spawned;"
                + " run the job with roam run once the node is in the cluster, to use it";
    }

    /** Lets a migration in the table go (just accepted, or first in its job's queue), if its rank and target are still there. */
    private void dispatch(MigrationTable.Entry e) {
        MigrationTable.Pending p = e.pending();
        ActorRef<AgentMessage> target = view.agent(e.targetAddress());
        if (processes.stream().noneMatch(q -> q.jobId().equals(p.jobId()) && q.rank() == p.rank())) {
            e.actor().tell(new SourceMigration.Abort("job " + p.jobId() + " rank " + p.rank()
                    + " is no longer registered on " + host));
        } else if (target == null || view.unreachable(e.targetAddress())) {
            e.actor().tell(new SourceMigration.Abort("the agent of " + p.target() + " is unreachable: the rank stays on "
                    + host));
        } else {
            e.actor().tell(new SourceMigration.Go(target, iterations.before(p.jobId(), p.rank()), self));
        }
    }

    private void dispatchQueued(String jobId) {
        while (migrations.inFlight(jobId) < maxMigrationsPerJob) {
            Optional<MigrationTable.Entry> next = migrations.pollQueued(jobId);
            if (next.isEmpty()) {
                return;
            }
            dispatch(next.get());
        }
    }


    /** Every event of a migration from here: the log and metrics; at its end, the job's next queued orders go. */
    void reported(SourceMigration.Reported r) {
        migrationLog.event(r.event());
        metrics.migrationEnded(r.event());
        if (r.event().phase().terminal()) {
            migrations.ended(r.migration().orderId());
            dispatchQueued(r.migration().jobId());
        }
        metrics.migrationsInProgress(migrationLog.inProgress());
    }

    /** A migration's actor stopped: after its terminal event, or (a fault in it) without one, which is told here. */
    void sourceStopped(long orderId) {
        migrations.get(orderId).ifPresent(e -> {
            ctx.getLog().error("the actor of migration {} stopped before the migration ended", orderId);
            MigrationTable.Pending p = e.pending();
            MigrationEvent failed = new MigrationEvent(orderId, p.jobId(), p.rank(), Phase.FAILED,
                    System.currentTimeMillis(), "internal error in the agent of " + host
                    + " (its log has the cause): the migration's outcome is not known", null);
            p.requester().tell(failed);
            reported(new SourceMigration.Reported(p, failed));
        });
    }


    /** Another agent announces a replacement that will arrive here. */
    void expect(ExpectArrival a) {
        ActorRef<TargetMigration.Command> actor = ctx.spawn(TargetMigration.create(a, targetSetup),
                "arrival-" + a.orderId());
        ctx.watchWith(actor, targetStopped.apply(a.orderId()));
        arrivals.put(a.orderId(), new Arrival(a.jobId(), a.rank(), actor));
    }

    /** A heartbeat of a process here: a sample of its job's iteration time, for the moves from and to here. */
    void heartbeat(ProcessInfo p, PcmMessage.Heartbeat h) {
        iterations.add(p.jobId(), p.rank(), p.pid(), h.iterationNs());
        TargetMigration.Heartbeat beat = new TargetMigration.Heartbeat(p.pid(), h.iterationNs());
        for (Arrival a : arrivals.values()) {
            if (a.jobId().equals(p.jobId()) && a.rank() == p.rank()) {
                a.actor().tell(beat);
            }
        }
    }

    /**
     * What a move from here did to its job, as the target measured it: kept with the
     * migration in the log (roam status, the web view), and logged.
     */
    void measured(AgentMessage.MoveMeasured m) {
        migrationLog.effect(m.orderId(), m.effect());
        ctx.getLog().info("job {} rank {} moved from {} to {} (order {}): {}", m.jobId(), m.rank(), host,
                m.targetHost(), m.orderId(), m.effect().describe());
    }


    /** Tells the actor of the migration from here of (job, rank), if any. */
    private void toSource(String jobId, int rank, SourceMigration.Command c) {
        migrations.of(jobId, rank).ifPresent(e -> e.actor().tell(c));
    }

    private void toSource(long orderId, SourceMigration.Command c) {
        migrations.get(orderId).ifPresent(e -> e.actor().tell(c));
    }


    /**
     * A process is gone ({@code last}: as the status showed it, or null). If it had reported a
     * stall, libpcm has ended its job: the job's migrations from this node fail at once rather
     * than at roam.agent.migration.timeout.
     */
    void processGone(ProcessInfo last) {
        if (last == null) {
            return;
        }
        iterations.gone(last.jobId(), last.rank(), last.pid());
        for (Arrival a : arrivals.values()) {
            if (a.jobId().equals(last.jobId()) && a.rank() == last.rank()) {
                a.actor().tell(new TargetMigration.Gone(last.pid()));
            }
        }
        if (last.stalled().isEmpty()) {
            return;
        }
        for (MigrationTable.Entry e : migrations.ofJob(last.jobId())) {
            e.actor().tell(new SourceMigration.Abort("libpcm ended job " + last.jobId()
                    + " because its reconfiguration stalled (" + last.stalled() + ")"));
        }
    }

    /** What a process of this node says about a migration (other messages are ignored here). */
    void fromProcess(ProcessInfo p, PcmMessage m) {
        if (m instanceof PcmMessage.Bye b) {
            toSource(p.jobId(), p.rank(), b.reason() == PcmMessage.Bye.Reason.MIGRATED
                    ? new SourceMigration.Departed() : new SourceMigration.Finalized());
        } else if (m instanceof PcmMessage.MigrationProgress pr) {
            toSource(pr.orderId(), new SourceMigration.Progress(pr.bytesSent(), pr.bytesTotal()));
        } else if (m instanceof MigrationStarted s) {
            toSource(s.orderId(), new SourceMigration.Started(s.iteration()));
        } else if (m instanceof MigrationFailed f) {
            toSource(f.orderId(), new SourceMigration.ProcessFailed(PcmErrors.name(f.code()) + ": " + f.message()));
        } else if (m instanceof MigrationDone d) {
            Arrival a = arrivals.get(d.orderId());
            if (a != null) {
                a.actor().tell(new TargetMigration.Arrived(p.pid(), new MigrationTimes(d.stateBytes(), d.tOrder(),
                        d.tDecided(), d.tSpawned(), d.tMerged(), d.tTransferred(), d.tResumed())));
            }
        }
    }


    /**
     * A process reports a stalled reconfiguration (MIGRATION_STALLED, docs/pcm-protocol.md):
     * libpcm's watchdog found no progress within ROAM_PCM_STALL_MS and ends the job shortly
     * after (docs/failure-model.md). Logged; the process shows stalled in the status (roam
     * status, the web view: the caller records the process returned); the migration's actor here reports it (roam migrate prints it),
     * and the one expecting the replacement relays it to the source.
     */
    ProcessInfo stalled(ProcessInfo p, PcmMessage.MigrationStalled s) {
        String detail = "on " + host + ", pid " + p.pid() + ": " + s.detail();
        ctx.getLog().warn("job {} rank {}: reconfiguration stalled (order {}, rank {} moving), {}",
                p.jobId(), p.rank(), s.orderId(), s.rank(), detail);
        toSource(s.orderId(), new SourceMigration.Stalled(detail));
        Arrival a = arrivals.get(s.orderId());
        if (a != null) {
            a.actor().tell(new TargetMigration.Stalled(detail));
        }
        return p.withStalled(detail);
    }
}
