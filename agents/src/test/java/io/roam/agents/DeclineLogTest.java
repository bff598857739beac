package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeclineLogTest {
    private final DeclineLog log = new DeclineLog(60_000);

    @Test
    void aReasonIsSaidOnceWhileItsBandStays() {
        assertThat(log.shouldSay("shrink j", "no speedup", -1, 0)).isTrue();
        assertThat(log.shouldSay("shrink j", "no speedup", -1, 1_000)).isFalse();
        assertThat(log.shouldSay("shrink j", "no speedup", -1, 600_000)).isFalse();
    }

    @Test
    void aPredictionSwingingAcrossABandEdgeIsSaidAtMostOnceAMinute() {
        assertThat(log.shouldSay("shrink j", "no speedup", -1, 0)).isTrue();
        int said = 0;
        for (long t = 1_000; t < 120_000; t += 1_000) {   // a check a second, the band flipping each time
            if (log.shouldSay("shrink j", "no speedup", (int) (t / 1_000) % 2 == 0 ? -1 : -2, t)) {
                said++;
            }
        }
        assertThat(said).isEqualTo(1);   // at 60 s; the next would be 60 s after it, past the loop's end
    }

    @Test
    void aNewRuleIsSaidAtOnceAndJobsAndKindsAreApart() {
        assertThat(log.shouldSay("shrink j", "no speedup", 0, 0)).isTrue();
        assertThat(log.shouldSay("shrink j", "does not pay back within payback-horizon", 0, 1)).isTrue();
        assertThat(log.shouldSay("grow j", "no speedup", 0, 2)).isTrue();
        assertThat(log.shouldSay("shrink k", "no speedup", 0, 3)).isTrue();
    }

    @Test
    void forgettingAJobMakesItsNextReasonNew() {
        assertThat(log.shouldSay("shrink j", "no speedup", 0, 0)).isTrue();
        assertThat(log.shouldSay("grow j", "no speedup", 0, 0)).isTrue();
        assertThat(log.shouldSay("shrink jj", "no speedup", 0, 0)).isTrue();
        log.forget("j");
        assertThat(log.shouldSay("shrink j", "no speedup", 0, 1)).isTrue();
        assertThat(log.shouldSay("grow j", "no speedup", 0, 1)).isTrue();
        assertThat(log.shouldSay("shrink jj", "no speedup", 0, 1)).isFalse();
    }
}
