package io.roam.decision;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.roam.config.Settings;
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
 * @param window              samples kept of each figure a decision uses, 2 to 100
 * @param minSamples          no move before this many samples of each figure, 2 to window
 * @param noiseFactor         k: the thief's median must exceed the median here by more than k times
 *                            their combined spread, 0 to 10
 * @param paybackHorizon      a move must pay back its cost within this much run time, 1 s to 24 h
 * @param effectMinChange     a move's measured effect counts (gain or worse) only beyond this share of the
 *                            iteration time before it, 0 to 1 ({@link MoveEffect})
 * @param communicationFullShare the communication gain counts fully when the traffic it is about would
 *                            take this share of the process's time over the measured link to the thief,
 *                            in proportion below it; 0 = always fully (IOS as published), 0 to 1
 */
public record DecisionSettings(String strategy, double processingWeight, double communicationWeight,
                               double threshold, double minComputeShare, double minSpeedup, long horizonIterations,
                               Duration spawnCost, long defaultTransferRate, double paybackFactor, int window,
                               int minSamples, double noiseFactor, Duration paybackHorizon,
                               double effectMinChange, double communicationFullShare) {
    /** The settings from {@code root}'s {@code roam.decision}. */
    public static DecisionSettings from(Config root) {
        Settings s = Settings.of(root, "roam.decision");
        String strategy = s.string("strategy");
        if (!Strategies.names().contains(strategy)) {
            throw s.bad("strategy", strategy, "one of " + String.join(", ", Strategies.names()));
        }
        double wp = s.number("processing-weight", 0, 1);
        double wc = s.number("communication-weight", 0, 1);
        if (!(wp + wc > 0)) {
            throw s.bad("communication-weight", "0 to 1, with processing-weight + communication-weight > 0");
        }
        int window = s.integer("window", 2, 100);
        int minSamples = s.integer("min-samples", 2, 100);
        if (minSamples > window) {
            throw s.bad("min-samples", "2 to 100 and at most window (" + window + ")");
        }
        return new DecisionSettings(strategy, wp, wc, s.number("threshold", -1, 1), s.number("min-compute-share", 0, 1),
                s.number("min-speedup", 1, 100), s.integer("horizon-iterations", 1, 10_000_000),
                s.duration("spawn-cost", Duration.ZERO, Duration.ofMinutes(10)),
                s.bytes("default-transfer-rate", 1024, 100L << 30, "1 KiB to 100 GiB (per second)"),
                s.number("payback-factor", 1, 1000), window, minSamples, s.number("noise-factor", 0, 10),
                s.duration("payback-horizon", Duration.ofSeconds(1), Duration.ofHours(24)),
                s.number("effect-min-change", 0, 1), s.number("communication-full-share", 0, 1));
    }

    /** Judges a move's effect from the windows before and after it with these settings. */
    public MoveEffect judge(Summary beforeNs, Summary afterNs) {
        return MoveEffect.judge(beforeNs, afterNs, minSamples, noiseFactor, effectMinChange);
    }

    /** The reference settings (decision's reference.conf). */
    public static DecisionSettings defaults() {
        return from(ConfigFactory.defaultReference());
    }
}
