package io.roam.profiling;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/** The validated {@code roam.profiling} configuration (reference.conf, key by key). */
public record ProfilingSettings(Duration period, double smoothingOldWeight, int probeSweeps, int probeRuns) {
    public static ProfilingSettings from(Config root) {
        try {
            Config c = root.getConfig("roam.profiling");
            Duration period = c.getDuration("period");
            if (period.compareTo(Duration.ofMillis(100)) < 0 || period.compareTo(Duration.ofMinutes(1)) > 0) {
                throw bad("period", c.getValue("period").unwrapped(), "100 ms to 1 min");
            }
            double w = c.getDouble("smoothing-old-weight");
            if (!(w >= 0 && w <= 0.95)) {
                throw bad("smoothing-old-weight", w, "0 to 0.95");
            }
            int sweeps = c.getInt("probe-sweeps");
            if (sweeps < 10 || sweeps > 100_000) {
                throw bad("probe-sweeps", sweeps, "10 to 100000");
            }
            int runs = c.getInt("probe-runs");
            if (runs < 1 || runs > 20) {
                throw bad("probe-runs", runs, "1 to 20");
            }
            return new ProfilingSettings(period, w, sweeps, runs);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    private static IllegalArgumentException bad(String key, Object value, String allowed) {
        return new IllegalArgumentException("invalid configuration roam.profiling." + key + " = " + value
                + ": allowed " + allowed);
    }
}
