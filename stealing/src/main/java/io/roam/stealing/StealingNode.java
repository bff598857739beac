package io.roam.stealing;

import io.roam.decision.Decision;
import io.roam.decision.Strategy;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.JobRank;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Work stealing for one node, without a transport or a clock: drives the {@link Thief} and
 * the {@link Victim} of the node with its latest {@link Local} state, keeps the views its
 * neighbours sent (forgotten after {@code 3 x period + 1 s}), remembers which steal a
 * migration order belongs to, and keeps the node's {@link Observations}: the windows of
 * samples its victim decides on (each own process's processing, from every profile of this
 * node it is given; each neighbour's offer, from its views) and the ranks that arrived here
 * by a steal its thief accepted (when, from which victim), which its victim consults
 * against ping-pong. The agent's {@code Stealer} actor and the simulator both run it; they
 * only carry the messages it returns and run the migrations it orders.
 */
public final class StealingNode {
    /**
     * What the node knows of itself at one sample. Links: latency (ms) and transfer rate (B/s)
     * by address; absent = unknown. {@code jobHosts}: the hosts a job may run on (those mpirun
     * was given: a rank cannot be started elsewhere), by job; a job absent may go anywhere.
     */
    public record Local(NodeInfo self, NodeProfile profile, List<ProcessProfile> processes, List<NodeInfo> neighbours,
                        List<NodeInfo> otherClusterManagers, Map<String, Double> latencyMillis,
                        Map<String, Double> bytesPerSec, Map<String, List<String>> jobHosts) {
        /** A node whose jobs may go anywhere (the simulator's). */
        public Local(NodeInfo self, NodeProfile profile, List<ProcessProfile> processes, List<NodeInfo> neighbours,
                     List<NodeInfo> otherClusterManagers, Map<String, Double> latencyMillis,
                     Map<String, Double> bytesPerSec) {
            this(self, profile, processes, neighbours, otherClusterManagers, latencyMillis, bytesPerSec, Map.of());
        }
    }

    /**
     * What handling one message led to: the message to send (null if none), the migration
     * to order (null if none) and, for a steal request, the victim's decision (null if none).
     */
    public record Handled(Outgoing outgoing, Victim.MigrateOrder order, Decision decision) {
        static final Handled NOTHING = new Handled(null, null, null);
    }

    private final String address;
    private final StealSettings settings;
    private final Thief thief;
    private final Victim victim;
    private final Observations observations;
    private final LoadGossip gossip;
    private final boolean informed;
    private final SwapGossip swapGossip;
    private final Swaps swaps;
    private final boolean swapping;
    private final Map<String, NeighbourView> views = new HashMap<>();
    /** When each view arrived (one-element arrays, updated in place: no boxing per view). */
    private final Map<String, long[]> viewTimes = new HashMap<>();
    /** job/rank -> steal id of the migration ordered for it (a process is in one migration at a time). */
    private final Map<String, Long> stealOfRank = new HashMap<>();

    /** One node; the thief and the victim share {@code rnd}. */
    public StealingNode(String address, StealSettings settings, Strategy strategy, RandomGenerator rnd) {
        this.address = address;
        this.settings = settings;
        this.thief = new Thief(address, settings, rnd);
        this.observations = new Observations(strategy.settings(), settings);
        this.victim = new Victim(address, settings, strategy, rnd, observations);
        this.gossip = new LoadGossip(address, settings, rnd);
        this.informed = settings.protocol() == VictimSelection.INFORMED;
        this.swapGossip = new SwapGossip(address, settings, rnd);
        this.swaps = new Swaps(address, settings, strategy, rnd, victim, swapGossip);
        this.swapping = settings.swapping();
    }

    /**
     * A profile of this node and its processes: one sample of each process's processing (a
     * profile already seen is not sampled again). {@link #tick} and {@link #handle} call it
     * with what they are given; the agent also calls it at every profiling period, so that no
     * sample is missed when the stealing period is longer.
     */
    public void observe(long now, Local local) {
        observations.local(now, local.profile(), local.processes());
    }

    /** The neighbourhood at {@code now}: views older than three periods (plus a second) are dropped. */
    public Neighbourhood neighbourhood(long now, Local local) {
        long maxAge = 3 * settings.period().toMillis() + 1000;
        viewTimes.entrySet().removeIf(e -> {
            if (now - e.getValue()[0] > maxAge && views.remove(e.getKey()) != null) {
                observations.forget(e.getKey());
                gossip.forget(e.getKey());
                swapGossip.forget(e.getKey());
                return true;
            }
            return false;
        });
        return new Neighbourhood(local.self(), local.neighbours(), local.otherClusterManagers(), views,
                local.latencyMillis(), informed ? gossip.known() : List.of());
    }

    /**
     * This node's view, as it tells its neighbours at each period; under the informed protocol
     * with its gossip (the estimate of the average load and the hints of overloaded nodes).
     */
    public NeighbourView view(Local local) {
        List<JobRank> ranks = local.processes().stream().map(p -> new JobRank(p.jobId(), p.rank())).toList();
        if (swapping) {
            return new NeighbourView(address, local.profile(), ranks, victim.migratingJobs(), gossip.average(),
                    gossip.outgoing(local.self()), swapGossip.average(), swapGossip.outgoing(local.self()));
        }
        return informed
                ? new NeighbourView(address, local.profile(), ranks, victim.migratingJobs(), gossip.average(),
                        gossip.outgoing(local.self()))
                : new NeighbourView(address, local.profile(), ranks, victim.migratingJobs());
    }

    /** The informed protocol's gossip of this node (fed only under that protocol). */
    public LoadGossip gossip() {
        return gossip;
    }

    /** The swaps' gossip of this node (fed only with swaps on). */
    public SwapGossip swapGossip() {
        return swapGossip;
    }

    /** The swaps of this node (active only with swaps on). */
    public Swaps swaps() {
        return swaps;
    }

    /**
     * One stealing period: the view to every neighbour, then the thief's request if it steals
     * (always the last element when present, see {@link #isRequest}). With swaps on, a node whose
     * thief is idle first asks for a swap if it is below the average ({@link Swaps#tick}); its
     * thief does not steal in a period it asks for a swap, nor while a swap is under way.
     */
    public List<Outgoing> tick(long now, Local local) {
        observe(now, local);
        victim.expire(now);
        if (informed) {
            gossip.tick(now, local.profile(), local.processes().size());
        }
        if (swapping) {
            swapGossip.tick(now, local.profile(), local.processes());
        }
        NeighbourView mine = view(local);
        List<Outgoing> out = new ArrayList<>(local.neighbours().size() + 1);
        for (NodeInfo n : local.neighbours()) {
            out.add(new Outgoing(n.address(), mine));
        }
        if (swapping && !thief.busy()) {
            Optional<Outgoing> swap = swaps.tick(now, local, observations);
            if (swap.isPresent() || swaps.busy()) {
                swap.ifPresent(out::add);
                return out;
            }
        }
        thief.tick(now, local.profile(), local.processes(), neighbourhood(now, local))
                .map(o -> new Outgoing(o.to(), ((StealMessage.StealRequest) o.message())
                        .withOffer(observations.selfOffer())))
                .ifPresent(out::add);
        return out;
    }

    /** True for a steal request (what {@link #tick} returns last when the thief steals). */
    public static boolean isRequest(Outgoing o) {
        return o.message() instanceof StealMessage.StealRequest;
    }

    /** True for a swap request (what {@link #tick} returns last when the node asks for a swap). */
    public static boolean isSwapRequest(Outgoing o) {
        return o.message() instanceof StealMessage.SwapRequest;
    }

    /** A message from another node; {@code local} is null while this node has no profile yet. */
    public Handled handle(StealMessage m, long now, Local local) {
        if (m instanceof NeighbourView v) {
            views.put(v.address(), v);
            long[] at = viewTimes.get(v.address());
            if (at == null) {
                viewTimes.put(v.address(), new long[] {now});
            } else {
                at[0] = now;
            }
            observations.neighbour(v);
            if (informed) {
                gossip.onView(v, now);
            }
            if (swapping) {
                swapGossip.onView(v, now);
            }
            return Handled.NOTHING;
        }
        if (local == null) {
            return Handled.NOTHING;
        }
        observe(now, local);
        if (m instanceof StealMessage.StealRequest r) {
            Victim.Reaction re = victim.onRequest(r, now, local.profile(), local.processes(), local.jobHosts(),
                    neighbourhood(now, local), local.bytesPerSec().getOrDefault(r.thief(), -1.0),
                    local.latencyMillis().getOrDefault(r.thief(), -1.0));
            return new Handled(re.outgoing(), null, re.decision());
        } else if (m instanceof StealMessage.StealOffer o) {
            return new Handled(thief.onOffer(o, now, local.profile()), null, null);
        } else if (m instanceof StealMessage.SwapRequest r) {
            if (!swapping) {
                return new Handled(new Outgoing(r.initiator(), new StealMessage.StealRefused(r.swapId(), address,
                        "swaps are off here")), null, null);
            }
            Swaps.Step step = swaps.onRequest(r, now, local, neighbourhood(now, local));
            return new Handled(step.outgoing(), null, null);
        } else if (m instanceof StealMessage.SwapOffer o) {
            Swaps.Step step = swaps.onOffer(o, now, local, observations);
            if (step.order() != null) {
                stealOfRank.put(key(step.order().jobId(), step.order().rank()), step.order().stealId());
            }
            return new Handled(step.outgoing(), step.order(), null);
        } else if (m instanceof StealMessage.StealRefused r) {
            if (swaps.onRefused(r, now)) {
                return Handled.NOTHING;
            }
            thief.onRefused(r, now);
            if (informed && !r.pending()) {
                gossip.refusedBy(r.victim());
            }
        } else if (m instanceof StealMessage.StealAnswer a) {
            Optional<Victim.MigrateOrder> order = victim.onAnswer(a);
            swaps.onAnswer(a);
            if (order.isPresent()) {
                stealOfRank.put(key(order.get().jobId(), order.get().rank()), order.get().stealId());
                return new Handled(null, order.get(), null);
            }
        } else if (m instanceof StealMessage.StealOutcome o) {
            boolean mine = thief.onOutcome(o, now) || swaps.onOutcome(o, now);
            if (mine && o.migrated()) {
                observations.arrived(now, o.jobId(), o.rank(), o.victim());
            }
        }
        return Handled.NOTHING;
    }

    /** The steal a migration of this rank was ordered for, if it was. */
    public Optional<Long> stealOf(String jobId, int rank) {
        return Optional.ofNullable(stealOfRank.get(key(jobId, rank)));
    }

    /** A migration ordered by a steal ended: the outcome to send to the thief (empty if it was no steal's). */
    public Optional<Outgoing> migrationEnded(String jobId, int rank, boolean migrated, String detail) {
        Long steal = stealOfRank.remove(key(jobId, rank));
        return steal == null ? Optional.empty() : victim.onMigrationEnded(steal, migrated, detail);
    }

    public Thief thief() {
        return thief;
    }

    public Victim victim() {
        return victim;
    }

    public Observations observations() {
        return observations;
    }

    public String address() {
        return address;
    }

    private static String key(String jobId, int rank) {
        return jobId + "/" + rank;
    }
}
