package io.roam.agents;

import io.roam.decision.GrowGain;
import io.roam.protocol.AgentMessage.ResizeJob;
import io.roam.protocol.ResizeEvent;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The agent's own decision to grow its malleable jobs onto free slots, typically those of a
 * node that joined (roam.agent.grow.on-join). At most every {@code interval}, when the agent
 * has a check for it, it gathers the cluster's status, plans ({@link GrowPlanner}) and orders
 * each grow as {@code roam resize} would ({@link ResizeJob} to the agent itself, which holds
 * rank 0: {@link AgentResizes} checks it and runs it). One check at a time; a job's grow in
 * flight is not planned again, and its end starts the job's settle time anew. With the gain
 * model on (roam.agent.grow.gain) a job grows only after {@code checks} checks in a row predicted
 * that its grow pays ({@link io.roam.decision.GrowGain}); a job of this agent that has a free
 * slot but whose grow does not pay is logged (INFO) each time the reason changes. With
 * roam.agent.grow.shrink-slow it also shrinks a job by its highest rank when the same model
 * predicts that the others do better without it (the rank runs on a slow node), after as many
 * checks. A child of the agent; the plans and the model are plain classes.
 */
public final class AutoGrow extends AbstractBehavior<AutoGrow.Command> {
    public sealed interface Command {
    }

    /**
     * From the agent: what it knows of its jobs (hosts from REGISTER; the end of each job's last
     * resize ordered here; the jobs resizing now).
     */
    record Check(Map<String, List<String>> jobHosts, Map<String, Long> lastResizeMillis, Set<String> resizing)
            implements Command {
    }

    private record Status(ClusterQueries.ClusterStatus status, Check check, Throwable failure) implements Command {
    }

    private record Event(ResizeEvent event) implements Command {
    }

    /** roam.agent.grow, validated; {@code gain} is null with the gain model off. */
    record Settings(boolean onJoin, Duration settle, Duration interval, int maxProcesses, GrowGain.Settings gain,
                    int checks, boolean shrinkSlow) {
        static Settings from(com.typesafe.config.Config root) {
            io.roam.config.Settings s = io.roam.config.Settings.of(root, "roam.agent.grow");
            boolean on = s.flag("gain");
            boolean shrinkSlow = s.flag("shrink-slow");
            if (shrinkSlow && !on) {
                throw s.bad("shrink-slow", "true only with roam.agent.grow.gain = true (the shrink is the model's "
                        + "decision), else false");
            }
            GrowGain.Settings model = new GrowGain.Settings(s.number("min-speedup", 1, 100),
                    s.duration("resize-cost", Duration.ZERO, Duration.ofMinutes(10)),
                    s.bytes("redistribution-rate", 1024, 100L << 30, "1 KiB to 100 GiB (per second)"),
                    s.duration("payback-horizon", Duration.ofSeconds(1), Duration.ofHours(24)));
            return new Settings(s.flag("on-join"), s.duration("settle", Duration.ZERO, Duration.ofHours(1)),
                    s.duration("interval", Duration.ofMillis(100), Duration.ofHours(1)),
                    s.integer("max-processes", 0, 1 << 20), on ? model : null, s.integer("checks", 1, 100),
                    shrinkSlow);
        }
    }

    private final ClusterQueries queries;
    private final String selfAddress;
    private final ActorRef<NodeAgent.Command> agent;
    private final Settings settings;
    private final ActorRef<ResizeEvent> events;
    private final Set<String> ordered = new HashSet<>();
    /** When each job's last grow ordered here ended (a refusal too: it is not tried again within the settle time). */
    private final Map<String, Long> ended = new java.util.HashMap<>();
    /** Per job of this agent, how many checks in a row predicted that its grow pays (gain model on). */
    private final Map<String, Integer> paying = new java.util.HashMap<>();
    /** Per job of this agent, how many checks in a row predicted that shrinking it pays (shrink-slow). */
    private final Map<String, Integer> shrinkPaying = new java.util.HashMap<>();
    /** Per job of this agent, the reasons its declined grows and shrinks were logged for. */
    private final DeclineLog declinedSaid = new DeclineLog(60_000);
    private boolean asking;
    private long lastCheckNanos = Long.MIN_VALUE / 2;

    static Behavior<Command> create(ClusterQueries queries, String selfAddress, ActorRef<NodeAgent.Command> agent,
                                    Settings settings) {
        return Behaviors.setup(ctx -> new AutoGrow(ctx, queries, selfAddress, agent, settings));
    }

    private AutoGrow(ActorContext<Command> ctx, ClusterQueries queries, String selfAddress,
                     ActorRef<NodeAgent.Command> agent, Settings settings) {
        super(ctx);
        ctx.setLoggerName(AutoGrow.class);
        this.queries = queries;
        this.selfAddress = selfAddress;
        this.agent = agent;
        this.settings = settings;
        this.events = ctx.messageAdapter(ResizeEvent.class, Event::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Check.class, this::onCheck)
                .onMessage(Status.class, this::onStatus)
                .onMessage(Event.class, e -> onEvent(e.event()))
                .build();
    }

