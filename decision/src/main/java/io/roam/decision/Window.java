package io.roam.decision;

/**
 * The last {@code capacity} samples of one figure (a ring), summarized on demand by
 * {@link Summary}. Not thread-safe: kept by whoever receives the samples.
 */
public final class Window {
    private final double[] values;
    private int next;
    private int size;

    public Window(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.values = new double[capacity];
    }

    /** Adds a sample, dropping the oldest when full; NaN and infinities are ignored. */
    public void add(double value) {
        if (!Double.isFinite(value)) {
            return;
        }
        values[next] = value;
        next = (next + 1) % values.length;
        size = Math.min(size + 1, values.length);
    }

    /** How many samples it holds (at most its capacity). */
    public int size() {
        return size;
    }

    public boolean isFull() {
        return size == values.length;
    }

    /** The mean of the samples it holds; NaN when empty. */
    public double mean() {
        double sum = 0;
        for (double v : held()) {
            sum += v;
        }
        return size == 0 ? Double.NaN : sum / size;
    }

    /** Median and spread of the samples it holds. */
    public Summary summary() {
        return Summary.of(held());
    }

    /** Median and spread of the samples it holds, whose noise is a factor ({@link Summary#ofFactors}). */
    public Summary factorSummary() {
        return Summary.ofFactors(held());
    }

    /** The samples it holds, oldest first. */
    private double[] held() {
        double[] held = new double[size];
        for (int i = 0; i < size; i++) {
            held[i] = values[(next - size + i + values.length) % values.length];
        }
        return held;
    }
}
