package io.roam.heat.auto;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * The verdict of {@code make demo}: did Roam do its job? The job must end normally and
 * bit-exact, and after rebalancing its iteration time must be within {@link #AFTER_OVER_BEFORE_MAX}
 * of what it was before the slowdown. The two windows are a minute apart on a machine others
 * may use; when the machine gave the job's hosts clearly less of their CPU quota after than
 * before ({@link HostCpu}: the ranks poll, so they use all of it whenever they get it), the
 * iteration time after is compared for the CPU they got: scaled by delivered after / delivered
 * before. The verdict line says so, with both figures.
 */
final class Verdict {
    /** The most a rank's iteration time may be after rebalancing, as a multiple of before the slowdown. */
    static final double AFTER_OVER_BEFORE_MAX = 1.1;
    /** Delivered CPU after below this share of before counts as the machine's doing (a tenth less). */
    static final double LESS_CPU = 0.9;

    private Verdict() {
    }

    /** after / before, for the CPU the hosts got when the machine gave clearly less after; else as measured. */
    static double ratio(JsonNode r) {
        double ratio = r.get("afterMs").asDouble() / r.get("beforeMs").asDouble();
        double scale = cpuScale(r);
        return Double.isNaN(scale) ? ratio : ratio * scale;
    }

    /** delivered after / delivered before when it is below {@link #LESS_CPU}; NaN otherwise. */
    static double cpuScale(JsonNode r) {
        double b = r.path("deliveredBefore").asDouble(Double.NaN);
        double a = r.path("deliveredAfter").asDouble(Double.NaN);
        if (Double.isNaN(a) || Double.isNaN(b) || !(b > 0)) {
            return Double.NaN;
        }
        double scale = Math.min(1, a / b);
        return scale < LESS_CPU ? scale : Double.NaN;
    }

    /** Why the run does not show Roam doing its job, or null when it does. */
    static String failure(JsonNode r) {
        if (r.get("exit").asInt() != 0) {
            return "the job ended with exit code " + r.get("exit").asInt();
        }
        if (!r.get("bitExact").asBoolean()) {
            return "the final grid differs from the run without Roam";
        }
        if (!r.has("afterMs")) {
            return null;   // --no-slowdown: the job ran and its result is right
        }
        double ratio = ratio(r);
        if (Double.isNaN(ratio)) {
            return "no migration after the slowdown: the job ran on at the throttled host's pace";
        }
        if (ratio > AFTER_OVER_BEFORE_MAX) {
            return String.format(Locale.ROOT, "after rebalancing the iteration time is %.2f x what it was before the "
                    + "slowdown (at most %.2f x expected)%s", ratio, AFTER_OVER_BEFORE_MAX, cpuSaid(r));
        }
        return null;
    }

    static String achieved(JsonNode r) {
        if (!r.has("afterMs")) {
            return "the job ran to its end under the agents and its grid is bit-exact";
        }
        return String.format(Locale.ROOT, "the slowed rank was moved %.1f s after the slowdown, the iteration time "
                + "after rebalancing is %.2f x before it (target at most %.2f x)%s, %d migration(s), grid bit-exact",
                r.get("reactionSeconds").asDouble(), ratio(r), AFTER_OVER_BEFORE_MAX, cpuSaid(r),
                r.get("migrations").size());
    }

    /** How the CPU the machine gave entered the ratio, or "" when it did not. */
    private static String cpuSaid(JsonNode r) {
        double scale = cpuScale(r);
        if (Double.isNaN(scale)) {
            return "";
        }
        return String.format(Locale.ROOT, " for the CPU the machine gave: other work took cores, and the job's hosts "
                + "got %.0f %% of their quota after rebalancing against %.0f %% before (%.2f x as measured)",
                100 * r.get("deliveredAfter").asDouble(), 100 * r.get("deliveredBefore").asDouble(),
                r.get("afterMs").asDouble() / r.get("beforeMs").asDouble());
    }
}
