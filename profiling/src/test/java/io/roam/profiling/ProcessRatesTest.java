package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessRatesTest {
    @Test
    void ratesSkipTheFirstPeriodThenFollowTheCounters() {
        ProcessRates r = new ProcessRates();
        assertThat(r.sample("p", 0, 0, 0, 0)).isEqualTo(new ProcessRates.Rates(-1, -1));
        // the first period (start-up) is not used
        assertThat(r.sample("p", 1000, 100, 50_000_000, 950_000_000).cpuShare()).isEqualTo(-1);
        ProcessRates.Rates x = r.sample("p", 2000, 700, 850_000_000, 1_150_000_000);
        assertThat(x.cpuShare()).isCloseTo(0.6, within(1e-9));       // 600 ms of CPU in 1 s
        assertThat(x.computeShare()).isCloseTo(0.8, within(1e-9));   // 800 ms computing, 200 ms in MPI
        // no time passed: the last rates; counters that went back (a new process) keep them too
        assertThat(r.sample("p", 2000, 900, 0, 0)).isEqualTo(x);
        assertThat(r.rates("p")).isEqualTo(x);
        r.retain(Set.of("q"));
        assertThat(r.rates("p").cpuShare()).isEqualTo(-1);
    }

    @Test
    void unknownCpuTimeStaysUnknown() {
        ProcessRates r = new ProcessRates();
        r.sample("p", 0, -1, 0, 0);
        r.sample("p", 1000, -1, 0, 0);
        ProcessRates.Rates x = r.sample("p", 2000, -1, 500, 500);
        assertThat(x.cpuShare()).isEqualTo(-1);
        assertThat(x.computeShare()).isEqualTo(0.5);
    }
}
