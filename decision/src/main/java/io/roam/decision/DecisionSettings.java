package io.roam.decision;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;

/**
 * The validated {@code roam.decision} configuration (see reference.conf, key by key). A bad
 * value fails with the key, the value and what is allowed.
 *
 * @param strategy            the strategy's name in {@link Strategies}
 * @param processingWeight    wp, weight of the processing gain, 0 to 1
 * @param communicationWeight wc, weight of the communication gain, 0 to 1 (wp + wc > 0)
 * @param threshold           a candidate moves only if its gain is above this, -1 to 1
 * @param minComputeShare     a process computing less than this share of its time stays, 0 to 1
 * @param minSpeedup          a process moves only if it would run this many times faster, 1 to 100
 * @param horizonIterations   iterations over which cost-aware counts the time saved, 1 to 10^7
 * @param spawnCost           the stall of a move besides the state transfer, 0 to 10 min
 * @param defaultTransferRate bytes/s assumed when the rate to the thief is unknown, 1 KiB to 100 GiB
 * @param paybackFactor       cost-aware moves only if the benefit exceeds this times the cost, 1 to 1000
 */
public record DecisionSettings(String strategy, double processingWeight, double communicationWeight,
                               double threshold, double minComputeShare, double minSpeedup, long horizonIterations,
                               Duration spawnCost, long defaultTransferRate, double paybackFactor) {
    private static final String PREFIX = "roam.decision.";

    /** The settings from {@code root}'s {@code roam.decision}. */
    public static DecisionSettings from(Config root) {
        try {
            Config c = root.getConfig("roam.decision");
            String strategy = c.getString("strategy");
            if (!Strategies.names().contains(strategy)) {
                throw bad("strategy", strategy, "one of " + String.join(", ", Strategies.names()));
            }
            double wp = number(c, "processing-weight", 0, 1);
            double wc = number(c, "communication-weight", 0, 1);
            if (!(wp + wc > 0)) {
                throw bad("communication-weight", wc, "0 to 1, with processing-weight + communication-weight > 0");
            }
            double threshold = number(c, "threshold", -1, 1);
            double minComputeShare = number(c, "min-compute-share", 0, 1);
            double minSpeedup = number(c, "min-speedup", 1, 100);
            long horizon = c.getLong("horizon-iterations");
            if (horizon < 1 || horizon > 10_000_000) {
                throw bad("horizon-iterations", horizon, "1 to 10000000");
            }
            Duration spawnCost = c.getDuration("spawn-cost");
            if (spawnCost.isNegative() || spawnCost.compareTo(Duration.ofMinutes(10)) > 0) {
                throw bad("spawn-cost", c.getValue("spawn-cost").unwrapped(), "0 to 10 min");
            }
            long rate = c.getBytes("default-transfer-rate");
            if (rate < 1024 || rate > 100L << 30) {
                throw bad("default-transfer-rate", c.getValue("default-transfer-rate").unwrapped(),
                        "1 KiB to 100 GiB (per second)");
            }
            double payback = number(c, "payback-factor", 1, 1000);
            return new DecisionSettings(strategy, wp, wc, threshold, minComputeShare, minSpeedup, horizon, spawnCost,
                    rate, payback);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    /** The reference settings (decision's reference.conf). */
    public static DecisionSettings defaults() {
        return from(ConfigFactory.defaultReference());
    }

    private static double number(Config c, String key, double min, double max) {
        double v = c.getDouble(key);
        if (!(v >= min && v <= max)) {
            throw bad(key, v, format(min) + " to " + format(max));
        }
        return v;
    }

    private static String format(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static IllegalArgumentException bad(String key, Object value, String allowed) {
        return new IllegalArgumentException("invalid configuration " + PREFIX + key + " = " + value
                + ": allowed " + allowed);
    }
}