    private Behavior<Command> onCheck(Check c) {
        long now = System.nanoTime();
        if (asking || now - lastCheckNanos < settings.interval().toNanos()) {
            return this;
        }
        asking = true;
        lastCheckNanos = now;
        getContext().pipeToSelf(queries.status(), (s, t) -> new Status(s, c, t));
        return this;
    }

    private Behavior<Command> onStatus(Status s) {
        asking = false;
        if (s.failure() != null) {
            getContext().getLog().debug("grow check: no cluster status: {}", s.failure().toString());
            return this;
        }
        Map<String, Long> last = new java.util.HashMap<>(s.check().lastResizeMillis());
        ended.forEach((job, at) -> last.merge(job, at, Math::max));
        long now = System.currentTimeMillis();
        if (settings.shrinkSlow()) {
            GrowPlanner.ShrinkPlan shrinks = GrowPlanner.shrinks(s.status().nodes(), local(s.check(), last), now,
                    settings.settle(), settings.gain());
            said(shrinks.declined(), "shrink", "shrink-slow");
            keepRows(shrinkPaying, shrinks.shrinks().stream().map(GrowPlanner.Shrink::jobId), shrinks.unjudged(),
                    "shrink");
            for (GrowPlanner.Shrink k : shrinks.shrinks()) {
                if (evidence(shrinkPaying, k.jobId(), k.describe())) {
                    getContext().getLog().info("shrinking {}: fewer, faster ranks (roam.agent.grow.shrink-slow)",
                            k.describe());
                    order(k.jobId(), k.newSize(), List.of());
                }
            }
        }
        if (!settings.onJoin()) {
            return this;
        }
        GrowPlanner.Plan plan = GrowPlanner.plan(s.status().nodes(), local(s.check(), last), now,
                settings.settle(), settings.maxProcesses(), settings.gain());
        said(plan.declined(), "grow", "gain");
        keepRows(paying, plan.grows().stream().map(GrowPlanner.Grow::jobId), plan.unjudged(), "grow");
        for (GrowPlanner.Grow g : plan.grows()) {
            if (settings.gain() == null || evidence(paying, g.jobId(), g.describe())) {
                getContext().getLog().info("growing {} onto free slots (roam.agent.grow.on-join)", g.describe());
                order(g.jobId(), g.newSize(), g.hosts());
            }
        }
        return this;
    }

    /** What the planner is told of this agent's jobs: their hosts, the end of their last resize, those resizing. */
    private GrowPlanner.Local local(Check c, Map<String, Long> last) {
        Set<String> resizing = new HashSet<>(c.resizing());
        resizing.addAll(ordered);
        return new GrowPlanner.Local(selfAddress, c.jobHosts(), last, resizing);
    }

    /**
     * Ends the row of paying checks of every job this check did not find paying, but for the jobs
     * it could not judge (the status lacks some of their ranks: a node slow to answer, as a
     * throttled one is): their row is kept, neither raised nor reset, so that a node that
     * answers only now and then cannot hold a change off.
     */
    private void keepRows(Map<String, Integer> counts, java.util.stream.Stream<String> paying,
                          Map<String, String> unjudged, String doing) {
        unjudged.forEach((job, why) -> getContext().getLog().debug("{} of job {} not judged: {}", doing, job, why));
        Set<String> keep = new HashSet<>(unjudged.keySet());
        paying.forEach(keep::add);
        counts.keySet().retainAll(keep);
    }

    /** Counts one more check that predicts the change pays; true once {@code checks} in a row did (then starts anew). */
    private boolean evidence(Map<String, Integer> counts, String job, String what) {
        int n = counts.merge(job, 1, Integer::sum);
        if (n < settings.checks()) {
            getContext().getLog().debug("{}: check {} of {} that predicts a gain", what, n, settings.checks());
            return false;
        }
        counts.remove(job);
        declinedSaid.forget(job);
        return true;
    }

    /**
     * Logs (INFO) why each of this agent's jobs is not resized: once per reason, and again when
     * the predicted speedup moves by a quarter or more, at most once a minute ({@link DeclineLog}).
     */
    private void said(Map<String, GrowGain.Estimate> declined, String doing, String key) {
        declined.forEach((job, est) -> {
            double ratio = est.beforeSeconds() / est.afterSeconds();
            String rule = est.veto().split("[:(]")[0];   // the rule, not its figures
            int band = ratio > 0 && Double.isFinite(ratio) ? (int) Math.floor(Math.log(ratio) / Math.log(1.25)) : 0;
            if (declinedSaid.shouldSay(doing + " " + job, rule, band, System.currentTimeMillis())) {
                getContext().getLog().info("no {} of job {}: {} (roam.agent.grow.{})", doing, job, est.describe(), key);
            }
        });
    }

    private void order(String job, int newSize, List<String> hosts) {
        ordered.add(job);
        agent.tell(new NodeAgent.Wire(new ResizeJob(job, newSize, hosts, events)));
    }

    private Behavior<Command> onEvent(ResizeEvent e) {
        if (e.phase().terminal()) {
            ordered.remove(e.jobId());
            ended.put(e.jobId(), System.currentTimeMillis());
            getContext().getLog().info("resize of job {} ({} -> {}): {} {}", e.jobId(), e.oldSize(), e.newSize(),
                    e.phase(), e.detail() == null ? "" : e.detail());
        }
        return this;
    }
}
