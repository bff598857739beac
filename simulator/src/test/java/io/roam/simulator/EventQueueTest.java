package io.roam.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The bucket agenda runs events in (time, scheduling order), as one heap would, near and far alike. */
class EventQueueTest {
    private record Planned(long time, int id) {
    }

    @Test
    void runsInTimeThenSchedulingOrderNearAndBeyondTheHorizon() {
        EventQueue q = new EventQueue();
        List<Integer> ran = new ArrayList<>();
        List<Planned> planned = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(7);
        int[] next = {0};
        // events that schedule more events, at delays from 0 to 3 horizons, ties on purpose
        Runnable[] spawn = new Runnable[1];
        spawn[0] = () -> {
            for (int k = 0; k < 2 && next[0] < 20_000; k++) {
                long delay = switch (rnd.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> rnd.nextInt(5);
                    case 2 -> rnd.nextInt(EventQueue.HORIZON);
                    default -> EventQueue.HORIZON - 2 + rnd.nextInt(3 * EventQueue.HORIZON);
                };
                int id = next[0]++;
                planned.add(new Planned(q.now() + delay, id));
                q.after(delay, () -> {
                    ran.add(id);
                    spawn[0].run();
                });
            }
        };
        for (int i = 0; i < 50; i++) {
            long t = rnd.nextInt(4 * EventQueue.HORIZON);
            int id = next[0]++;
            planned.add(new Planned(t, id));
            q.at(t, () -> {
                ran.add(id);
                spawn[0].run();
            });
        }
        long end = 40L * EventQueue.HORIZON;
        q.runUntil(end / 2);
        assertThat(q.now()).isEqualTo(end / 2);
        q.runUntil(end);
        // ids grow in scheduling order, so (time, id) is (time, sequence)
        List<Integer> expected = planned.stream().filter(p -> p.time() <= end)
                .sorted(Comparator.comparingLong(Planned::time).thenComparingInt(Planned::id))
                .map(Planned::id).toList();
        assertThat(ran).isEqualTo(expected);
        assertThat(q.processed()).isEqualTo(expected.size());
        assertThat(ran.size()).isGreaterThan(10_000);
    }

    @Test
    void anEventForThePastRunsNowAfterThoseAlreadyDue() {
        EventQueue q = new EventQueue();
        List<String> ran = new ArrayList<>();
        q.at(10, () -> {
            ran.add("a");
            q.at(3, () -> ran.add("late"));
        });
        q.at(10, () -> ran.add("b"));
        q.at(11, () -> ran.add("c"));
        assertThat(q.runUntil(100)).isEqualTo(4);
        assertThat(ran).containsExactly("a", "b", "late", "c");
        assertThat(q.now()).isEqualTo(100);
    }
}
