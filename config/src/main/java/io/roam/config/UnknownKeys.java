package io.roam.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Keys under a namespace (such as {@code roam}) that no reference.conf defines: a misspelt
 * key ({@code roam.agent.max-neigbours = 5}) would otherwise be accepted and do nothing. The
 * error names the key, where it was set and the nearest known key by edit distance:
 * {@code unknown configuration key roam.agent.max-neigbours (set in --set): did you mean
 * roam.agent.max-neighbours? ...}.
 */
public final class UnknownKeys {
    private UnknownKeys() {
    }

    /**
     * Fails with {@link Settings.Invalid} on the first key (in alphabetical order) under
     * {@code namespace} of {@code root} that {@code reference} does not have. {@code root} is
     * the configuration in use, reference included (keys set to null are not looked at).
     */
    public static void check(Config root, Config reference, String namespace) {
        Map<String, ConfigValue> unknown = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : entries(root, namespace).entrySet()) {
            if (!reference.hasPathOrNull(e.getKey())) {
                unknown.put(e.getKey(), e.getValue());
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        Map.Entry<String, ConfigValue> first = unknown.entrySet().iterator().next();
        String key = first.getKey();
        String where = first.getValue().origin().description();
        String message = "unknown configuration key " + key + " (set in " + where + ")";
        Optional<String> near = nearest(key, new ArrayList<>(entries(reference, namespace).keySet()));
        message += near.map(n -> ": did you mean " + n + "?").orElse(":");
        message += " Correct or remove it (every key, with its meaning and range, is in the reference.conf of its"
                + " module, e.g. agents/src/main/resources/reference.conf for " + namespace + ".agent)";
        if (unknown.size() > 1) {
            message += "; " + (unknown.size() - 1) + " more unknown: " + String.join(", ",
                    unknown.keySet().stream().skip(1).limit(5).toList()) + (unknown.size() > 6 ? ", ..." : "");
        }
        throw new Settings.Invalid(message);
    }

    /** The known key nearest to {@code key} by edit distance, if one is near enough to be a slip. */
    public static Optional<String> nearest(String key, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key, k);
            if (d < bestDistance || (d == bestDistance && best != null && k.compareTo(best) < 0)) {
                best = k;
                bestDistance = d;
            }
        }
        // a slip changes a few characters; beyond half the key the guess would only confuse
        return best != null && bestDistance <= Math.max(3, key.length() / 2) ? Optional.of(best) : Optional.empty();
    }

    /** Levenshtein distance: the fewest insertions, deletions and substitutions from a to b. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** Every leaf key under {@code namespace}, as a full path. */
    private static Map<String, ConfigValue> entries(Config c, String namespace) {
        Map<String, ConfigValue> out = new TreeMap<>();
        if (!c.hasPath(namespace)) {
            return out;
        }
        try {
            for (Map.Entry<String, ConfigValue> e : c.getConfig(namespace).entrySet()) {
                out.put(namespace + "." + e.getKey(), e.getValue());
            }
        } catch (ConfigException.WrongType notASection) {
            out.put(namespace, c.getValue(namespace));
        }
        return out;
    }
}
