package io.roam.profiling;

/**
 * Exponential smoothing of a measured series, as IOS smooths available processing:
 * {@code value = oldWeight * value + (1 - oldWeight) * sample} (IOS: 1/4 old, 3/4 new).
 * The first sample is taken as it is. Not thread-safe.
 */
public final class Smoother {
    private final double oldWeight;
    private double value = Double.NaN;

    /** @param oldWeight weight of the previous value, 0 (no smoothing) to below 1 */
    public Smoother(double oldWeight) {
        if (!(oldWeight >= 0 && oldWeight < 1)) {
            throw new IllegalArgumentException("oldWeight must be in [0, 1), was " + oldWeight);
        }
        this.oldWeight = oldWeight;
    }

    /** Adds a sample (NaN samples are ignored) and returns the smoothed value. */
    public double update(double sample) {
        if (Double.isNaN(sample)) {
            return value;
        }
        value = Double.isNaN(value) ? sample : oldWeight * value + (1 - oldWeight) * sample;
        return value;
    }

    /** The smoothed value; NaN before the first sample. */
    public double value() {
        return value;
    }
}
