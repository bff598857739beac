package io.roam.decision;

import java.util.Arrays;
import java.util.Locale;

/**
 * A figure over a window of samples: its median, its spread and how many samples there
 * were. The spread is the mean absolute deviation from the median scaled by sqrt(pi / 2)
 * (for normally distributed samples it estimates their standard deviation). Over the 8 to
 * 10 samples of a window, the median absolute deviation (MAD) was itself too noisy: it is
 * often far below the true spread by chance, and with it equal nodes under +-30 % noise
 * passed a 2-spread rule in 0.4 % of decisions (0.001 % with this spread and k = 3). A wild
 * sample widens this spread, which errs on the side of not moving.
 *
 * @param median  the median of the samples; NaN without samples
 * @param spread  sqrt(pi / 2) x the mean absolute deviation from the median; NaN without samples
 * @param samples how many samples
 */
public record Summary(double median, double spread, int samples) {
    /** No sample at all. */
    public static final Summary NONE = new Summary(Double.NaN, Double.NaN, 0);

    /** Scales the mean absolute deviation to the standard deviation of a normal distribution. */
    static final double MEAN_DEVIATION_TO_SIGMA = Math.sqrt(Math.PI / 2);

    public Summary {
        if (samples < 0) {
            throw new IllegalArgumentException("samples must be >= 0, was " + samples);
        }
    }

    /** The summary of {@code values} (not changed). */
    public static Summary of(double... values) {
        if (values.length == 0) {
            return NONE;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double median = median(v);
        double deviation = 0;
        for (double x : v) {
            deviation += Math.abs(x - median);
        }
        return new Summary(median, MEAN_DEVIATION_TO_SIGMA * deviation / v.length, v.length);
    }

    /**
     * The summary of positive {@code values} whose noise is a factor rather than an amount
     * (iteration times: a rank under a CPU quota, or taking turns with another rank for one,
     * swings between 18 and 207 ms around 30): the median, and as spread the median times the
     * spread of the values' logarithms around the median's. Where the noise is small the two
     * spreads agree; a few very long samples widen the plain spread far beyond the median (a
     * 5 x gain then looked like noise) but this one only by their share. With a value not above
     * 0 it is {@link #of}.
     */
    public static Summary ofFactors(double... values) {
        Summary plain = of(values);
        if (values.length == 0 || !(plain.median > 0) || Arrays.stream(values).anyMatch(v -> !(v > 0))) {
            return plain;
        }
        double logMedian = Math.log(plain.median);
        double deviation = 0;
        for (double x : values) {
            deviation += Math.abs(Math.log(x) - logMedian);
        }
        return new Summary(plain.median, plain.median * MEAN_DEVIATION_TO_SIGMA * deviation / values.length,
                values.length);
    }

    /** A figure known exactly from {@code samples} equal samples (spread 0). */
    public static Summary steady(double value, int samples) {
        return new Summary(value, 0, samples);
    }

    /** The same samples each multiplied by {@code factor} (>= 0): median and spread scale with it. */
    public Summary scaled(double factor) {
        if (!(factor >= 0)) {
            throw new IllegalArgumentException("factor must be >= 0, was " + factor);
        }
        return new Summary(median * factor, spread * factor, samples);
    }

    /** Whether there are at least {@code min} samples. */
    public boolean enough(int min) {
        return samples >= min && samples > 0;
    }

    /**
     * The noise of the difference between this figure and {@code other}: their spreads
     * combined as independent errors, sqrt(s1^2 + s2^2).
     */
    public double combinedSpread(Summary other) {
        return Math.hypot(spread, other.spread);
    }

    /**
     * Whether {@code other}'s median exceeds this one's by more than {@code k} times the
     * combined spread (false when either has no samples).
     */
    public boolean exceededBy(Summary other, double k) {
        return samples > 0 && other.samples > 0 && other.median - median > k * combinedSpread(other);
    }

    /** "median ± spread (n samples)", with the median and spread scaled by {@code unit}. */
    public String describe(double unit) {
        return samples == 0 ? "no samples" : String.format(Locale.ROOT, "%.3g ± %.2g (%d samples)", median / unit,
                spread / unit, samples);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
