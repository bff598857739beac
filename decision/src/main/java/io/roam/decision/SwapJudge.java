package io.roam.decision;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a node judges a swap as a pair of moves (the strategies' {@link Strategy#decideSwap}):
 * for each of its candidates {@code g} and each rank {@code t} the initiator offered (or none),
 * the loads of both nodes after {@code g} goes there and {@code t} comes here. A pair is
 * allowed when
 * <ul>
 * <li>every weight involved is known (rates of two samples), and each node has the memory for
 * the rank it receives;</li>
 * <li>the larger of the two loads drops by at least {@code minGain} of what it was;</li>
 * <li>the node whose load rises (the initiator, as a rule) ends at most {@code above} x the
 * average (when the average is known): a swap never makes a new overloaded node, with one
 * exception, taken only when no other pair is allowed: a pull that leaves the initiator with no
 * more ranks than this node keeps (a node with one rank too many and a node with one too few
 * whose ranks are too large to fit under the bound together: the larger load still drops, and
 * an exchange settles the new pair later); and an exchange (a rank back) with a node that has
 * fewer ranks than this one leaves both nodes at most there (this node needs to give a rank,
 * not to exchange one: an exchange that does not settle it moves ranks for nothing);</li>
 * <li>the moves pay back: the longer of the two moves (state / transfer rate + spawn-cost) over
 * the share of the larger load saved is at most payback-horizon.</li>
 * </ul>
 * Of the allowed pairs the one with the lowest larger load wins; ties: no rank back (one move
 * instead of two), then the smaller state, rank and job id.
 */
public final class SwapJudge {
    private static final Comparator<SwapDecision.Pair> BEST_FIRST = Comparator
            .comparingDouble(SwapDecision.Pair::after)
            .thenComparing((SwapDecision.Pair p) -> p.take() != null)
            .thenComparingLong(p -> p.give().stateBytes() + (p.take() == null ? 0 : p.take().stateBytes()))
            .thenComparingInt(p -> p.give().rank())
            .thenComparing(p -> p.give().jobId())
            .thenComparingInt(p -> p.take() == null ? -1 : p.take().rank())
            .thenComparing(p -> p.take() == null ? "" : p.take().jobId());

    private final DecisionSettings settings;

    public SwapJudge(DecisionSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The best allowed pair, or none and why. */
    public SwapDecision decide(SwapSituation s) {
        NodeProfile here = s.local();
        NodeProfile there = s.initiator();
        double localWork = Weights.work(s.localProcesses(), here);
        double initiatorWork = Weights.work(s.initiatorProcesses(), there);
        if (localWork < 0 || initiatorWork < 0) {
            return none("no data yet: the rates of a process " + (localWork < 0 ? "here" : "on the initiator")
                    + " are unknown until two samples, so its weight is");
        }
        if (!(here.capacity() > 0) || !(there.capacity() > 0)) {
            return none("no capacity known");
        }
        double localLoad = Math.max(0, localWork + s.localExtraWork()) / here.capacity();
        double initiatorLoad = initiatorWork / there.capacity();
        double before = Math.max(localLoad, initiatorLoad);
        double bound = s.averageLoad() > 0 ? s.above() * s.averageLoad() : Double.POSITIVE_INFINITY;
        Loads loads = new Loads(localLoad, initiatorLoad, before, bound);
        String[] why = {s.localCandidates().isEmpty() ? "no rank here may move" : null};
        List<SwapDecision.Pair> allowed = pairs(s, loads, false, why);
        if (allowed.isEmpty()) {
            allowed = pairs(s, loads, true, why);
        }
        Optional<SwapDecision.Pair> best = allowed.stream().min(BEST_FIRST);
        if (best.isEmpty()) {
            return none(IosModel.fmt("no pair lowers the larger load %.4g s (here %.4g, initiator %.4g, bound %.4g):"
                    + " %s", before, localLoad, initiatorLoad, bound, why[0] == null ? "none allowed" : why[0]));
        }
        SwapDecision.Pair p = best.get();
        return new SwapDecision(best, IosModel.fmt("rank %d of %s there%s: larger load %.4g -> %.4g s (here %.4g,"
                        + " initiator %.4g, bound %.4g), pays back in %.1f s", p.give().rank(), p.give().jobId(),
                p.take() == null ? ", nothing back" : ", rank " + p.take().rank() + " of " + p.take().jobId() + " back",
                before, p.after(), p.localAfter(), p.initiatorAfter(), bound, p.paybackSeconds()));
    }

    /** The two nodes' loads now (s per iteration), the larger of them, and the bound. */
    private record Loads(double local, double initiator, double before, double bound) {
    }

    /**
     * The allowed pairs; {@code relaxed}: with the exception to the bound (a pull that evens the
     * rank counts). The first reason a pair was not allowed goes to {@code why[0]}.
     */
    private List<SwapDecision.Pair> pairs(SwapSituation s, Loads l, boolean relaxed, String[] why) {
        NodeProfile here = s.local();
        NodeProfile there = s.initiator();
        List<ProcessProfile> takes = new ArrayList<>(s.initiatorCandidates());
        takes.add(null);
        List<SwapDecision.Pair> allowed = new ArrayList<>();
        for (ProcessProfile g : s.localCandidates()) {
            double wg = Weights.of(g, here);
            if (wg < 0) {
                why[0] = why[0] == null ? "no data yet for rank " + g.rank() + " of " + g.jobId() : why[0];
                continue;
            }
            for (ProcessProfile t : takes) {
                double wt = t == null ? 0 : Weights.of(t, there);
                if (wt < 0) {
                    continue;
                }
                double localAfter = l.local() + (wt - wg) / here.capacity();
                double initiatorAfter = l.initiator() + (wg - wt) / there.capacity();
                double after = Math.max(localAfter, initiatorAfter);
                double risen = Math.max(localAfter > l.local() ? localAfter : 0,
                        initiatorAfter > l.initiator() ? initiatorAfter : 0);
                String veto = veto(g, t, s, l.before(), after, risen, l.bound(), relaxed);
                if (veto != null) {
                    why[0] = why[0] == null || why[0].startsWith("no data") ? veto : why[0];
                    continue;
                }
                allowed.add(new SwapDecision.Pair(g, t, localAfter, initiatorAfter, l.before(), after,
                        payback(g, t, s, l.before(), after)));
            }
        }
        return allowed;
    }

    private String veto(ProcessProfile g, ProcessProfile t, SwapSituation s, double before, double after,
                        double risen, double bound, boolean relaxed) {
        if (!(after <= before * (1 - s.minGain()))) {
            return IosModel.fmt("the larger load would go from %.4g to %.4g s, not below by %.0f %%", before, after,
                    100 * s.minGain());
        }
        boolean evens = t == null && s.initiatorProcesses().size() + 1 <= s.localProcesses().size() - 1;
        if (risen > bound && !(evens && relaxed)) {
            return IosModel.fmt("the node whose load rises would end at %.4g s, above the bound %.4g", risen, bound);
        }
        if (t != null && after > bound && s.localProcesses().size() > s.initiatorProcesses().size()) {
            return IosModel.fmt("an exchange would leave a node at %.4g s, above the bound %.4g, and this node has"
                    + " more ranks than the initiator (it needs to give one, not to exchange one)", after, bound);
        }
        NodeProfile there = s.initiator();
        NodeProfile here = s.local();
        long freedThere = t == null ? 0 : Math.max(0, t.rssBytes());
        if (there.memAvailable() >= 0 && g.rssBytes() >= 0 && there.memAvailable() + freedThere < g.rssBytes()) {
            return "not enough memory on the initiator for rank " + g.rank() + " of " + g.jobId();
        }
        if (t != null && here.memAvailable() >= 0 && t.rssBytes() >= 0
                && here.memAvailable() + Math.max(0, g.rssBytes()) < t.rssBytes()) {
            return "not enough memory here for rank " + t.rank() + " of " + t.jobId();
        }
        double horizon = settings.paybackHorizon().toMillis() / 1000.0;
        double pb = payback(g, t, s, before, after);
        if (!(pb <= horizon)) {
            return IosModel.fmt("does not pay back within %.0f s (%.0f s)", horizon, pb);
        }
        return null;
    }

    /** Seconds of run until the pair has saved its cost: the longer move over the share of the larger load saved. */
    private double payback(ProcessProfile g, ProcessProfile t, SwapSituation s, double before, double after) {
        double rate = s.transferBytesPerSec() > 0 ? s.transferBytesPerSec() : settings.defaultTransferRate();
        double spawn = settings.spawnCost().toNanos() / 1e9;
        double cost = Math.max(0, g.stateBytes()) / rate + spawn;
        if (t != null) {
            cost = Math.max(cost, Math.max(0, t.stateBytes()) / rate + spawn);
        }
        double saved = before > 0 ? 1 - after / before : 0;
        return saved > 0 ? cost / saved : Double.POSITIVE_INFINITY;
    }

    private static SwapDecision none(String why) {
        return new SwapDecision(Optional.empty(), why);
    }
}
