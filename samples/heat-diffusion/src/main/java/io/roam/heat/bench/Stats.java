package io.roam.heat.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Median, minimum and maximum of repeated measurements (the median of an even count is the
 * mean of the two middle values).
 */
record Stats(double median, double min, double max, int n) {

    static Stats of(Collection<? extends Number> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        List<Double> v = new ArrayList<>();
        values.forEach(x -> v.add(x.doubleValue()));
        Collections.sort(v);
        int k = v.size();
        double median = k % 2 == 1 ? v.get(k / 2) : (v.get(k / 2 - 1) + v.get(k / 2)) / 2;
        return new Stats(median, v.get(0), v.get(k - 1), k);
    }

    /** This summary with every value multiplied by {@code f} (units). */
    Stats scaled(double f) {
        return f >= 0 ? new Stats(median * f, min * f, max * f, n) : new Stats(median * f, max * f, min * f, n);
    }

    /** "12.3 (11.9 to 13.0)": median (min to max) with {@code decimals} decimals. */
    String format(int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " (" + f + " to " + f + ")", median, min, max);
    }

    /** P(X >= k) for X binomial(n, 1/2): the one-sided tail of a sign test. */
    static double binomialTail(int n, int k) {
        double sum = 0;
        double c = 1;   // C(n, i)
        for (int i = 0; i <= n; i++) {
            if (i >= k) {
                sum += c;
            }
            c = c * (n - i) / (i + 1);
        }
        return sum / Math.pow(2, n);
    }
}
