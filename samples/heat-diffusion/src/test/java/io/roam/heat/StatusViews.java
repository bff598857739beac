package io.roam.heat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Readings of an agent's {@code /api/status} that the namespace-host tests share. */
final class StatusViews {
    private StatusViews() {
    }

    /** Host -> ranks registered there, in rank order (hosts without ranks absent). */
    static Map<String, List<Integer>> placement(JsonNode status) {
        Map<String, List<Integer>> out = new TreeMap<>();
        for (JsonNode n : status.get("nodes")) {
            for (JsonNode p : n.get("processes")) {
                out.computeIfAbsent(n.get("node").get("host").asText(), h -> new ArrayList<>())
                        .add(p.get("rank").asInt());
            }
        }
        out.values().forEach(l -> l.sort(Integer::compare));
        return out;
    }

    /** The processes registered with the agent of {@code host}. */
    static List<JsonNode> processesOn(JsonNode status, String host) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : status.get("nodes")) {
            if (n.get("node").get("host").asText().equals(host)) {
                n.get("processes").forEach(out::add);
            }
        }
        return out;
    }
}
