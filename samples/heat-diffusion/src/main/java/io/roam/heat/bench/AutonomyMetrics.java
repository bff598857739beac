package io.roam.heat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What benchmarks/autonomy.sh measures in a scenario run's result.json (ScenarioRun): each
 * job's iteration time over a window, the completed moves, the ping-pongs among them, and
 * the moves that separate two placements.
 */
final class AutonomyMetrics {
    /** A rank's return to a host it left counts as a ping-pong within this many seconds. */
    static final double PING_PONG_SECONDS = 60;

    /** A completed move, {@code ended} in seconds from the run's time zero. */
    record Move(String job, int rank, String source, String target, double ended, String effect) {
        String describe() {
            return String.format(Locale.ROOT, "%.0f s: job %s rank %d %s -> %s (%s)", ended, job, rank, source, target,
                    effect);
        }
    }

    private AutonomyMetrics() {
    }

    /**
     * The mean iteration time in ms over [from, to] of one job's samples ([seconds, iteration,
     * iterationMs] each): the wall time between the first and the last sample in the window over
     * the iterations done between them, migration pauses included. NaN with fewer than 2 samples.
     */
    static double windowMs(JsonNode samples, double from, double to) {
        JsonNode first = null;
        JsonNode last = null;
        for (JsonNode s : samples) {
            double t = s.get(0).asDouble();
            if (t >= from && t <= to) {
                if (first == null) {
                    first = s;
                }
                last = s;
            }
        }
        if (first == null || last == first || last.get(1).asLong() <= first.get(1).asLong()) {
            return Double.NaN;
        }
        return 1000 * (last.get(0).asDouble() - first.get(0).asDouble()) / (last.get(1).asLong() - first.get(1).asLong());
    }

    /** Each job's (by name: A, B) mean iteration time over the window. */
    static Map<String, Double> jobMs(JsonNode result, double from, double to) {
        Map<String, Double> out = new TreeMap<>();
        for (JsonNode j : result.path("jobs")) {
            out.put(j.get("name").asText(), windowMs(j.get("samples"), from, to));
        }
        return out;
    }

    /**
     * The worst job's ratio of iteration times, {@code a} over {@code b}; NaN when a job lacks a
     * figure on either side.
     */
    static double ratio(Map<String, Double> a, Map<String, Double> b) {
        if (a.isEmpty() || !a.keySet().equals(b.keySet())) {
            return Double.NaN;
        }
        double worst = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> e : a.entrySet()) {
            worst = Math.max(worst, e.getValue() / b.get(e.getKey()));
        }
        return worst;
    }

    /** The completed (DONE) migrations of the run, oldest first, with the job's name. */
    static List<Move> moves(JsonNode result) {
        Map<String, String> names = new HashMap<>();
        result.path("jobs").forEach(j -> names.put(j.get("jobId").asText(), j.get("name").asText()));
        long zero = result.path("zeroEpochMillis").asLong();
        List<Move> out = new ArrayList<>();
        for (JsonNode m : result.path("migrations")) {
            if (!"DONE".equals(m.path("phase").asText())) {
                continue;
            }
            JsonNode e = m.path("effect");
            long ended = m.path("endedAtMillis").asLong(m.path("startedAtMillis").asLong());
            out.add(new Move(names.getOrDefault(m.path("jobId").asText(), m.path("jobId").asText()),
                    m.path("rank").asInt(), m.path("source").asText(), m.path("target").asText(),
                    (ended - zero) / 1000.0, e.isMissingNode() || e.isNull() ? "not measured" : e.path("text").asText()));
        }
        out.sort(Comparator.comparingDouble(Move::ended));
        return out;
    }

    /** The migrations that did not complete (FAILED, or still under way at the end). */
    static List<String> unfinished(JsonNode result) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : result.path("migrations")) {
            if (!"DONE".equals(m.path("phase").asText())) {
                JsonNode events = m.path("events");
                String detail = events.isEmpty() ? "" : events.get(events.size() - 1).path("detail").asText();
                out.add(String.format(Locale.ROOT, "rank %d %s -> %s %s: %s", m.path("rank").asInt(),
                        m.path("source").asText(), m.path("target").asText(), m.path("phase").asText(), detail));
            }
        }
        return out;
    }

    /**
     * Ping-pongs: moves that bring a rank back to a host it left by an earlier move less than
     * {@code within} seconds before (A -> B, later B -> A or C -> A), counted once per return.
     */
    static int pingPongs(List<Move> moves, double within) {
        int n = 0;
        for (int j = 0; j < moves.size(); j++) {
            Move back = moves.get(j);
            for (int i = 0; i < j; i++) {
                Move left = moves.get(i);
                if (left.job().equals(back.job()) && left.rank() == back.rank() && left.source().equals(back.target())
                        && back.ended() - left.ended() <= within) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /**
     * The fewest moves that turn placement {@code from} into one as good as {@code to}: per job
     * and host, the ranks {@code from} has there beyond what {@code to} has (ranks of one job
     * are alike here). The oracle's moves, from the placement roam run gives.
     */
    static int movesBetween(JsonNode from, JsonNode to) {
        Map<String, Integer> excess = new HashMap<>();
        for (JsonNode j : from.path("jobs")) {
            j.path("initialPlacement").forEach(h -> excess.merge(j.get("name").asText() + "@" + h.asText(), 1,
                    Integer::sum));
        }
        for (JsonNode j : to.path("jobs")) {
            j.path("initialPlacement").forEach(h -> excess.merge(j.get("name").asText() + "@" + h.asText(), -1,
                    Integer::sum));
        }
        return excess.values().stream().mapToInt(v -> Math.max(0, v)).sum();
    }

    /** "rank: host" of each job's initial placement, e.g. "A 0:10.0.0.1 1:10.0.0.2". */
    static String placement(JsonNode result, String which) {
        List<String> out = new ArrayList<>();
        for (JsonNode j : result.path("jobs")) {
            StringBuilder sb = new StringBuilder(j.get("name").asText());
            j.path(which).fields().forEachRemaining(e -> sb.append(' ').append(e.getKey()).append(':')
                    .append(e.getValue().asText()));
            out.add(sb.toString());
        }
        return String.join("; ", out);
    }
}
