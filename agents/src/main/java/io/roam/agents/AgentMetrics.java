package io.roam.agents;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.roam.profiling.NodeProfile;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.MigrationTimes;
import java.time.Duration;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The agent's metrics, one Micrometer registry per actor system (tests run several agents in
 * one JVM), served by {@code GET /metrics} in Prometheus text format. The actors record what
 * happens (steal requests, migrations, profiling samples) and the agent's latest node sample
 * backs the gauges. Every meter is described in docs/http-api.md.
 */
public final class AgentMetrics implements Extension {
    /** The extension id: {@code AgentMetrics.get(system)}. */
    public static final class Id extends ExtensionId<AgentMetrics> {
        private static final Id INSTANCE = new Id();

        @Override
        public AgentMetrics createExtension(ActorSystem<?> system) {
            return new AgentMetrics();
        }
    }

    public static AgentMetrics get(ActorSystem<?> system) {
        return Id.INSTANCE.apply(system);
    }

    /** What the agent saw at its last profiling sample (the gauges read it). */
    public record NodeSample(NodeProfile profile, int processes, int members, int unreachable, int agents,
                             boolean drained) {
    }

    /** The steal-protocol events counted by {@code roam_steal_requests_total{event=...}}. */
    public enum StealEvent { SENT, RECEIVED, FORWARDED, REFUSED, OFFERED }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private volatile NodeSample last;
    private volatile int migrationsInProgress;
    /** Per rank here: its latest iteration time in seconds, behind roam_job_iteration_seconds. */
    private final java.util.concurrent.ConcurrentHashMap<String, double[]> iterations =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Bound on the per-rank series of one agent (a node runs few ranks; beyond it, none are added). */
    static final int MAX_RANK_SERIES = 256;

    private AgentMetrics() {
        // the agent's own JVM: heap, threads, CPU, uptime (jvm_*, process_*, system_*)
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.UptimeMetrics().bindTo(registry);
        gauge("roam.node.cpu.speed", "lattice updates per second of one core (CPU speed probe)",
                p -> p.speedPerCore());
        gauge("roam.node.cpu.limit", "cores the node may use (CPU cgroup quota, or its cores)", p -> p.cpuLimit());
        gauge("roam.node.utilization", "share of the CPU limit in use, 0 to 1", p -> p.utilization());
        gauge("roam.node.available.processing", "available processing: updates per second the node could still give",
                p -> p.available());
        gauge("roam.node.available.share", "available processing as a share of capacity, 0 to 1",
                p -> p.availableShare());
        gauge("roam.node.memory.available.bytes", "available memory in bytes (-1 unknown)", p -> p.memAvailable());
        sampleGauge("roam.node.processes", "PCM processes registered with this agent", s -> s.processes());
        sampleGauge("roam.node.drained", "1 when the node is drained (takes no new work)", s -> s.drained() ? 1 : 0);
        sampleGauge("roam.cluster.members", "cluster members this agent knows as Up", s -> s.members());
        sampleGauge("roam.cluster.unreachable", "members this agent sees as unreachable", s -> s.unreachable());
        sampleGauge("roam.cluster.agents", "agents registered with the receptionist", s -> s.agents());
        Gauge.builder("roam.migrations.in.progress", this, m -> m.migrationsInProgress)
                .description("migrations this agent is the source of that have not ended").register(registry);
        for (StealEvent e : StealEvent.values()) {
            stealCounter(e);
        }
        for (MigrationEvent.Phase outcome : new MigrationEvent.Phase[]{MigrationEvent.Phase.DONE,
                MigrationEvent.Phase.FAILED}) {
            migrationCounter(outcome);
        }
        for (String kind : new String[]{"node", "process"}) {
            profilingCounter(kind);
        }
        for (String phase : PHASES) {
            phaseTimer(phase);
        }
        stateBytes();
    }

    /** Histogram buckets (le) of the phase durations: 1 ms to 2 min. */
    private static final Duration[] PHASE_BUCKETS = java.util.stream.LongStream.of(1, 5, 10, 25, 50, 100, 250, 500,
            1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000).mapToObj(Duration::ofMillis).toArray(Duration[]::new);

    /** The phases of a migration as libpcm times them (MigrationTimes), in order. */
    static final String[] PHASES = {"decide", "spawn", "merge", "transfer", "resume", "total"};

