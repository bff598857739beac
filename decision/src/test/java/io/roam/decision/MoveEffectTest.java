package io.roam.decision;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.decision.MoveEffect.Verdict;
import org.junit.jupiter.api.Test;

class MoveEffectTest {
    private static final double MS = 1e6;

    private static MoveEffect judge(Summary before, Summary after) {
        return MoveEffect.judge(before, after, 5, 3, 0.05);
    }

    @Test
    void aThrottledRankMovedToAFreeNodeGained() {
        MoveEffect e = judge(Summary.of(24 * MS, 23 * MS, 25 * MS, 24 * MS, 26 * MS, 22 * MS, 24 * MS, 24 * MS),
                Summary.of(5.8 * MS, 6.0 * MS, 5.9 * MS, 6.1 * MS, 5.7 * MS, 5.9 * MS, 6.0 * MS, 5.8 * MS));
        assertThat(e.verdict()).isEqualTo(Verdict.GAIN);
        assertThat(e.ratio()).isCloseTo(5.9 / 24, org.assertj.core.data.Offset.offset(0.01));
        assertThat(e.describe()).isEqualTo("24.0 → 5.90 ms per iteration (0.25 x), gain");
        assertThat(e.verdict().unhelpful()).isFalse();
    }

    @Test
    void aMoveBetweenEqualNodesMadeNoDifference() {
        MoveEffect e = judge(Summary.of(5.3 * MS, 5.5 * MS, 5.2 * MS, 5.4 * MS, 5.6 * MS),
                Summary.of(5.5 * MS, 5.4 * MS, 5.6 * MS, 5.3 * MS, 5.5 * MS, 5.7 * MS));
        assertThat(e.verdict()).isEqualTo(Verdict.NO_GAIN);
        assertThat(e.describe()).endsWith("no gain").startsWith("5.40 → 5.50 ms per iteration");
        assertThat(e.verdict().unhelpful()).isTrue();
    }

    @Test
    void aSteadyButTinyDifferenceIsNoGainAndASlowerJobIsWorse() {
        // spread 0: only the minimum change (5 % of the time before) tells them apart
        assertThat(judge(Summary.steady(10 * MS, 8), Summary.steady(9.6 * MS, 8)).verdict()).isEqualTo(Verdict.NO_GAIN);
        assertThat(judge(Summary.steady(10 * MS, 8), Summary.steady(9.4 * MS, 8)).verdict()).isEqualTo(Verdict.GAIN);
        MoveEffect worse = judge(Summary.steady(5.7 * MS, 8), Summary.steady(17.3 * MS, 8));
        assertThat(worse.verdict()).isEqualTo(Verdict.WORSE);
        assertThat(worse.verdict().unhelpful()).isTrue();
    }

    @Test
    void noisyWindowsNeedADifferenceBeyondTheirSpread() {
        // +-30 % around 10 and 8 ms: 20 % apart, but well within 3 x the combined spread
        Summary before = Summary.of(7 * MS, 13 * MS, 10 * MS, 8 * MS, 12 * MS, 9 * MS, 11 * MS, 10 * MS);
        Summary after = Summary.of(5.6 * MS, 10.4 * MS, 8 * MS, 6.4 * MS, 9.6 * MS, 7.2 * MS, 8.8 * MS, 8 * MS);
        assertThat(judge(before, after).verdict()).isEqualTo(Verdict.NO_GAIN);
    }

    @Test
    void aWindowThatSpansTheSlowdownStillShowsTheGainOfTheMoveAwayFromIt() {
        // seen in the demo: three samples before the slowdown, five after it; then 8 ms again
        Summary before = Summary.of(9 * MS, 9.5 * MS, 8.8 * MS, 40 * MS, 52 * MS, 38 * MS, 47 * MS, 40.3 * MS);
        Summary after = Summary.of(8.3 * MS, 8.1 * MS, 8.6 * MS, 8.2 * MS, 9.4 * MS, 8.0 * MS, 8.3 * MS, 8.4 * MS);
        assertThat(before.spread()).as("wide: the window spans a change").isGreaterThan(15 * MS);
        assertThat(judge(before, after).verdict()).isEqualTo(Verdict.GAIN);
    }

