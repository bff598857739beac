package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProfilingSettingsTest {
    private static ProfilingSettings with(String hocon) {
        return ProfilingSettings.from(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()));
    }

    @Test
    void defaults() {
        ProfilingSettings s = with("");
        assertThat(s.period()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.smoothingOldWeight()).isEqualTo(0.25);
        assertThat(s.probeSweeps()).isEqualTo(300);
        assertThat(s.probeRuns()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {"period | 10ms | 100 ms to 1 min", "smoothing-old-weight | 1 | 0 to 0.95",
        "probe-sweeps | 5 | 10 to 100000", "probe-runs | 0 | 1 to 20"})
    void badValuesNameKeyValueAndRange(String key, String value, String allowed) {
        assertThatThrownBy(() -> with("roam.profiling." + key + " = " + value))
                .hasMessageContaining("roam.profiling." + key).hasMessageContaining(allowed);
    }
}
