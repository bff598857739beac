package io.roam.heat.auto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scenario runs' schedules: throttles, flaps, seeded busy loops, a late agent. */
class ScheduleTest {
    @Test
    void aFlappingHostIsThrottledAndRestoredInTurnUntilTheEnd() {
        Schedule s = Schedule.of(Map.of("throttle", "1", "throttle-at", "15", "flap", "20"), 3, 75);
        assertThat(s.all()).extracting(Schedule.Event::at).containsExactly(15.0, 35.0, 55.0);
        assertThat(s.all()).extracting(Schedule.Event::kind).containsExactly(Schedule.Kind.THROTTLE,
                Schedule.Kind.RESTORE, Schedule.Kind.THROTTLE);
        assertThat(s.all()).allMatch(e -> e.host() == 0);
    }

    @Test
    void eventsAreHandedOutOnceWhenTheirTimeComes() {
        Schedule s = Schedule.of(Map.of("throttle", "2", "throttle-at", "15", "restore-at", "45", "join", "3",
                "join-at", "10"), 3, 60);
        assertThat(s.joining()).isEqualTo(2);
        assertThat(s.due(9)).isEmpty();
        assertThat(s.due(20)).extracting(Schedule.Event::kind).containsExactly(Schedule.Kind.JOIN,
                Schedule.Kind.THROTTLE);
        assertThat(s.due(20)).isEmpty();
        assertThat(s.due(60)).extracting(Schedule.Event::kind).containsExactly(Schedule.Kind.RESTORE);
    }

    @Test
    void busyLoopsAreSeededAndHitEveryHostOncePerRound() {
        List<Schedule.Event> a = Schedule.hogs(1, 3, 8, 600);
        assertThat(Schedule.hogs(1, 3, 8, 600)).isEqualTo(a);
        assertThat(Schedule.hogs(2, 3, 8, 600)).isNotEqualTo(a);
        assertThat(a).hasSize(75);
        for (int round = 0; round < 25; round++) {
            assertThat(a.subList(3 * round, 3 * round + 3)).extracting(Schedule.Event::host)
                    .containsExactlyInAnyOrder(0, 1, 2);
        }
        for (int i = 0; i < a.size(); i++) {
            Schedule.Event e = a.get(i);
            assertThat(e.seconds()).isBetween(2.0, 6.0);
            assertThat(e.at()).isBetween(8.0 * i, 8.0 * (i + 1) - e.seconds());
        }
    }
}
