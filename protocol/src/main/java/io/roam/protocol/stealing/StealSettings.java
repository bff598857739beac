package io.roam.protocol.stealing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/** The validated {@code roam.stealing} configuration (protocol's reference.conf, key by key). */
public record StealSettings(boolean enabled, VictimSelection protocol, Duration period, double thiefShare, int ttl,
                           Duration replyTimeout, Duration backoffBase, Duration backoffMax, Duration settleTime,
                           Duration migrationTimeout, int maxMigrationsPerJob, double betterThiefRatio) {
    public static StealSettings from(Config root) {
        try {
            Config c = root.getConfig("roam.stealing");
            String p = c.getString("protocol");
            VictimSelection protocol = VictimSelection.byName(p).orElseThrow(
                    () -> bad("protocol", p, "one of " + VictimSelection.names()));
            double share = c.getDouble("thief-share");
            if (!(share > 0 && share <= 1)) {
                throw bad("thief-share", share, "above 0, at most 1");
            }
            int ttl = c.getInt("ttl");
            if (ttl < 0 || ttl > 16) {
                throw bad("ttl", ttl, "0 to 16");
            }
            int perJob = c.getInt("max-migrations-per-job");
            if (perJob < 1 || perJob > 64) {
                throw bad("max-migrations-per-job", perJob, "1 to 64");
            }
            Duration base = duration(c, "backoff-base", Duration.ofMillis(10), Duration.ofMinutes(10));
            Duration max = duration(c, "backoff-max", Duration.ofMillis(10), Duration.ofHours(1));
            if (max.compareTo(base) < 0) {
                throw bad("backoff-max", c.getValue("backoff-max").unwrapped(), "at least backoff-base (" + base + ")");
            }
            double better = c.getDouble("better-thief-ratio");
            if (!(better == 0 || better >= 1 && better <= 100)) {
                throw bad("better-thief-ratio", better, "0 (off) or 1 to 100");
            }
            return new StealSettings(c.getBoolean("enabled"), protocol,
                    duration(c, "period", Duration.ofMillis(10), Duration.ofMinutes(10)), share, ttl,
                    duration(c, "reply-timeout", Duration.ofMillis(10), Duration.ofMinutes(10)), base, max,
                    duration(c, "settle-time", Duration.ZERO, Duration.ofHours(1)),
                    duration(c, "migration-timeout", Duration.ofSeconds(1), Duration.ofHours(1)), perJob, better);
        } catch (ConfigException e) {
            throw new IllegalArgumentException("invalid configuration: " + e.getMessage(), e);
        }
    }

    /** The back-off after {@code refusals} refusals in a row: base doubled each time, at most max. */
    public Duration backoff(int refusals) {
        if (refusals <= 0) {
            return Duration.ZERO;
        }
        Duration d = backoffBase.multipliedBy(1L << Math.min(20, refusals - 1));
        return d.compareTo(backoffMax) > 0 ? backoffMax : d;
    }

    private static Duration duration(Config c, String key, Duration min, Duration max) {
        Duration d = c.getDuration(key);
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw bad(key, c.getValue(key).unwrapped(), min + " to " + max);
        }
        return d;
    }

    private static IllegalArgumentException bad(String key, Object value, String allowed) {
        return new IllegalArgumentException("invalid configuration roam.stealing." + key + " = " + value
                + ": allowed " + allowed);
    }
}