    /**
     * make demo, 2026-12-06: a rank under 0.15 cores (CFS throttles it each 100 ms period, its
     * iteration time swings 20 to 100 ms) moved to a host where it ran a steady 3.4 ms: in ms,
     * the before window's standard error (21 ms, x 3) exceeded the 62 ms gained and the move
     * was shown as "35.0 → 3.44 ms per iteration (0.10 x), no gain". As a ratio it is a gain.
     */
    @Test
    void aThrottledRanksSwingingTimesDoNotHideItsGain() {
        Summary before = Summary.of(20 * MS, 100 * MS, 22 * MS, 100 * MS, 25 * MS, 100 * MS, 30 * MS, 100 * MS);
        Summary after = Summary.of(3.4 * MS, 3.5 * MS, 3.4 * MS, 3.6 * MS, 3.3 * MS, 3.4 * MS);
        double linearNoise = Math.hypot(MoveEffect.standardError(before), MoveEffect.standardError(after));
        assertThat(before.median() - after.median()).as("within 3 x the noise in ms").isLessThan(3 * linearNoise);
        assertThat(judge(before, after).verdict()).isEqualTo(Verdict.GAIN);
        // and the other way round: a move onto the throttled host made the job worse
        assertThat(judge(after, before).verdict()).isEqualTo(Verdict.WORSE);
    }

    @Test
    void tooFewIterationsTimedOnEitherSideIsUnmeasured() {
        MoveEffect e = judge(Summary.of(5 * MS, 5 * MS), Summary.steady(2 * MS, 8));
        assertThat(e.verdict()).isEqualTo(Verdict.UNMEASURED);
        assertThat(e.verdict().unhelpful()).isFalse();
        assertThat(e.describe()).isEqualTo("not measured (2 iteration times before, 8 after)");
        assertThat(judge(Summary.NONE, Summary.steady(2 * MS, 8)).ratio()).isNaN();
    }

    @Test
    void aRankThatTookTurnsForItsCpuGainedFiveTimesOnceAlone() {
        // autonomy scenario 6: two ranks of a job on a host of 0.4 cores took turns (18 to 207 ms
        // per iteration around 30), one of them moved to a free host (a steady 5.2 ms)
        double[] before = {18 * MS, 44 * MS, 21 * MS, 207 * MS, 25 * MS, 94 * MS, 20 * MS, 35 * MS};
        double[] after = {5.2 * MS, 5.3 * MS, 5.1 * MS, 5.4 * MS, 5.0 * MS, 5.2 * MS, 5.6 * MS, 5.2 * MS};
        // plain spreads: the two longest samples make the median's noise two thirds of it
        assertThat(judge(Summary.of(before), Summary.of(after)).verdict()).isEqualTo(Verdict.NO_GAIN);
        // noise as a factor: they count for their share, and 5.8 x is beyond it
        MoveEffect e = judge(Summary.ofFactors(before), Summary.ofFactors(after));
        assertThat(e.verdict()).isEqualTo(Verdict.GAIN);
        assertThat(e.describe()).isEqualTo("30.0 → 5.20 ms per iteration (0.17 x), gain");
        // and noise as a factor still tells apart nothing that is within it (+-30 %, 20 % apart)
        double[] b = {7 * MS, 13 * MS, 10 * MS, 8 * MS, 12 * MS, 9 * MS, 11 * MS, 10 * MS};
        double[] a = {5.6 * MS, 10.4 * MS, 8 * MS, 6.4 * MS, 9.6 * MS, 7.2 * MS, 8.8 * MS, 8 * MS};
        assertThat(judge(Summary.ofFactors(b), Summary.ofFactors(a)).verdict()).isEqualTo(Verdict.NO_GAIN);
    }
}
