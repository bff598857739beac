package io.roam.simulator;

import io.roam.decision.Strategies;
import io.roam.decision.Strategy;
import io.roam.stealing.VictimSelection;
import java.util.List;
import java.util.Locale;

/**
 * The balancers by name: rs, ats, nts, informed, swap (work stealing; swap = informed with its
 * swaps), gossip, grapevine, greedy, none.
 */
public final class Balancers {
    /** Every name, in report order. */
    public static final List<String> NAMES = List.of("rs", "ats", "nts", "informed", "swap", "gossip", "grapevine",
            "greedy", "none");

    private Balancers() {
    }

    /** The decision strategy the simulated victims run: the real one, as the agent creates it. */
    public static Strategy strategyFor(Scenario s) {
        return Strategies.create(s.decision().strategy(), s.decision());
    }

    static Balancer create(String name, World w, Strategy strategy) {
        String n = name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "rs", "ats", "nts", "informed" -> new StealingBalancer(w, VictimSelection.byName(n).orElseThrow(), strategy,
                    false);
            case "swap" -> new StealingBalancer(w, VictimSelection.INFORMED, strategy, true);
            case "gossip" -> new GossipBalancer(w);
            case "grapevine" -> new GrapevineBalancer(w);
            case "greedy" -> new GreedyBalancer(w);
            case "none" -> new NoBalancer(w);
            default -> throw new IllegalArgumentException("unknown balancer \"" + name + "\"; valid: "
                    + String.join(", ", NAMES));
        };
    }

    /** Checks names, for the command line. */
    public static List<String> validate(List<String> names) {
        for (String n : names) {
            if (!NAMES.contains(n.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("unknown balancer \"" + n + "\"; valid: " + String.join(", ", NAMES));
            }
        }
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    }
}
