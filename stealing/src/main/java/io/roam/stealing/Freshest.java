package io.roam.stealing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * How the gossips ({@link LoadGossip}, {@link SwapGossip}) bound what they keep: the hints
 * heard fewest hops away, ties by address, without sorting them all (a node hears up to 80
 * hints a period and trims at every period: the full sort was most of a tick at 100,000 nodes).
 */
final class Freshest {
    private Freshest() {
    }

    /**
     * Removes from {@code hints} (by address) all but the {@code keep} first in the order (hops,
     * address): exactly those a sort in that order would keep. Hops are small (at most
     * {@code maxHops}), so they are counted: only the hints at the cut's hop count are sorted.
     */
    static <H> void keep(Map<String, H> hints, int keep, int maxHops, ToIntFunction<H> hops) {
        if (hints.size() <= keep) {
            return;
        }
        int[] count = new int[maxHops + 2];   // the last: any further (none expected)
        for (H h : hints.values()) {
            count[Math.min(hops.applyAsInt(h), maxHops + 1)]++;
        }
        int cut = 0;
        int below = 0;   // hints nearer than the cut: all kept
        while (below + count[cut] < keep) {
            below += count[cut++];
        }
        List<String> atCut = new ArrayList<>(count[cut]);
        for (Iterator<Map.Entry<String, H>> it = hints.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, H> e = it.next();
            int h = Math.min(hops.applyAsInt(e.getValue()), maxHops + 1);
            if (h > cut) {
                it.remove();
            } else if (h == cut) {
                atCut.add(e.getKey());
            }
        }
        int room = keep - below;
        if (atCut.size() > room) {
            Collections.sort(atCut);
            for (String a : atCut.subList(room, atCut.size())) {
                hints.remove(a);
            }
        }
    }
}
