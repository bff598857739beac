package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roam.decision.MoveEffect;
import io.roam.decision.Summary;
import io.roam.protocol.MigrationEvent;
import io.roam.protocol.MigrationEvent.MigrationTimes;
import io.roam.protocol.MigrationEvent.Phase;
import io.roam.protocol.MigrationHistory;
import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationLogTest {
    private static MigrationEvent event(long order, Phase phase, long at, MigrationTimes times) {
        return new MigrationEvent(order, "job", (int) order, phase, at, phase.name().toLowerCase(), times);
    }

    @Test
    void keepsEveryMigrationInProgressAndOnlyTheLastFinishedOnes() {
        MigrationLog log = new MigrationLog("h1", 2);
        for (long o = 1; o <= 4; o++) {
            log.started(o, "job", (int) o, "h2", o * 10);
            log.event(event(o, Phase.ACCEPTED, o * 10 + 1, null));
        }
        log.event(event(1, Phase.FAILED, 20, null));
        log.event(event(2, Phase.DONE, 30, new MigrationTimes(8, 0, 1, 2, 3, 4, 5)));
        log.event(event(3, Phase.DONE, 40, new MigrationTimes(8, 0, 1, 2, 3, 4, 5)));
        assertThat(log.inProgress()).isEqualTo(1);
        MigrationHistory h = log.history();
        assertThat(h.host()).isEqualTo("h1");
        // 1 was the oldest finished: forgotten; 4 is still running: kept
        assertThat(h.migrations()).extracting(MigrationHistory.Entry::orderId).containsExactly(2L, 3L, 4L);
        assertThat(h.migrations().get(2).finished()).isFalse();
        assertThat(h.migrations().get(0).events()).extracting(MigrationEvent::phase)
                .containsExactly(Phase.ACCEPTED, Phase.DONE);
    }

    @Test
    void ignoresEventsOfUnknownOrEndedMigrations() {
        MigrationLog log = new MigrationLog("h1", 5);
        log.event(event(9, Phase.STARTED, 1, null));
        log.started(1, "job", 1, "h2", 0);
        log.event(event(1, Phase.FAILED, 1, null));
        log.event(event(1, Phase.DONE, 2, null));   // a late DONE after a timeout's FAILED
        assertThat(log.history().migrations()).hasSize(1);
        assertThat(log.history().migrations().get(0).last().phase()).isEqualTo(Phase.FAILED);
        assertThatThrownBy(() -> new MigrationLog("h", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void viewsGiveEachPhaseDurationNewestFirst() {
        long ms = 1_000_000;
        MigrationTimes t = new MigrationTimes(1 << 20, 100 * ms, 101 * ms, 131 * ms, 133 * ms, 183 * ms, 184 * ms);
        MigrationHistory a = new MigrationHistory("h1", List.of(new MigrationHistory.Entry(0xabcL, "job", 1, "h1", "h2",
                1000, List.of(event(0xabc, Phase.ACCEPTED, 1000, null), event(0xabc, Phase.DONE, 1200, t)),
                MoveEffect.judge(Summary.steady(24e6, 8), Summary.steady(5.9e6, 8), 5, 3, 0.05))));
        MigrationHistory b = new MigrationHistory("h2", List.of(new MigrationHistory.Entry(7, "job", 2, "h2", "h1",
                2000, List.of(event(7, Phase.STARTED, 2100, null)), null)));
        List<MigrationViews.MigrationView> views = MigrationViews.of(List.of(a, b));
        assertThat(views).extracting(MigrationViews.MigrationView::id).containsExactly("7", "abc");
        MigrationViews.MigrationView done = views.get(1);
        assertThat(done.phase()).isEqualTo("DONE");
        assertThat(done.endedAtMillis()).isEqualTo(1200);
        assertThat(done.stateBytes()).isEqualTo(1 << 20);
        assertThat(done.phaseMillis()).containsExactly(java.util.Map.entry("decide", 1.0),
                java.util.Map.entry("spawn", 30.0), java.util.Map.entry("merge", 2.0),
                java.util.Map.entry("transfer", 50.0), java.util.Map.entry("resume", 1.0),
                java.util.Map.entry("total", 84.0));
        assertThat(done.effect()).isEqualTo(new MigrationViews.Effect("GAIN", 24.0, 5.9, 5.9e6 / 24e6,
                "24.0 → 5.90 ms per iteration (0.25 x), gain"));
        assertThat(views.get(0).effect()).isNull();
        assertThat(views.get(0).finished()).isFalse();
        assertThat(views.get(0).phaseMillis()).isEmpty();
    }
}
