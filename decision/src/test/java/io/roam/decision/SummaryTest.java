package io.roam.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SummaryTest {
    private static final double SQRT_PI_2 = Math.sqrt(Math.PI / 2);

    @Test
    void medianAndMeanDeviationFromIt() {
        Summary s = Summary.of(4, 1, 100, 3, 2);
        assertThat(s.median()).isEqualTo(3);
        assertThat(s.spread()).isCloseTo(SQRT_PI_2 * (1 + 2 + 97 + 0 + 1) / 5, within(1e-12));
        assertThat(s.samples()).isEqualTo(5);
        Summary even = Summary.of(1, 2, 3, 10);
        assertThat(even.median()).isEqualTo(2.5);
        assertThat(even.spread()).isCloseTo(SQRT_PI_2 * (1.5 + 0.5 + 0.5 + 7.5) / 4, within(1e-12));
    }

    @Test
    void noSamplesIsNotEnoughForAnything() {
        assertThat(Summary.of()).isEqualTo(Summary.NONE);
        assertThat(Summary.NONE.enough(0)).isFalse();
        assertThat(Summary.NONE.exceededBy(Summary.steady(5, 3), 0)).isFalse();
        assertThat(Summary.steady(5, 3).exceededBy(Summary.NONE, 0)).isFalse();
        assertThat(Summary.NONE.describe(1)).isEqualTo("no samples");
    }

    @Test
    void exceededOnlyBeyondKTimesTheCombinedSpread() {
        Summary here = new Summary(10, 3, 8);
        Summary there = new Summary(20, 4, 8);   // combined spread 5, difference 10
        assertThat(here.combinedSpread(there)).isCloseTo(5, within(1e-12));
        assertThat(here.exceededBy(there, 1.99)).isTrue();
        assertThat(here.exceededBy(there, 2)).isFalse();
        assertThat(there.exceededBy(here, 0)).isFalse();
        assertThat(here.enough(8)).isTrue();
        assertThat(here.enough(9)).isFalse();
    }

    @Test
    void aWindowKeepsTheLastSamplesAndIgnoresNonFiniteOnes() {
        Window w = new Window(3);
        assertThat(w.summary()).isEqualTo(Summary.NONE);
        w.add(1);
        w.add(Double.NaN);
        w.add(Double.POSITIVE_INFINITY);
        assertThat(w.size()).isEqualTo(1);
        for (int i = 2; i <= 5; i++) {
            w.add(i);
        }
        assertThat(w.isFull()).isTrue();
        assertThat(w.summary()).isEqualTo(Summary.of(3, 4, 5));
        w.add(100);
        assertThat(w.summary().median()).isEqualTo(5);
    }

    @Test
    void factorNoiseIsTheSpreadOfTheLogsTimesTheMedian() {
        // 10 and 40 around 20: a factor 2 either way, ln 2 = 0.693 on average
        Summary s = Summary.ofFactors(10, 20, 40);
        assertThat(s.median()).isEqualTo(20);
        assertThat(s.spread()).isCloseTo(20 * Math.sqrt(Math.PI / 2) * (2 * Math.log(2) / 3), within(1e-9));
        // small noise: the same as the plain spread, near enough
        Summary near = Summary.ofFactors(99, 100, 101);
        assertThat(near.spread()).isCloseTo(Summary.of(99, 100, 101).spread(), within(1e-3));
        // a value not above 0: the plain summary
        assertThat(Summary.ofFactors(0, 1, 2)).isEqualTo(Summary.of(0, 1, 2));
        assertThat(Summary.ofFactors()).isEqualTo(Summary.NONE);
    }
}
