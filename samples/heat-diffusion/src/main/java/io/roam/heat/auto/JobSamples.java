package io.roam.heat.auto;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One job as the agents see it (GET /api/jobs), sampled once a second by a scenario run:
 * its progress (the highest iteration any rank reported, and the largest iteration time),
 * and where each rank runs. A departing process, still registered for a moment beside its
 * replacement, is told apart by its lower moves count.
 */
final class JobSamples {
    /** At {@code seconds}, the job had done {@code iteration} iterations at {@code iterationMs} each. */
    record Sample(double seconds, long iteration, double iterationMs) {
    }

    final String name;
    final String jobId;
    final List<Sample> samples = new ArrayList<>();
    private final Map<Integer, String> placement = new TreeMap<>();
    private final Map<Integer, Integer> moves = new TreeMap<>();
    private Map<Integer, String> initial;

    JobSamples(String name, String jobId) {
        this.name = name;
        this.jobId = jobId;
    }

    /** The job's entry of GET /api/jobs, or null when it is not listed. */
    static JsonNode find(JsonNode jobs, String jobId) {
        for (JsonNode j : jobs) {
            if (j.get("jobId").asText().equals(jobId)) {
                return j;
            }
        }
        return null;
    }

    /**
     * Takes the job's entry at {@code seconds}; returns the ranks that changed host since the
     * last sample, as "rank R A -> B" lines.
     */
    List<String> update(JsonNode job, double seconds) {
        long iteration = 0;
        double ms = 0;
        List<String> changed = new ArrayList<>();
        for (JsonNode r : job.get("ranks")) {
            int rank = r.get("rank").asInt();
            int m = r.path("moves").asInt();
            iteration = Math.max(iteration, r.path("iterations").asLong());
            ms = Math.max(ms, r.path("iterationMs").asDouble());
            Integer seen = moves.get(rank);
            if (seen != null && m < seen) {
                continue;   // the process that left, not yet gone
            }
            moves.put(rank, m);
            String host = r.get("host").asText();
            String before = placement.put(rank, host);
            if (before != null && !before.equals(host)) {
                changed.add("rank " + rank + " " + before + " -> " + host);
            }
        }
        if (initial == null && placement.size() == job.path("size").asInt(placement.size())) {
            initial = new TreeMap<>(placement);
        }
        if (iteration > 0 && (samples.isEmpty() || samples.get(samples.size() - 1).iteration() != iteration)) {
            samples.add(new Sample(seconds, iteration, ms));
        }
        return changed;
    }

    Map<Integer, String> initialPlacement() {
        return initial == null ? Map.of() : initial;
    }

    Map<Integer, String> placement() {
        return new TreeMap<>(placement);
    }
}
