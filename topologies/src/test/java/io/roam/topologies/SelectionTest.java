package io.roam.topologies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SelectionTest {

    @Test
    void emptyListsGiveNothing() {
        Random rnd = new Random(1);
        assertThat(Selection.random(List.of(), rnd)).isEmpty();
        assertThat(Selection.weighted(List.<String>of(), s -> 1.0, rnd)).isEmpty();
    }

    @Test
    void randomIsRoughlyUniform() {
        Random rnd = new Random(7);
        List<String> items = List.of("a", "b", "c", "d");
        Map<String, Integer> counts = new HashMap<>();
        int draws = 40_000;
        for (int i = 0; i < draws; i++) {
            counts.merge(Selection.random(items, rnd).orElseThrow(), 1, Integer::sum);
        }
        for (String s : items) {
            assertThat(counts.get(s) / (double) draws).isCloseTo(0.25, within(0.01));
        }
    }

    @Test
    void weightedFollowsWeightsAndNeverPicksNonPositiveOrNaN() {
        Map<String, Double> weights = Map.of("zero", 0.0, "one", 1.0, "neg", -5.0, "two", 2.0,
                "nan", Double.NaN, "five", 5.0);
        List<String> items = List.of("zero", "one", "neg", "two", "nan", "five");
        Random rnd = new Random(42);
        Map<String, Integer> counts = new HashMap<>();
        int draws = 80_000;
        for (int i = 0; i < draws; i++) {
            counts.merge(Selection.weighted(items, weights::get, rnd).orElseThrow(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("one", "two", "five");
        assertThat(counts.get("one") / (double) draws).isCloseTo(1 / 8.0, within(0.01));
        assertThat(counts.get("two") / (double) draws).isCloseTo(2 / 8.0, within(0.01));
        assertThat(counts.get("five") / (double) draws).isCloseTo(5 / 8.0, within(0.01));
    }

    @Test
    void allNonPositiveWeightsGiveNothing() {
        List<Double> items = List.of(0.0, -1.0, Double.NaN, Double.NEGATIVE_INFINITY);
        assertThat(Selection.weighted(items, Double::doubleValue, new Random(3))).isEmpty();
    }

    @Test
    void infiniteWeightsWinAndShareUniformly() {
        Map<String, Double> weights = Map.of("huge", 1e300, "inf1", Double.POSITIVE_INFINITY,
                "five", 5.0, "inf2", Double.POSITIVE_INFINITY);
        List<String> items = List.of("huge", "inf1", "five", "inf2");
        Random rnd = new Random(5);
        Map<String, Integer> counts = new HashMap<>();
        int draws = 10_000;
        for (int i = 0; i < draws; i++) {
            counts.merge(Selection.weighted(items, weights::get, rnd).orElseThrow(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("inf1", "inf2");
        assertThat(counts.get("inf1") / (double) draws).isCloseTo(0.5, within(0.03));
    }

    @Test
    void hugeFiniteWeightsDoNotOverflow() {
        List<Double> items = List.of(Double.MAX_VALUE, Double.MAX_VALUE, 0.0);
        Random rnd = new Random(9);
        for (int i = 0; i < 1000; i++) {
            assertThat(Selection.weighted(items, Double::doubleValue, rnd)).hasValue(Double.MAX_VALUE);
        }
    }

    @Test
    void weightFunctionIsCalledOncePerItem() {
        int[] calls = {0};
        Selection.weighted(List.of("a", "b", "c"), s -> {
            calls[0]++;
            return 1.0;
        }, new Random(1));
        assertThat(calls[0]).isEqualTo(3);
    }
}
