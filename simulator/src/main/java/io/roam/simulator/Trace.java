package io.roam.simulator;

/** A running hash of what happened in a run (migrations, samples): equal runs have equal traces. */
final class Trace {
    private long hash = 0x9E3779B97F4A7C15L;

    void add(long... values) {
        for (long v : values) {
            hash = (hash ^ v) * 0x100000001B3L;
            hash ^= hash >>> 29;
        }
    }

    void addDouble(double v) {
        add(new long[] {Double.doubleToLongBits(v)});
    }

    long value() {
        return hash;
    }
}
