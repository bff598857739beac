package io.roam.stealing;

import com.typesafe.config.Config;
import io.roam.config.Settings;
import java.time.Duration;

/**
 * The validated {@code roam.stealing} configuration (this module's reference.conf, key by key).
 * The last six keep a rank from moving back and forth: {@code minResidence} and
 * {@code returnCooldown} with {@code returnHold} (see {@link Observations#heldBack}), the budget of
 * {@code moveBudget} moves of one job per {@code moveBudgetWindow} that a node gives away,
 * and the hold of a move whose measured effect was no gain ({@link #noGainHold(int)}). The last
 * three are the informed protocol's swaps ({@link Swaps}).
 */
public record StealSettings(boolean enabled, VictimSelection protocol, Duration period, double thiefShare, int ttl,
                           Duration replyTimeout, Duration backoffBase, Duration backoffMax, Duration settleTime,
                           Duration migrationTimeout, int maxMigrationsPerJob, double betterThiefRatio,
                           Duration minResidence, Duration returnCooldown, int moveBudget, Duration moveBudgetWindow,
                           Duration noGainHold, Duration noGainHoldMax, Duration returnHold, boolean swaps,
                           double swapAbove, double swapMinGain) {
    public static StealSettings from(Config root) {
        Settings s = Settings.of(root, "roam.stealing");
        String p = s.string("protocol");
        VictimSelection protocol = VictimSelection.byName(p).orElseThrow(
                () -> s.bad("protocol", p, "one of " + VictimSelection.names()));
        double share = s.number("thief-share", 0, 1, "above 0, at most 1");
        if (!(share > 0)) {
            throw s.bad("thief-share", "above 0, at most 1");
        }
        int ttl = s.integer("ttl", 0, 16);
        int perJob = s.integer("max-migrations-per-job", 1, 64);
        Duration base = s.duration("backoff-base", Duration.ofMillis(10), Duration.ofMinutes(10));
        Duration max = s.duration("backoff-max", Duration.ofMillis(10), Duration.ofHours(1));
        if (max.compareTo(base) < 0) {
            throw s.bad("backoff-max", "at least backoff-base (" + Settings.format(base) + ")");
        }
        Duration hold = s.duration("no-gain-hold", Duration.ZERO, Duration.ofHours(24));
        Duration holdMax = s.duration("no-gain-hold-max", Duration.ZERO, Duration.ofDays(7));
        if (holdMax.compareTo(hold) < 0) {
            throw s.bad("no-gain-hold-max", "at least no-gain-hold (" + Settings.format(hold) + ")");
        }
        double better = s.number("better-thief-ratio", 0, 100, "0 (off) or 1 to 100");
        if (better > 0 && better < 1) {
            throw s.bad("better-thief-ratio", "0 (off) or 1 to 100");
        }
        return new StealSettings(s.flag("enabled"), protocol,
                s.duration("period", Duration.ofMillis(10), Duration.ofMinutes(10)), share, ttl,
                s.duration("reply-timeout", Duration.ofMillis(10), Duration.ofMinutes(10)), base, max,
                s.duration("settle-time", Duration.ZERO, Duration.ofHours(1)),
                s.duration("migration-timeout", Duration.ofSeconds(1), Duration.ofHours(1)), perJob, better,
                s.duration("min-residence", Duration.ZERO, Duration.ofHours(1)),
                s.duration("return-cooldown", Duration.ZERO, Duration.ofHours(24)),
                s.integer("move-budget", 1, 1000),
                s.duration("move-budget-window", Duration.ZERO, Duration.ofHours(24), "0 (no budget) to 24 h"),
                hold, holdMax, s.duration("return-hold", Duration.ZERO, Duration.ofHours(1)), s.flag("swaps"),
                s.number("swap-above", 1, 2, "1 to 2"), s.number("swap-min-gain", 0, 0.5, "0 to 0.5"));
    }

    /** These settings with stealing on and {@code p} as the protocol (the simulator runs each protocol). */
    public StealSettings withProtocol(VictimSelection p) {
        return new StealSettings(true, p, period, thiefShare, ttl, replyTimeout, backoffBase, backoffMax, settleTime,
                migrationTimeout, maxMigrationsPerJob, betterThiefRatio, minResidence, returnCooldown, moveBudget,
                moveBudgetWindow, noGainHold, noGainHoldMax, returnHold, swaps, swapAbove, swapMinGain);
    }

    /** These settings with the informed protocol's swaps on or off (the simulator's {@code swap} balancer). */
    public StealSettings withSwaps(boolean on) {
        return new StealSettings(enabled, protocol, period, thiefShare, ttl, replyTimeout, backoffBase, backoffMax,
                settleTime, migrationTimeout, maxMigrationsPerJob, betterThiefRatio, minResidence, returnCooldown,
                moveBudget, moveBudgetWindow, noGainHold, noGainHoldMax, returnHold, on, swapAbove, swapMinGain);
    }

    /** Whether this node swaps: the informed protocol with swaps on. */
    public boolean swapping() {
        return swaps && protocol == VictimSelection.INFORMED;
    }

    /**
     * How long a move that did not help is held back after the {@code times}-th time in a row
     * it did not: no-gain-hold doubled each time, at most no-gain-hold-max.
     */
    public Duration noGainHold(int times) {
        if (times <= 0) {
            return Duration.ZERO;
        }
        Duration d = noGainHold.multipliedBy(1L << Math.min(20, times - 1));
        return d.compareTo(noGainHoldMax) > 0 ? noGainHoldMax : d;
    }

    /** The back-off after {@code refusals} refusals in a row: base doubled each time, at most max. */
    public Duration backoff(int refusals) {
        if (refusals <= 0) {
            return Duration.ZERO;
        }
        Duration d = backoffBase.multipliedBy(1L << Math.min(20, refusals - 1));
        return d.compareTo(backoffMax) > 0 ? backoffMax : d;
    }
}
