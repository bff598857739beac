package io.roam.stealing;

import io.roam.decision.Strategy;
import io.roam.decision.SwapDecision;
import io.roam.decision.SwapSituation;
import io.roam.decision.Weights;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.JobRank;
import io.roam.stealing.StealMessage.StealAnswer;
import io.roam.stealing.StealMessage.StealOutcome;
import io.roam.stealing.StealMessage.StealRefused;
import io.roam.stealing.StealMessage.SwapHint;
import io.roam.stealing.StealMessage.SwapOffer;
import io.roam.stealing.StealMessage.SwapRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * The informed protocol's swaps ({@code roam.stealing.swaps}), both roles of one node, as a
 * plain state machine that {@link StealingNode} drives:
 * <ul>
 * <li><b>initiator</b>: a node whose load by work ({@link Weights}) is below its estimate of the
 * average ({@link SwapGossip}) and that is neither stealing nor swapping asks, of two
 * overloaded nodes picked at random among those it heard of with which a swap looks possible,
 * the one a swap would relieve more ({@link #score}), offering its ranks free to move; on an
 * offer it reserves the rank asked back, orders its move at once and accepts; one swap at a time;
 * a refused hint is not asked again for three periods, and after three refusals in a row it backs
 * off as a thief does;</li>
 * <li><b>responder</b>: its strategy judges the pair ({@link Strategy#decideSwap}) on the loads
 * as they will be once the moves it already promised end; the rank it gives is reserved in its
 * {@link Victim} (so neither a steal nor another swap takes it, and the job's migration limit and
 * move budget count it), and ordered when the initiator accepts.</li>
 * </ul>
 * The moves' ends travel as {@link StealOutcome}s, so each node records the arrival of the rank it
 * received (against ping-pong) as for a steal.
 */
public final class Swaps {
    private enum State { IDLE, WAITING, ACCEPTED }

    /** What handling a message led to: the message to send and the migration to order (each null if none). */
    public record Step(Outgoing outgoing, Victim.MigrateOrder order, SwapDecision decision) {
        static final Step NOTHING = new Step(null, null, null);
    }

    /**
     * An offer of this node: to whom, the weight of the rank that comes back (0 none), since when,
     * accepted yet, whether a rank comes back at all.
     */
    private record Promised(String initiator, double work, long since, boolean accepted, boolean back) {
    }

    private final String address;
    private final StealSettings settings;
    private final Strategy strategy;
    private final RandomGenerator rnd;
    private final Victim victim;
    private final SwapGossip gossip;
    private final long idBase;
    private long counter;
    private State state = State.IDLE;
    private long swapId;
    private String peer;
    private long since;
    private int refusals;
    private long notBefore;
    private final Map<String, Long> refusedUntil = new HashMap<>();
    private final Map<Long, Promised> promised = new HashMap<>();
    /** The ranks here when last seen, and when they last changed (ms). */
    private Set<JobRank> lastRanks = Set.of();
    private long lastChange = Long.MIN_VALUE / 2;
    /** Counters, for status and the simulator. */
    public long requests;
    public long offers;
    public long refused;
    public long accepted;

    public Swaps(String address, StealSettings settings, Strategy strategy, RandomGenerator rnd, Victim victim,
                 SwapGossip gossip) {
        this.address = address;
        this.settings = settings;
        this.strategy = strategy;
        this.rnd = rnd;
        this.victim = victim;
        this.gossip = gossip;
        this.idBase = (((long) address.hashCode() & 0x7fff_ffffL) << 32) | 0x8000_0000L;
    }

    /** True while a swap this node asked for is outstanding. */
    public boolean busy() {
        return state != State.IDLE;
    }

    /** Whether {@code id} is the swap this node asked for. */
    boolean owns(long id) {
        return state != State.IDLE && id == swapId;
    }

    /**
     * One period (when the node's thief is idle): times out what waited too long, then, if this
     * node is below the average and idle, the swap request to the better of two hinted nodes.
     */
    public Optional<Outgoing> tick(long now, StealingNode.Local local, Observations observations) {
        expire(now);
        if (state == State.WAITING && now - since > settings.replyTimeout().toMillis()
                || state == State.ACCEPTED && now - since > settings.migrationTimeout().toMillis()) {
            state = State.IDLE;
            backOff(now);
        }
        if (!settled(now, local.processes()) || state != State.IDLE || now < notBefore) {
            return Optional.empty();
        }
        NodeProfile self = local.profile();
        double load = Weights.load(local.processes(), self);
        double average = gossip.average();
        if (load < 0 || !(average > 0) || !(load < average)) {
            return Optional.empty();
        }
        refusedUntil.values().removeIf(t -> t <= now);
        List<SwapHint> from = gossip.known().stream()
                .filter(h -> !h.node().address().equals(address) && !refusedUntil.containsKey(h.node().address()))
                .toList();
        List<SwapHint> feasible = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        for (SwapHint h : from) {
            double sc = score(h, load, self, local.processes(), average);
            if (sc < Double.POSITIVE_INFINITY) {
                feasible.add(h);
                scores.add(sc);
            }
        }
        if (feasible.isEmpty()) {
            return Optional.empty();
        }
        // power of two choices among the feasible: the one relieved most of two picked at random
        // (the best of all would send every initiator to the same few nodes)
        int a = rnd.nextInt(feasible.size());
        int b = rnd.nextInt(feasible.size());
        SwapHint to = feasible.get(scores.get(b) < scores.get(a) ? b : a);
        List<JobRank> offered = new ArrayList<>();
        Set<JobRank> busy = new HashSet<>(victim.reservedRanks());
        for (ProcessProfile p : local.processes()) {
            JobRank k = new JobRank(p.jobId(), p.rank());
            if (!busy.contains(k) && Weights.of(p, self) >= 0
                    && observations.heldBack(p, to.node().address(), now) == null) {
                offered.add(k);
            }
        }
        state = State.WAITING;
        swapId = idBase | (++counter & 0x7fff_ffffL);
        peer = to.node().address();
        since = now;
        requests++;
        return Optional.of(new Outgoing(peer, new SwapRequest(swapId, address, self, local.processes(), offered)));
    }

    /**
     * What this node expects a swap with the hinted node to change in that node's load, from the
     * hint (its load, its largest and smallest ranks): the larger of the two loads after, minus
     * the hinted node's load now, at best over taking its largest or its smallest rank and giving
     * back each own rank or none; infinite when no such pair leaves this node within swap-above x
     * {@code average} (or, pulling, with no more ranks than that node keeps: the judge's exception)
     * and lowers the larger load by swap-min-gain (then it is not asked). Lower is better: the
     * most relief.
     */
    double score(SwapHint h, double load, NodeProfile self, List<ProcessProfile> own, double average) {
        if (!(h.capacity() > 0) || !(self.capacity() > 0)) {
            return Double.POSITIVE_INFINITY;
        }
        double best = Double.POSITIVE_INFINITY;
        double bound = settings.swapAbove() * average;
        double before = Math.max(h.load(), load);
        for (double take : new double[] {h.largest(), h.smallest()}) {
            for (int i = -1; i < own.size(); i++) {
                boolean pull = i < 0;   // nothing back
                double w = pull ? 0 : Weights.of(own.get(i), self);
                if (w < 0 || w >= take) {
                    continue;
                }
                double there = h.load() + (w - take) / h.capacity();
                double here = load + (take - w) / self.capacity();
                double after = Math.max(there, here);
                // an exchange with a node that has more ranks must settle both (the judge's rule)
                boolean settles = pull || after <= bound || h.ranks() <= own.size();
                boolean evens = pull && own.size() + 1 <= h.ranks() - 1;   // the judge's exception to the bound
                if ((here <= bound || evens) && settles && after <= before * (1 - settings.swapMinGain())
                        && after < best) {
                    best = after;
                }
            }
        }
        return best - h.load();
    }

    /** A swap request to this node: an offer of the pair its strategy picks, or a refusal. */
    public Step onRequest(SwapRequest r, long now, StealingNode.Local local, Neighbourhood n) {
        expire(now);
        if (r.initiator().equals(address)) {
            return refuse(r, "a node does not swap with itself", false, null);
        }
        if (!settled(now, local.processes())) {
            return refuse(r, "not yet: its ranks changed less than a period ago, its profile does not show it yet",
                    true, null);
        }
        NodeProfile self = local.profile();
        List<String> held = new ArrayList<>();
        List<ProcessProfile> candidates = victim.free(local.processes(), r.initiator(), r.initiatorProfile().host(),
                local.jobHosts(), n, now, held);
        Set<JobRank> offered = Set.copyOf(r.offered());
        List<ProcessProfile> back = r.initiatorProcesses().stream()
                .filter(p -> offered.contains(new JobRank(p.jobId(), p.rank())))
                .filter(p -> hostAllowed(p, self.host(), local.jobHosts())).toList();
        double extra = 0;
        for (Promised p : promised.values()) {
            extra += p.accepted() ? p.work() : 0;
        }
        Set<JobRank> leaving = Set.copyOf(victim.reservedRanks());
        for (ProcessProfile p : local.processes()) {
            if (leaving.contains(new JobRank(p.jobId(), p.rank()))) {
                extra -= Math.max(0, Weights.of(p, self));
            }
        }
        SwapDecision d = strategy.decideSwap(new SwapSituation(self, local.processes(), candidates, extra,
                r.initiatorProfile(), r.initiatorProcesses(), back,
                local.bytesPerSec().getOrDefault(r.initiator(), -1.0), gossip.average(), settings.swapAbove(),
                settings.swapMinGain()));
        if (d.choice().isEmpty()) {
            String why = d.reason() + (held.isEmpty() ? "" : "; held back: " + String.join("; ", held));
            return refuse(r, why, d.reason().startsWith("no data"), d);
        }
        SwapDecision.Pair p = d.choice().get();
        if (!victim.reserve(r.swapId(), r.initiator(), p.give().jobId(), p.give().rank(), now)) {
            return refuse(r, "rank " + p.give().rank() + " of " + p.give().jobId() + " is busy", true, d);
        }
        double work = p.take() == null ? 0 : Math.max(0, Weights.of(p.take(), r.initiatorProfile()));
        promised.put(r.swapId(), new Promised(r.initiator(), work, now, false, p.take() != null));
        offers++;
        return new Step(new Outgoing(r.initiator(), new SwapOffer(r.swapId(), address, p.give().jobId(),
                p.give().rank(), p.take() == null ? null : p.take().jobId(), p.take() == null ? -1 : p.take().rank(),
                d.reason())), null, d);
    }

    private Step refuse(SwapRequest r, String why, boolean pending, SwapDecision d) {
        refused++;
        return new Step(new Outgoing(r.initiator(), new StealRefused(r.swapId(), address, why, pending)), null, d);
    }

    private static boolean hostAllowed(ProcessProfile p, String host, Map<String, List<String>> jobHosts) {
        List<String> hosts = jobHosts.get(p.jobId());
        return hosts == null || hosts.isEmpty() || hosts.contains(host);
    }

    /**
     * The offer of the node this one asked: it accepts if it still waits for it and the rank
     * asked back is here and free (then that rank's move is ordered now), else declines.
     */
    public Step onOffer(SwapOffer o, long now, StealingNode.Local local, Observations observations) {
        String reason = null;
        ProcessProfile back = null;
        if (state != State.WAITING || o.swapId() != swapId || !o.node().equals(peer)) {
            reason = "not waiting for swap " + Long.toHexString(o.swapId());
        } else if (o.withReturn()) {
            back = local.processes().stream()
                    .filter(p -> p.jobId().equals(o.backJobId()) && p.rank() == o.backRank()).findFirst().orElse(null);
            if (back == null) {
                reason = "rank " + o.backRank() + " of " + o.backJobId() + " is no longer here";
            } else if (observations.heldBack(back, o.node(), now) != null
                    || !victim.reserve(o.swapId(), o.node(), back.jobId(), back.rank(), now)) {
                reason = "rank " + o.backRank() + " of " + o.backJobId() + " is busy or held back";
            }
        }
        if (reason != null) {
            if (o.swapId() == swapId && state == State.WAITING) {
                state = State.IDLE;
            }
            return new Step(new Outgoing(o.node(), new StealAnswer(o.swapId(), address, false, reason)), null, null);
        }
        Victim.MigrateOrder order = back == null ? null : victim.order(o.swapId()).orElse(null);
        state = State.ACCEPTED;
        since = now;
        accepted++;
        return new Step(new Outgoing(o.node(), new StealAnswer(o.swapId(), address, true, "accepted")), order, null);
    }

    /** A refusal: true if it answered this node's swap (the hint is dropped, and it may back off). */
    public boolean onRefused(StealRefused r, long now) {
        if (state != State.WAITING || r.stealId() != swapId) {
            return false;
        }
        state = State.IDLE;
        if (!r.pending()) {
            gossip.refusedBy(r.victim());
            refusedUntil.put(r.victim(), now + 3 * settings.period().toMillis() + 1000);
            backOff(now);
        }
        return true;
    }

    /** The initiator's answer to an offer of this node (after {@link Victim#onAnswer} ordered its move if accepted). */
    public void onAnswer(StealAnswer a) {
        Promised p = promised.get(a.stealId());
        if (p == null || !p.initiator().equals(a.thief())) {
            return;
        }
        if (a.accept() && p.back()) {
            promised.put(a.stealId(), new Promised(p.initiator(), p.work(), p.since(), true, true));
        } else {   // declined, or a pull: nothing comes back
            promised.remove(a.stealId());
        }
    }

    /**
     * The end of a move of a swap of this node's: from the node it asked (its swap is settled) or
     * from an initiator whose rank was promised here. True if it was one (the caller records an
     * arrival if the rank moved).
     */
    public boolean onOutcome(StealOutcome o, long now) {
        if (state == State.ACCEPTED && o.stealId() == swapId && o.victim().equals(peer)) {
            state = State.IDLE;
            if (o.migrated()) {
                refusals = 0;
            } else {
                backOff(now);
            }
            return true;
        }
        Promised p = promised.get(o.stealId());
        if (p != null && p.initiator().equals(o.victim())) {
            promised.remove(o.stealId());
            return true;
        }
        return false;
    }

    /**
     * Whether this node's ranks have stayed the same for a stealing period: until then the
     * profile of the ranks that stayed does not show the change yet (their rates are over the
     * last period), so neither its load nor theirs is known.
     */
    private boolean settled(long now, List<ProcessProfile> own) {
        Set<JobRank> ranks = new HashSet<>();
        for (ProcessProfile p : own) {
            ranks.add(new JobRank(p.jobId(), p.rank()));
        }
        if (!ranks.equals(lastRanks)) {
            lastRanks = ranks;
            lastChange = now;
        }
        return now - lastChange >= settings.period().toMillis();
    }

    /** Promises not answered within the reply timeout, or not ended within the migration timeout, are dropped. */
    public void expire(long now) {
        promised.values().removeIf(p -> now - p.since() > (p.accepted() ? settings.migrationTimeout().toMillis()
                : settings.replyTimeout().toMillis()));
    }

    private void backOff(long now) {
        refusals++;
        notBefore = now + settings.backoff(refusals - 3).toMillis();
    }
}
