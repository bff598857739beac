package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuSpeedProbeTest {
    @Test
    void measuresAPlausibleRateThatMoreWorkDoesNotChangeMuch() {
        double shortRun = new CpuSpeedProbe(200, 3).measure();
        double longRun = new CpuSpeedProbe(800, 3).measure();
        // somewhere between a very slow and a very fast core (updates per CPU-second)
        assertThat(shortRun).isBetween(5e7, 2e10);
        // the rate is a property of the core, not of the probe length (CPU time, best of runs)
        assertThat(longRun / shortRun).isBetween(0.5, 2.0);
    }
}
