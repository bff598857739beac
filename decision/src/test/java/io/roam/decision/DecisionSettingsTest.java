package io.roam.decision;

import static io.roam.decision.Fixtures.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class DecisionSettingsTest {
    @Test
    void defaults() {
        DecisionSettings s = DecisionSettings.defaults();
        assertThat(s.strategy()).isEqualTo("ios");
        assertThat(s.processingWeight()).isEqualTo(0.7);
        assertThat(s.communicationWeight()).isEqualTo(0.3);
        assertThat(s.threshold()).isEqualTo(0.1);
        assertThat(s.minComputeShare()).isEqualTo(0.5);
        assertThat(s.minSpeedup()).isEqualTo(1.25);
        assertThat(s.horizonIterations()).isEqualTo(200);
        assertThat(s.spawnCost()).isEqualTo(Duration.ofMillis(300));
        assertThat(s.defaultTransferRate()).isEqualTo(100L << 20);
        assertThat(s.paybackFactor()).isEqualTo(2.0);
        assertThat(s.window()).isEqualTo(8);
        assertThat(s.minSamples()).isEqualTo(5);
        assertThat(s.noiseFactor()).isEqualTo(3.0);
        assertThat(s.paybackHorizon()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.effectMinChange()).isEqualTo(0.05);
        assertThat(s.communicationFullShare()).isEqualTo(0.05);
        assertThat(settings("")).isEqualTo(s);
    }

    @Test
    void overrides() {
        DecisionSettings s = settings("strategy = cost-aware, processing-weight = 0, communication-weight = 1,"
                + " threshold = -0.5, min-compute-share = 0, min-speedup = 1, horizon-iterations = 10000000,"
                + " spawn-cost = 2s, default-transfer-rate = 1GB, payback-factor = 1000, window = 100,"
                + " min-samples = 100, noise-factor = 0, payback-horizon = 24h, effect-min-change = 1,"
                + " communication-full-share = 0");
        assertThat(s).isEqualTo(new DecisionSettings("cost-aware", 0, 1, -0.5, 0, 1, 10_000_000,
                Duration.ofSeconds(2), 1_000_000_000L, 1000, 100, 100, 0, Duration.ofHours(24), 1, 0));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "strategy | x | one of cost-aware, ios",
        "processing-weight | 1.5 | 0 to 1",
        "processing-weight | -0.1 | 0 to 1",
        "communication-weight | 1.01 | 0 to 1",
        "communication-full-share | 1.5 | 0 to 1",
        "threshold | 1.5 | -1 to 1",
        "effect-min-change | 1.5 | 0 to 1",
        "threshold | -2 | -1 to 1",
        "min-compute-share | 1.1 | 0 to 1",
        "min-speedup | 0.9 | 1 to 100",
        "min-speedup | 101 | 1 to 100",
        "horizon-iterations | 0 | 1 to 10000000",
        "horizon-iterations | 10000001 | 1 to 10000000",
        "spawn-cost | -1s | 0 to 10 min",
        "spawn-cost | 11m | 0 to 10 min",
        "default-transfer-rate | 1000 | 1 KiB to 100 GiB",
        "default-transfer-rate | 101G | 1 KiB to 100 GiB",
        "payback-factor | 0.5 | 1 to 1000",
        "payback-factor | 1001 | 1 to 1000",
        "window | 1 | 2 to 100",
        "window | 101 | 2 to 100",
        "min-samples | 1 | 2 to 100",
        "min-samples | 9 | 2 to 100 and at most window (8)",
        "noise-factor | -0.5 | 0 to 10",
        "noise-factor | 11 | 0 to 10",
        "payback-horizon | 999ms | 1 s to 24 h",
        "payback-horizon | 25h | 1 s to 24 h"})
    void badValuesNameKeyValueAndRange(String key, String value, String allowed) {
        assertThatThrownBy(() -> settings(key + " = " + value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid configuration roam.decision." + key + " = ")
                .hasMessageContaining(": allowed " + allowed);
    }

    @Test
    void theMessageShowsTheValueAsWritten() {
        assertThatThrownBy(() -> settings("spawn-cost = 11m"))
                .hasMessage("invalid configuration roam.decision.spawn-cost = 11m: allowed 0 to 10 min");
        assertThatThrownBy(() -> settings("min-speedup = 0.9"))
                .hasMessage("invalid configuration roam.decision.min-speedup = 0.9: allowed 1 to 100");
    }

    @Test
    void bothWeightsZeroIsRefused() {
        assertThatThrownBy(() -> settings("processing-weight = 0, communication-weight = 0"))
                .hasMessageStartingWith("invalid configuration roam.decision.communication-weight = 0")
                .hasMessageContaining("processing-weight + communication-weight > 0");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"threshold", "horizon-iterations", "spawn-cost", "default-transfer-rate", "processing-weight", "window",
        "min-samples", "noise-factor", "payback-horizon"})
    void aValueOfTheWrongTypeNamesTheKey(String key) {
        assertThatThrownBy(() -> settings(key + " = abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid configuration roam.decision." + key + " = abc: allowed ");
    }
}
