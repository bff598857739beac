package io.roam.stealing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A gossiped hint as last heard, and when: {@link LoadGossip}'s and {@link SwapGossip}'s
 * entries, updated in place (a view repeats most hints every period).
 *
 * @param <H> the hint
 */
final class Heard<H> {
    /** The address of the node the hint names: the map's key, and the order of {@link #sorted}. */
    final String key;
    H hint;
    long at;

    Heard(String key, H hint, long at) {
        this.key = key;
        this.hint = hint;
        this.at = at;
    }

    /** Drops the hints heard more than {@code maxAgeMs} ago; returns the oldest hearing time kept (MAX_VALUE: none). */
    static <H> long expire(Map<String, Heard<H>> heard, long now, long maxAgeMs) {
        long min = Long.MAX_VALUE;
        for (var it = heard.values().iterator(); it.hasNext(); ) {
            Heard<H> h = it.next();
            if (now - h.at > maxAgeMs) {
                it.remove();
            } else {
                min = Math.min(min, h.at);
            }
        }
        return min;
    }

    /** The hints of {@code heard}, ordered by the address they name (unmodifiable). */
    static <H> List<H> sorted(Map<String, Heard<H>> heard) {
        List<Heard<H>> all = new ArrayList<>(heard.values());
        all.sort((x, y) -> x.key.compareTo(y.key));
        List<H> out = new ArrayList<>(all.size());
        for (Heard<H> h : all) {
            out.add(h.hint);
        }
        return Collections.unmodifiableList(out);
    }
}
