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
        assertThat(s.probeRepeats()).isEqualTo(5);
        assertThat(s.network()).isEqualTo(new ProfilingSettings.Network(Duration.ofSeconds(5), 6, 64 * 1024, 16, true));
    }

    @Test
    void aCgroupPathIsACpuSource() {
        assertThat(with("roam.profiling.cpu-source = \"cgroup:/roam.slice/jobs\"").cpuSource())
                .isEqualTo("cgroup:/roam.slice/jobs");
        assertThat(with("roam.profiling.cpu-source = machine").cpuSource()).isEqualTo("machine");
    }

    @Test
    void networkBoundsAreAccepted() {
        ProfilingSettings s = with("roam.profiling.network { period = 10m, bandwidth-every = 0, probe-bytes = 16 MiB,"
                + " max-peers = 0, kernel-rates = off }");
        assertThat(s.network()).isEqualTo(new ProfilingSettings.Network(Duration.ofMinutes(10), 0, 16 << 20, 0, false));
        assertThat(with("roam.profiling.network { period = 100ms, probe-bytes = 1024 }").network().probeBytes())
                .isEqualTo(1024);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {"period | 10ms | 100 ms to 1 min", "smoothing-old-weight | 1 | 0 to 0.95",
        "probe-sweeps | 5 | 10 to 100000", "probe-runs | 0 | 1 to 20",
        "network.period | 99ms | 100 ms to 10 min", "network.period | 11m | 100 ms to 10 min",
        "network.bandwidth-every | -1 | 0 (never) to 1000", "network.probe-bytes | 1023 | 1 KiB to 16 MiB",
        "network.probe-bytes | 17 MiB | 1 KiB to 16 MiB", "network.max-peers | 1001 | 0 (no probes) to 1000",
        "network.kernel-rates | sometimes | true or false",
        "cpu-source | nope | one of auto, machine, cgroup, or cgroup:/PATH",
        "cpu-source | \"cgroup:relative\" | one of auto, machine, cgroup, or cgroup:/PATH"})
    void badValuesNameKeyValueAndRange(String key, String value, String allowed) {
        assertThatThrownBy(() -> with("roam.profiling." + key + " = " + value))
                .hasMessageContaining("roam.profiling." + key).hasMessageContaining(allowed);
    }
}
