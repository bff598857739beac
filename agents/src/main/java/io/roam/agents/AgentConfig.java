package io.roam.agents;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.roam.decision.DecisionSettings;
import io.roam.decision.Strategies;
import io.roam.decision.Strategy;
import io.roam.profiling.ProfilingSettings;
import io.roam.protocol.stealing.StealSettings;

/**
 * Every module's validated settings for one agent, read once at start: a bad value in any
 * of them stops the agent before anything runs, naming the key, the value and what is allowed.
 */
public record AgentConfig(AgentSettings agent, ProfilingSettings profiling, StealSettings stealing,
                          DecisionSettings decision) {
    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("\\d+\\s*[a-z]+");

    public static AgentConfig from(Config root) {
        checkTypes(root);
        AgentConfig c = new AgentConfig(AgentSettings.from(root), ProfilingSettings.from(root), StealSettings.from(root),
                DecisionSettings.from(root));
        c.strategy();   // an unknown strategy fails here, listing the valid names
        return c;
    }

    /**
     * Every key of the modules' reference.conf has a value of the reference's type (a number,
     * a duration, true or false): else fails naming the full key, the value and the type wanted.
     * (The modules read their keys relative to their section, so a type error there would name
     * only the last part of the key.)
     */
    static void checkTypes(Config root) {
        Config reference = ConfigFactory.defaultReference();
        for (String section : new String[] {"roam.agent", "roam.profiling", "roam.stealing", "roam.decision"}) {
            if (!reference.hasPath(section)) {
                continue;
            }
            for (var e : reference.getConfig(section).entrySet()) {
                String key = section + "." + e.getKey();
                if (!root.hasPath(key)) {
                    continue;
                }
                String wanted = switch (e.getValue().valueType()) {
                    case NUMBER -> "a number";
                    case BOOLEAN -> "true or false";
                    case STRING -> DURATION.matcher(e.getValue().unwrapped().toString()).matches()
                            ? "a duration such as 500ms, 2s or 1m" : null;
                    default -> null;
                };
                try {
                    switch (e.getValue().valueType()) {
                        case NUMBER -> root.getNumber(key);
                        case BOOLEAN -> root.getBoolean(key);
                        default -> {
                            if (wanted != null) {
                                root.getDuration(key);
                            }
                        }
                    }
                } catch (ConfigException.WrongType | ConfigException.BadValue bad) {
                    throw new AgentSettings.InvalidSetting(key, root.getValue(key).render(), wanted);
                }
            }
        }
    }

    /** The configured decision strategy. */
    public Strategy strategy() {
        return Strategies.create(decision);
    }
}
