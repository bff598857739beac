package io.roam.stealing;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** Drawing without replacement, as the gossip protocols pass on what they heard. */
final class RandomSample {
    private RandomSample() {
    }

    /**
     * Adds to {@code out}, until it holds {@code max}, elements of {@code from} drawn at random
     * without replacement (each draw one {@code nextInt} of {@code rnd}, so a seeded run repeats).
     */
    static <T> void fill(List<T> out, List<T> from, int max, RandomGenerator rnd) {
        List<T> pool = new ArrayList<>(from);
        while (out.size() < max && !pool.isEmpty()) {
            int i = rnd.nextInt(pool.size());
            out.add(pool.get(i));
            pool.set(i, pool.get(pool.size() - 1));
            pool.remove(pool.size() - 1);
        }
    }
}
