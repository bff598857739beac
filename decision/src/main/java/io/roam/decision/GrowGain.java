package io.roam.decision;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The gain model of a grow (issue 22): whether adding processes to a malleable job on nodes
 * with free capacity predicts a gain larger than the resize's cost, in the spirit of the
 * migration's evidence rules ({@link EvidenceRules}: a speedup, and a cost paid back within a
 * horizon). Plain class: the agents' grow planner calls it with what the status shows.
 *
 * <p>The model, for a job whose program divides its work evenly among its ranks (a block
 * distribution, as PCM_Redistribute_rows makes it):
 * <ul>
 * <li>Each rank i runs at {@code processing_i} updates/s (the cores it used x its node's speed
 * per core: a polling rank uses all it gets) and computes (outside MPI) {@code computeShare_i}
 * of the job's iteration time T, so it does {@code w_i = computeShare_i x T x processing_i}
 * updates per iteration; the job's work per iteration is W = sum of w_i.</li>
 * <li>T less the largest compute time is the rest (communication and the wait at the
 * iteration's end of the slowest rank): it stays as it is.</li>
 * <li>With n' = n + k processes each does W / n', the old ranks at their rate, each new one at
 * the processing its node offers one more process; the slowest sets the time:
 * T' = max over all (W / n' / rate) + the rest.</li>
 * <li>Saved per second of run: 1 - T' / T. Cost: the job stalls {@code resize-cost} plus the
 * bytes the redistribution moves (of the ranks' registered state, the share a 1-D block
 * redistribution from n to n' blocks moves: {@link #movedShare}) at the redistribution rate.</li>
 * <li>The grow pays when T / T' is at least min-speedup and cost / saved per second (the
 * payback time) is at most the payback horizon.</li>
 * </ul>
 * A shrink ({@link #shrink}) is the same model read backwards: the highest ranks leave, the
 * others share the work.
 */
public final class GrowGain {
    /**
     * One rank as its agent measured it.
     *
     * @param processing       updates/s the rank runs at (cores it used x its node's speed per core)
     * @param computeShare     share of its time outside MPI, 0 to 1
     * @param iterationSeconds the job's iteration time as this rank sees it
     * @param stateBytes       bytes of state it registered with PCM_Store (negative: unknown, counted as 0)
     */
    public record Rank(int rank, double processing, double computeShare, double iterationSeconds, long stateBytes) {
    }

    /**
     * The rules' settings (roam.agent.grow: min-speedup, resize-cost, redistribution-rate,
     * payback-horizon).
     */
    public record Settings(double minSpeedup, Duration resizeCost, long redistributionBytesPerSec,
                           Duration paybackHorizon) {
        public Settings {
            if (!(minSpeedup >= 1) || redistributionBytesPerSec <= 0 || resizeCost.isNegative()
                    || paybackHorizon.isNegative() || paybackHorizon.isZero()) {
                throw new IllegalArgumentException("min-speedup >= 1, a positive rate and horizon, a resize cost >= 0");
            }
        }
    }

    /**
     * A grow's prediction: iteration time before and after, the stall it costs, the share of
     * run time it saves; {@code veto} says why it does not pay (null when it does).
     */
    public record Estimate(int oldSize, int newSize, double beforeSeconds, double afterSeconds, double costSeconds,
                           double savedPerSecond, String veto) {
        public boolean pays() {
            return veto == null;
        }

        /** Run time after which the grow has saved its cost; infinite when it saves nothing. */
        public double paybackSeconds() {
            return savedPerSecond > 0 ? costSeconds / savedPerSecond : Double.POSITIVE_INFINITY;
        }

        /** "2 -> 3 processes: 3.50 -> 2.40 ms per iteration (1.46 x), cost 1.20 s, payback 3.8 s". */
        public String describe() {
            if (Double.isNaN(afterSeconds)) {
                return oldSize + " -> " + newSize + " processes: " + veto;
            }
            String s = String.format(Locale.ROOT, "%d -> %d processes: predicted %.3g -> %.3g ms per iteration "
                            + "(%.2f x), cost %.2f s, saves %.3f s per second of run, payback %.1f s", oldSize, newSize,
                    beforeSeconds * 1e3, afterSeconds * 1e3, beforeSeconds / afterSeconds, costSeconds, savedPerSecond,
                    paybackSeconds());
            return veto == null ? s : s + ": " + veto;
        }
    }

    private GrowGain() {
    }

    /**
     * The prediction for growing the job of {@code ranks} (every rank of it, each once) by one
     * process per entry of {@code newProcessing} (updates/s that node offers one more process).
     */
    public static Estimate grow(List<Rank> ranks, List<Double> newProcessing, Settings s) {
        int n = ranks.size();
        int n2 = n + newProcessing.size();
        if (n == 0 || newProcessing.isEmpty()) {
            return unknown(n, n2, "nothing to grow");
        }
        String unmeasured = unmeasured(ranks);
        if (unmeasured != null) {
            return unknown(n, n2, unmeasured);
        }
        double t = 0;
        double work = 0;
        double slowestCompute = 0;
        long state = 0;
        for (Rank r : ranks) {
            t = Math.max(t, r.iterationSeconds());
            state += Math.max(0, r.stateBytes());
        }
        for (Rank r : ranks) {
            double compute = r.computeShare() * t;
            work += compute * r.processing();
            slowestCompute = Math.max(slowestCompute, compute);
        }
        double rest = Math.max(0, t - slowestCompute);
        double share = work / n2;
        double after = 0;
        for (Rank r : ranks) {
            after = Math.max(after, share / r.processing());
        }
        for (double p : newProcessing) {
            if (!(p > 0)) {
                return unknown(n, n2, "a target node offers no processing (its available processing is 0 or not "
                        + "measured)");
            }
            after = Math.max(after, share / p);
        }
        after += rest;
        return judge(n, n2, t, after, state, s);
    }

    /**
     * The prediction for shrinking the job of {@code ranks} (every rank of it, each once, in rank
     * order) by its highest {@code leaving} ranks, which is what a shrink does (libpcm: ranks n'
     * .. n-1 leave): the others share the job's work, each at its rate. It pays when the
     * leaving ranks were the slow ones (a node throttled, or shared): fewer, faster ranks.
     */
    public static Estimate shrink(List<Rank> ranks, int leaving, Settings s) {
        int n = ranks.size();
        int n2 = n - leaving;
        if (leaving < 1 || n2 < 1) {
            return unknown(n, n2, "nothing to shrink");
        }
        String unmeasured = unmeasured(ranks);
        if (unmeasured != null) {
            return unknown(n, n2, unmeasured);
        }
        double t = ranks.stream().mapToDouble(Rank::iterationSeconds).max().orElse(0);
        // The work per rank per iteration, the same for every rank (the model's even division):
        // the typical rank's measured work (the upper median of compute share x T x processing),
        // but no more than the slowest rank can do in T at its rate. The measured compute shares
        // swing widely on CPU quotas (a throttled rank is stopped wherever it is, inside MPI
        // calls too; ranks waiting in PCM_Status's round read as computing): seen beside two
        // busy loops, host 3 at 0.08 cores, the job at 100 ms per iteration against 5 ms before,
        // the throttled rank read 0.02 to 0.89 and the waiting ones 0.25 to 1.0 from one second
        // to the next. The bound by the slowest rank's rate holds whatever the shares say: a
        // rank cannot compute more than its CPU gave it.
        double[] measured = ranks.stream().mapToDouble(r -> r.computeShare() * t * r.processing()).sorted().toArray();
        double slowestRate = ranks.stream().mapToDouble(Rank::processing).min().orElse(0);
        double w = Math.min(measured[n / 2], slowestRate * t);
        double slowestCompute = w / slowestRate;
        long state = ranks.stream().mapToLong(r -> Math.max(0, r.stateBytes())).sum();
        // the survivors share the n ranks' work; the slowest of them sets the time
        double slowestSurvivor = ranks.subList(0, n2).stream().mapToDouble(Rank::processing).min().orElse(0);
        double after = w * n / n2 / slowestSurvivor;
        return judge(n, n2, t, after + Math.max(0, t - slowestCompute), state, s);
    }

    /** Why a rank's figures cannot be used, or null when all can. */
    private static String unmeasured(List<Rank> ranks) {
        for (Rank r : ranks) {
            if (!(r.processing() > 0) || !(r.computeShare() >= 0) || r.computeShare() > 1
                    || !(r.iterationSeconds() > 0)) {
                return String.format(Locale.ROOT, "rank %d not measured yet (processing %.3g, compute share %.3g, "
                        + "iteration %.3g s)", r.rank(), r.processing(), r.computeShare(), r.iterationSeconds());
            }
        }
        return null;
    }

    /** The rules on a prediction from {@code t} to {@code after} seconds, the job's state moved from n to n2 blocks. */
    private static Estimate judge(int n, int n2, double t, double after, long state, Settings s) {
        double cost = s.resizeCost().toNanos() / 1e9 + state * movedShare(n, n2) / s.redistributionBytesPerSec();
        double saved = Math.max(0, 1 - after / t);
        double horizon = s.paybackHorizon().toNanos() / 1e9;
        String veto = null;
        if (t < s.minSpeedup() * after) {
            veto = String.format(Locale.ROOT, "no speedup: %.2f x < min-speedup %.2f", t / after, s.minSpeedup());
        } else if (!(cost / saved <= horizon)) {
            veto = String.format(Locale.ROOT, "does not pay back within payback-horizon %.0f s", horizon);
        }
        return new Estimate(n, n2, t, after, cost, saved, veto);
    }

    /** A grow from {@code n} to {@code n2} processes with no prediction, vetoed for {@code why}. */
    public static Estimate unknown(int n, int n2, String why) {
        return new Estimate(n, n2, Double.NaN, Double.NaN, Double.NaN, 0, why);
    }

    /**
     * The share of the data a 1-D block redistribution from {@code from} to {@code to} equal
     * blocks moves: all but what each rank r below both sizes keeps, the overlap of its old
     * block [r/from, (r+1)/from) with its new one [r/to, (r+1)/to). 2 -> 4: 0.75; 2 -> 3: 0.5.
     */
    public static double movedShare(int from, int to) {
        double kept = 0;
        for (int r = 0; r < Math.min(from, to); r++) {
            double lo = Math.max((double) r / from, (double) r / to);
            double hi = Math.min((double) (r + 1) / from, (double) (r + 1) / to);
            kept += Math.max(0, hi - lo);
        }
        return Math.max(0, 1 - kept);
    }
}