    private void gauge(String name, String help, ToDoubleFunction<NodeProfile> f) {
        Gauge.builder(name, this, m -> {
            NodeSample s = m.last;
            return s == null || s.profile() == null ? Double.NaN : f.applyAsDouble(s.profile());
        }).description(help).register(registry);
    }

    private void sampleGauge(String name, String help, ToDoubleFunction<NodeSample> f) {
        Gauge.builder(name, this, m -> m.last == null ? Double.NaN : f.applyAsDouble(m.last))
                .description(help).register(registry);
    }

    private Counter stealCounter(StealEvent e) {
        return Counter.builder("roam.steal.requests").tag("event", e.name().toLowerCase(Locale.ROOT))
                .description("work-stealing requests: sent as thief, received, forwarded, refused or answered with"
                        + " an offer as victim").register(registry);
    }

    private Counter migrationCounter(MigrationEvent.Phase outcome) {
        return Counter.builder("roam.migrations").tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .description("migrations this agent was the source of, by outcome").register(registry);
    }

    private Counter profilingCounter(String kind) {
        return Counter.builder("roam.profiling.samples").tag("kind", kind)
                .description("profiling samples: node samples and process heartbeats").register(registry);
    }

    private Timer phaseTimer(String phase) {
        return Timer.builder("roam.migration.phase").tag("phase", phase)
                .description("duration of each phase of a completed migration, as libpcm reports it")
                .serviceLevelObjectives(PHASE_BUCKETS)
                .register(registry);
    }

    private DistributionSummary stateBytes() {
        return DistributionSummary.builder("roam.migration.state").baseUnit("bytes")
                .description("state bytes transferred by a completed migration").register(registry);
    }

    /** The agent's node sample: backs the node and cluster gauges. */
    public void sampled(NodeSample sample) {
        last = sample;
        profilingCounter("node").increment();
    }

    public void heartbeat() {
        profilingCounter("process").increment();
    }

    public void steal(StealEvent e) {
        stealCounter(e).increment();
    }

    public void migrationsInProgress(int n) {
        migrationsInProgress = n;
    }

    /** A migration ended (DONE or FAILED): its outcome, and on DONE each phase's duration. */
    public void migrationEnded(MigrationEvent e) {
        if (!e.phase().terminal()) {
            return;
        }
        migrationCounter(e.phase()).increment();
        MigrationTimes t = e.times();
        if (e.phase() == MigrationEvent.Phase.DONE && t != null) {
            long[] at = {t.tOrder(), t.tDecided(), t.tSpawned(), t.tMerged(), t.tTransferred(), t.tResumed()};
            for (int i = 0; i < 5; i++) {
                record(PHASES[i], at[i + 1] - at[i]);
            }
            record("total", t.tResumed() - t.tOrder());
            stateBytes().record(t.stateBytes());
        }
    }

    private void record(String phase, long nanos) {
        if (nanos >= 0) {
            phaseTimer(phase).record(Duration.ofNanos(nanos));
        }
    }

    /**
     * The latest iteration time of rank {@code rank} of {@code job}, running here on {@code node}:
     * one series {@code roam_job_iteration_seconds{job_id,rank,node}} per rank registered with
     * this agent, removed when its process leaves (at most {@link #MAX_RANK_SERIES}). The label is
     * job_id, not job: Prometheus gives every scraped series a "job" label of its own.
     */
    public void iteration(String job, int rank, String node, double seconds) {
        if (!(seconds > 0)) {
            return;
        }
        double[] held = iterations.get(job + "/" + rank);
        if (held == null) {
            if (iterations.size() >= MAX_RANK_SERIES) {
                return;
            }
            double[] fresh = {seconds};
            iterations.put(job + "/" + rank, fresh);
            Gauge.builder("roam.job.iteration", fresh, v -> v[0]).baseUnit("seconds")
                    .tags("job_id", job, "rank", Integer.toString(rank), "node", node)
                    .description("latest iteration time of each rank running on this node, from its heartbeats")
                    .register(registry);
            return;
        }
        held[0] = seconds;
    }

    /** The process of rank {@code rank} of {@code job} left this node: its series goes. */
    public void rankGone(String job, int rank) {
        if (iterations.remove(job + "/" + rank) != null) {
            registry.find("roam.job.iteration").tags("job_id", job, "rank", Integer.toString(rank)).meters()
                    .forEach(registry::remove);
        }
    }

    /** Every meter in Prometheus text format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }
}
