package io.roam.agents;

import java.util.HashMap;
import java.util.Map;

/**
 * Which of the grow planner's "no grow" / "no shrink" reasons are worth a log line: a new rule
 * (or the first time) at once; the same rule with the prediction in another band (a quarter
 * of speedup, so an operator who throttles a node sees the model follow) at most once per
 * {@code quietMillis}, since a prediction near a band's edge crosses it at every check (seen:
 * a line a second for minutes while a throttled job's prediction swung between 0.7 and 0.9 x).
 * The same rule in the same band: never again. Plain class: AutoGrow keeps one.
 */
final class DeclineLog {
    private record Said(String rule, int band, long atMillis) {
    }

    private final long quietMillis;
    private final Map<String, Said> said = new HashMap<>();

    DeclineLog(long quietMillis) {
        this.quietMillis = quietMillis;
    }

    /** Whether to log {@code rule} (in {@code band}) for {@code key} now, and if so remembers it. */
    boolean shouldSay(String key, String rule, int band, long nowMillis) {
        Said last = said.get(key);
        boolean say = last == null || !last.rule().equals(rule)
                || (last.band() != band && nowMillis - last.atMillis() >= quietMillis);
        if (say) {
            said.put(key, new Said(rule, band, nowMillis));
        }
        return say;
    }

    /** Forgets what was said for every key of {@code job} (keys end with " " + job): the next reason is new. */
    void forget(String job) {
        said.keySet().removeIf(k -> k.endsWith(" " + job));
    }
}
