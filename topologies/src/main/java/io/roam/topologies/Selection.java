package io.roam.topologies;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * Random picks over a list, used by {@link Topology#randomNeighbour} and
 * {@link Topology#weightedNeighbour}, and usable on any other list (a local cluster, a set
 * of managers). Deterministic for a given list order and random generator state.
 */
public final class Selection {

    private Selection() {
    }

    /** A uniformly random element, or empty if the list is empty. */
    public static <T> Optional<T> random(List<T> items, RandomGenerator rnd) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(rnd, "rnd");
        return items.isEmpty() ? Optional.empty() : Optional.of(items.get(rnd.nextInt(items.size())));
    }

    /**
     * An element picked with probability proportional to its weight.
     *
     * <p>The weight function is called once per element. A weight that is zero, negative or
     * NaN means "never pick". If some weights are positive infinity, one of those is picked
     * uniformly (the limit of the proportional rule). Empty if no element has a positive
     * weight.
     */
    public static <T> Optional<T> weighted(List<T> items, ToDoubleFunction<? super T> weight,
                                           RandomGenerator rnd) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(rnd, "rnd");
        int n = items.size();
        double[] w = new double[n];
        double max = 0;
        int infinite = 0;
        for (int i = 0; i < n; i++) {
            double x = weight.applyAsDouble(items.get(i));
            w[i] = x > 0 ? x : 0; // also maps NaN to 0
            if (x == Double.POSITIVE_INFINITY) {
                infinite++;
            } else if (w[i] > max) {
                max = w[i];
            }
        }
        if (infinite > 0) {
            int k = rnd.nextInt(infinite);
            for (int i = 0; i < n; i++) {
                if (w[i] == Double.POSITIVE_INFINITY && k-- == 0) {
                    return Optional.of(items.get(i));
                }
            }
        }
        if (max == 0) {
            return Optional.empty();
        }
        double total = 0; // normalised by the largest weight, so the sum cannot overflow
        for (int i = 0; i < n; i++) {
            w[i] /= max;
            total += w[i];
        }
        double r = rnd.nextDouble() * total;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (w[i] > 0) {
                last = i;
                r -= w[i];
                if (r < 0) {
                    return Optional.of(items.get(i));
                }
            }
        }
        return Optional.of(items.get(last)); // rounding left r at about 0: the last positive one
    }
}
