package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.roam.protocol.NodeHistory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryLogTest {
    private static final HistoryLog.Settings TEN_POINTS = new HistoryLog.Settings(Duration.ofSeconds(1), 10, 2, 3);

    @Test
    void samplesOfOneStepAreAveragedAndTheRingKeepsTheLastPointsOnly() {
        HistoryLog log = new HistoryLog("h1", TEN_POINTS);
        log.available(1_000, 4);
        log.available(1_900, 6);        // same step: the mean, 5
        log.available(3_000, 7);        // step 2 had no sample: NaN, left out by the view
        NodeHistory h = log.snapshot(3_500);
        assertThat(h.available().firstMillis()).isEqualTo(1_000);
        assertThat(h.available().size()).isEqualTo(3);
        assertThat(h.available().value(0)).isEqualTo(5f);
        assertThat(h.available().value(1)).isNaN();
        assertThat(HistoryViews.points(h.available(), 1000)).extracting(p -> p[0] + "=" + p[1])
                .containsExactly("1000.0=5.0", "3000.0=7.0");
        for (int s = 4; s < 1000; s++) {          // far more than the ring holds: its size stays 10 points
            log.available(s * 1000L, s);
        }
        NodeHistory later = log.snapshot(999_500);
        assertThat(later.available().size()).isEqualTo(10);
        assertThat(later.available().firstMillis()).isEqualTo(990_000);
        assertThat(later.available().value(9)).isEqualTo(999f);
        log.available(100_000, 1);                // older than the ring: dropped
        assertThat(log.snapshot(999_500)).isEqualTo(later);
    }

    @Test
    void jobsAreBoundedTheStalestGoesAndJobsOutOfRangeAreForgotten() {
        HistoryLog log = new HistoryLog("h1", TEN_POINTS);
        log.iteration("a", 1_000, 2.0);
        log.iteration("b", 2_000, 3.0);
        log.iteration("a", 3_000, 2.5);
        log.iteration("c", 4_000, 4.0);           // max-jobs 2: b, seen the longest ago, goes
        log.iteration("a", 4_000, 0);             // no iteration time: ignored
        assertThat(log.snapshot(4_500).jobs()).extracting(NodeHistory.JobSeries::jobId).containsExactly("a", "c");
        assertThat(log.snapshot(13_800).jobs()).extracting(NodeHistory.JobSeries::jobId).containsExactly("c");
        assertThat(log.snapshot(30_000).jobs()).isEmpty();
    }

    @Test
    void movesAreBoundedAndMergedPerJobWithTheMeanIterationTimeOverNodes() {
        HistoryLog h1 = new HistoryLog("h1", TEN_POINTS);
        HistoryLog h2 = new HistoryLog("h2", TEN_POINTS);
        for (int i = 0; i < 5; i++) {
            h1.moved(1_000 + i, "j", i, "h2");    // moves 3: the first two go
        }
        h1.iteration("j", 1_000, 2.0);
        h2.iteration("j", 1_000, 4.0);
        h2.iteration("j", 2_000, 6.0);
        HistoryViews.ClusterHistory c = HistoryViews.of(List.of(h1.snapshot(2_500), h2.snapshot(2_500)), 2_500);
        assertThat(c.stepMillis()).isEqualTo(1000);
        assertThat(c.nodes()).extracting(HistoryViews.NodeSeries::host).containsExactly("h1", "h2");
        HistoryViews.JobHistory j = c.jobs().get(0);
        assertThat(j.iterationMs()).extracting(p -> p[0] + "=" + p[1]).containsExactly("1000.0=3.0", "2000.0=6.0");
        assertThat(j.moves()).extracting(NodeHistory.Move::rank).containsExactly(2, 3, 4);
        assertThat(j.moves()).allMatch(m -> m.from().equals("h1") && m.to().equals("h2"));
    }

    @Test
    void theSettingsDefaultToOneHourAndAreChecked() {
        HistoryLog.Settings s = HistoryLog.Settings.of(ConfigFactory.load());
        assertThat(s.range()).isGreaterThanOrEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> HistoryLog.Settings.of(ConfigFactory.parseString("roam.agent.history.points = 5")
                .withFallback(ConfigFactory.load()))).hasMessageContaining("roam.agent.history.points");
    }
}
