package io.roam.decision;

import java.util.Locale;
import java.util.Objects;

/**
 * What one move did to its job, measured: the job's iteration time as the moved rank saw it
 * over a window before the move (on the source, from its heartbeats) and over a window after
 * (on the target, from the replacement's, the first ones skipped), and the verdict. A move
 * gained (or made the job worse) only when the medians differ by more than the noise and by
 * more than {@code minChange} of the time before; else it made no difference that can be
 * told apart from the noise. The noise here is that of the two medians, not of single
 * samples: {@code noiseFactor} times their standard errors combined, each about
 * sqrt(pi / 2) x spread / sqrt(samples). (A window that spans a change, such as a slowdown a
 * few seconds before the move, has a wide spread: with the spread of single samples, a move
 * that took the job from 40 to 8 ms per iteration was judged "no gain" in the demo.) The
 * comparison is of ratios: the log of after / before against the standard errors relative to
 * each median, since an iteration time's noise grows with it (a rank under a CPU quota of
 * 0.15 cores swings between 20 and 100 ms per iteration as CFS throttles it each 100 ms
 * period; compared in ms, a move from there to a steady 3.4 ms was judged "no gain").
 *
 * @param beforeNs the window of iteration times before the move (ns)
 * @param afterNs  the window after it (ns)
 * @param verdict  what the comparison says
 */
public record MoveEffect(Summary beforeNs, Summary afterNs, Verdict verdict) {
    /** What a move did to its job. */
    public enum Verdict {
        /** Faster after the move, beyond the noise. */
        GAIN,
        /** No difference beyond the noise. */
        NO_GAIN,
        /** Slower after the move, beyond the noise. */
        WORSE,
        /** Too few iterations timed before or after (the job ended, or had just started). */
        UNMEASURED;

        /** Whether the move did not help: the same move is held back for a while. */
        public boolean unhelpful() {
            return this == NO_GAIN || this == WORSE;
        }
    }

    public MoveEffect {
        Objects.requireNonNull(beforeNs, "beforeNs");
        Objects.requireNonNull(afterNs, "afterNs");
        Objects.requireNonNull(verdict, "verdict");
    }

    /**
     * Judges a move from the windows before and after it: UNMEASURED unless both hold at
     * least {@code minSamples}; else GAIN or WORSE when the log of the medians' ratio exceeds
     * {@code noiseFactor} x their relative standard errors combined and the medians differ by
     * more than {@code minChange} x the median before, else NO_GAIN.
     */
    public static MoveEffect judge(Summary beforeNs, Summary afterNs, int minSamples, double noiseFactor,
                                   double minChange) {
        if (!beforeNs.enough(minSamples) || !afterNs.enough(minSamples)) {
            return new MoveEffect(beforeNs, afterNs, Verdict.UNMEASURED);
        }
        double change = afterNs.median() - beforeNs.median();
        boolean beyondNoise;
        if (beforeNs.median() > 0 && afterNs.median() > 0) {
            double logChange = Math.log(afterNs.median() / beforeNs.median());
            double logNoise = Math.hypot(standardError(beforeNs) / beforeNs.median(),
                    standardError(afterNs) / afterNs.median());
            beyondNoise = Math.abs(logChange) > noiseFactor * logNoise;
        } else {
            beyondNoise = Math.abs(change) > noiseFactor * Math.hypot(standardError(beforeNs), standardError(afterNs));
        }
        beyondNoise = beyondNoise && Math.abs(change) > minChange * beforeNs.median();
        Verdict v = !beyondNoise ? Verdict.NO_GAIN : change < 0 ? Verdict.GAIN : Verdict.WORSE;
        return new MoveEffect(beforeNs, afterNs, v);
    }

    /** The standard error of a window's median: sqrt(pi / 2) x spread / sqrt(samples) (for normal samples). */
    static double standardError(Summary s) {
        return Summary.MEAN_DEVIATION_TO_SIGMA * s.spread() / Math.sqrt(s.samples());
    }

    /** after / before of the medians (NaN when unmeasured). */
    public double ratio() {
        return beforeNs.samples() == 0 || afterNs.samples() == 0 ? Double.NaN : afterNs.median() / beforeNs.median();
    }

    /** For people: "5.30 → 5.70 ms per iteration (1.08 x), no gain". */
    public String describe() {
        String what = switch (verdict) {
            case GAIN -> "gain";
            case NO_GAIN -> "no gain";
            case WORSE -> "worse";
            case UNMEASURED -> "not measured (" + beforeNs.samples() + " iteration times before, "
                    + afterNs.samples() + " after)";
        };
        if (verdict == Verdict.UNMEASURED) {
            return what;
        }
        return String.format(Locale.ROOT, "%.3g → %.3g ms per iteration (%.2f x), %s", beforeNs.median() / 1e6,
                afterNs.median() / 1e6, afterNs.median() / beforeNs.median(), what);
    }
}
