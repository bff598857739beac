package io.roam.heat.auto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The moves of the demo's job as the agents measured them (GET /api/migrations): for each
 * completed move, the job's iteration time before and after it and the verdict (gain, no
 * gain, worse), which the target agent sends once the replacement has run for a window of
 * heartbeats, or when the job ends.
 */
final class MoveEffects {
    /** One completed move and what it did to the job (verdict MEASURING if the agents have not said yet). */
    record Move(int rank, String source, String target, String verdict, String effect) {
        String describe() {
            return String.format(Locale.ROOT, "rank %d %s -> %s: %s", rank, source, target, effect);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private MoveEffects() {
    }

    /**
     * The completed moves, oldest first, once every one of them has its effect measured, or
     * as they are after {@code wait}.
     */
    static List<Move> collect(HttpClient http, String api, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        List<Move> moves = List.of();
        do {
            moves = read(http, api);
            if (moves != null && moves.stream().noneMatch(m -> m.verdict().equals("MEASURING"))) {
                return moves;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        return moves == null ? List.of() : moves;
    }

    private static List<Move> read(HttpClient http, String api) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(api + "/api/migrations"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            List<Move> out = new ArrayList<>();
            for (JsonNode m : JSON.readTree(r.body())) {
                if (!"DONE".equals(m.get("phase").asText())) {
                    continue;
                }
                JsonNode e = m.get("effect");
                boolean measured = e != null && !e.isNull();
                out.add(0, new Move(m.get("rank").asInt(), m.get("source").asText(), m.get("target").asText(),
                        measured ? e.get("verdict").asText() : "MEASURING",
                        measured ? e.get("text").asText() : "not measured yet"));
            }
            return out;
        } catch (Exception e) {
            return null;
        }
    }
}
