package io.roam.pcm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java state registered with {@code Pcm.store}, kept reachable, in registration order.
 * Arrays are registered by reference and only pinned when the rank moves, so
 * {@link #arrays()} hands them to the native reconfigure; direct buffers were registered by
 * address at store time. Guarded by Pcm's lock.
 */
final class StoredArrays {
    /** The arrays to pin and send when this rank moves. */
    record Pinned(String[] keys, Object[] arrays, int[] types) {
        static final Pinned NONE = new Pinned(new String[0], new Object[0], new int[0]);
    }

    private final Map<String, Object> stored = new LinkedHashMap<>();

    /** Registers (or re-registers, moving it last) the state under key. */
    void put(String key, Object state) {
        stored.remove(key);
        stored.put(key, state);
    }

    void remove(String key) {
        stored.remove(key);
    }

    void clear() {
        stored.clear();
    }

    Pinned arrays() {
        List<String> keys = new ArrayList<>();
        List<Object> arrays = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        for (Map.Entry<String, Object> e : stored.entrySet()) {
            int type = type(e.getValue());
            if (type != 0) {
                keys.add(e.getKey());
                arrays.add(e.getValue());
                types.add(type);
            }
        }
        return new Pinned(keys.toArray(new String[0]), arrays.toArray(),
                types.stream().mapToInt(Integer::intValue).toArray());
    }

    private static int type(Object o) {
        if (o instanceof double[]) {
            return PcmNative.T_DOUBLE;
        } else if (o instanceof int[]) {
            return PcmNative.T_INT;
        } else if (o instanceof long[]) {
            return PcmNative.T_LONG;
        } else if (o instanceof byte[]) {
            return PcmNative.T_BYTE;
        }
        return 0;   // a direct buffer: registered by address already
    }
}
