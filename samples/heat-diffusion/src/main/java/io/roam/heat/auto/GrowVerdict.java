package io.roam.heat.auto;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The verdict of the grow demo (make demo SCENARIO=grow, {@link GrowDemo}): did Roam do its
 * job? The job must end normally and bit-exact against the run without Roam, it must have grown
 * by itself after host 3 joined (not before), onto host 3, and after the grow its iteration
 * time must be at most {@link #AFTER_OVER_BEFORE_MAX} of what it was on 2 ranks before the join.
 * As in the main demo's {@link Verdict}, when the machine gave the job's hosts clearly less of
 * their CPU quota after than before, the ratio is taken for the CPU they got (the line says so).
 */
final class GrowVerdict {
    /**
     * The most the iteration time after the grow may be, as a multiple of before the join: the
     * grow must make the job faster. A third of the work per rank predicts 2/3 (plus what does
     * not shrink: the halo exchange and PCM_Status's allreduce per iteration, across hosts), but
     * on the 2 shared cores of the machine it was measured on, with other work at a load average
     * of 11 to 16, the job got 0.85 to 0.92 x (benchmarks/results/grow-demo.md): the hosts'
     * quotas do not buy a memory-bound sweep the speed they would alone, and host 1 also runs
     * mpirun, roam run and the seed agent. 0.95 fails a grow that did not pay.
     */
    static final double AFTER_OVER_BEFORE_MAX = 0.95;
    /** The gain model's figures in rank 0's agent's "growing job" line. */
    private static final java.util.regex.Pattern PREDICTED = java.util.regex.Pattern.compile(
            "predicted .*?payback [0-9.]+ s");

    private GrowVerdict() {
    }

    /** Why the run does not show Roam doing its job, or null when it does. */
    static String failure(JsonNode r) {
        if (r.path("exit").asInt(-1) != 0) {
            return "the job ended with exit code " + r.path("exit").asInt(-1);
        }
        if (!r.path("joined").asBoolean()) {
            return "host 3's agent never joined (the job ended first)";
        }
        if (!r.path("grew").asBoolean()) {
            return "the job did not grow after host 3 joined: it ran on at " + r.path("sizeAfter").asInt() + " ranks";
        }
        if (!(r.path("growSeconds").asDouble(-1) >= 0)) {
            return "the job grew before host 3 joined";
        }
        String joiner = r.path("joiningHost").asText();
        List<String> hosts = new ArrayList<>();
        r.path("finalPlacement").forEach(h -> hosts.add(h.asText()));
        if (!hosts.contains(joiner) || r.path("ranksAtEnd").asInt() != r.path("sizeAfter").asInt()
                || r.path("sizeAfter").asInt() <= r.path("sizeBefore").asInt()) {
            return String.format(Locale.ROOT, "the job did not end grown onto host 3 (%s): %d -> %d processes, ranks "
                    + "on %s, heat's final line says %d ranks", joiner, r.path("sizeBefore").asInt(),
                    r.path("sizeAfter").asInt(), hosts, r.path("ranksAtEnd").asInt());
        }
        if (!r.path("bitExact").asBoolean()) {
            return "the final grid differs from the run without Roam";
        }
        double ratio = ratio(r);
        if (Double.isNaN(ratio)) {
            return "no iteration time measured before the join or after the grow";
        }
        if (ratio > AFTER_OVER_BEFORE_MAX) {
            return String.format(Locale.ROOT, "after the grow the iteration time is %.2f x what it was before host 3 "
                    + "joined (at most %.2f x expected)%s", ratio, AFTER_OVER_BEFORE_MAX, cpuSaid(r));
        }
        return null;
    }

    /** after / before, for the CPU the hosts got when the machine gave clearly less after; NaN if unmeasured. */
    static double ratio(JsonNode r) {
        if (!r.has("afterMs") || !r.has("beforeMs")) {
            return Double.NaN;
        }
        return Verdict.ratio(r);
    }

    static String achieved(JsonNode r) {
        java.util.regex.Matcher m = PREDICTED.matcher(r.path("prediction").asText());
        return String.format(Locale.ROOT, "the job grew %d -> %d processes onto host 3 %.1f s after it joined%s, the "
                        + "iteration time after the grow is %.2f x before it (target at most %.2f x)%s, grid bit-exact "
                        + "(%d iterations)", r.path("sizeBefore").asInt(), r.path("sizeAfter").asInt(),
                r.path("growSeconds").asDouble(), m.find() ? " (the agents " + m.group() + ")" : "", ratio(r),
                AFTER_OVER_BEFORE_MAX,
                cpuSaid(r), r.path("iterations").asLong());
    }

    /** How the CPU the machine gave entered the ratio, or "" when it did not. */
    private static String cpuSaid(JsonNode r) {
        double scale = Verdict.cpuScale(r);
        if (Double.isNaN(scale)) {
            return "";
        }
        return String.format(Locale.ROOT, " for the CPU the machine gave: other work took cores, and the job's hosts "
                + "got %.0f %% of their quota after the grow against %.0f %% before (%.2f x as measured)",
                100 * r.get("deliveredAfter").asDouble(), 100 * r.get("deliveredBefore").asDouble(),
                r.get("afterMs").asDouble() / r.get("beforeMs").asDouble());
    }
}
