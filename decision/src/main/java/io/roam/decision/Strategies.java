package io.roam.decision;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/** The strategies by name ({@code roam.decision.strategy}), each with a one-line description. */
public final class Strategies {
    private record Entry(String description, Function<DecisionSettings, Strategy> factory) {
    }

    private static final Map<String, Entry> BY_NAME = new TreeMap<>(Map.of(
            IosStrategy.NAME, new Entry(IosStrategy.DESCRIPTION, IosStrategy::new),
            CostAwareStrategy.NAME, new Entry(CostAwareStrategy.DESCRIPTION, CostAwareStrategy::new)));

    private Strategies() {
    }

    /** The registered names, sorted. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** Name to one-line description, sorted by name. */
    public static Map<String, String> descriptions() {
        Map<String, String> out = new LinkedHashMap<>();
        BY_NAME.forEach((name, entry) -> out.put(name, entry.description()));
        return Collections.unmodifiableMap(out);
    }

    /**
     * The strategy called {@code name} with these settings.
     *
     * @throws IllegalArgumentException for an unknown name; the message lists the valid ones
     */
    public static Strategy create(String name, DecisionSettings settings) {
        Objects.requireNonNull(settings, "settings");
        Entry entry = name == null ? null : BY_NAME.get(name);
        if (entry == null) {
            throw new IllegalArgumentException("unknown decision strategy \"" + name + "\"; valid: "
                    + String.join(", ", names()));
        }
        return entry.factory().apply(settings);
    }

    /** The strategy {@code settings} names. */
    public static Strategy create(DecisionSettings settings) {
        return create(settings.strategy(), settings);
    }
}
