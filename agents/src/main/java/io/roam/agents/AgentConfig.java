package io.roam.agents;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.roam.agents.logging.Logging;
import io.roam.config.Settings;
import io.roam.config.UnknownKeys;
import io.roam.decision.DecisionSettings;
import io.roam.decision.Strategies;
import io.roam.decision.Strategy;
import io.roam.profiling.ProfilingSettings;
import io.roam.stealing.StealSettings;

/**
 * Every module's validated settings for one agent, read once at start: a bad value in any
 * of them stops the agent before anything runs, naming the key, the value and what is allowed.
 */
public record AgentConfig(AgentSettings agent, ProfilingSettings profiling, StealSettings stealing,
                          DecisionSettings decision, String logFormat) {
    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("\\d+\\s*[a-z]+");

    /**
     * Reads and checks every module's settings. First, every key under {@code roam.} must be one
     * of the modules' reference.conf (a misspelt key fails naming the nearest known one); then
     * every value's type and range, keys read later by parts of the agent included
     * (roam.agent.http.events-interval): nothing has started when this fails.
     */
    public static AgentConfig from(Config root) {
        UnknownKeys.check(root, reference(), "roam");
        checkTypes(root);
        AgentConfig c = new AgentConfig(AgentSettings.from(root), ProfilingSettings.from(root), StealSettings.from(root),
                DecisionSettings.from(root), Logging.format(root));
        c.strategy();   // an unknown strategy fails here, listing the valid names
        checkTimeouts(c.agent(), c.stealing());
        WebRoutes.eventsInterval(root);   // read by the control API once the actor system runs
        AutoGrow.Settings.from(root);     // read by the agent actor (roam.agent.grow)
        AgentResizes.timeout(root);       // read by the agent actor and the drain
        return c;
    }

    /**
     * A thief waits roam.stealing.migration-timeout for the outcome of a migration it accepted;
     * the victim's agent may take up to roam.agent.migration.timeout to end that migration
     * (its order timer). So the thief's wait must be the longer one, or a thief gives up on a
     * migration still under way, backs off, and may steal again while the rank is arriving.
     * Checked when stealing is on (the cluster's agents are meant to share these settings).
     */
    static void checkTimeouts(AgentSettings agent, StealSettings stealing) {
        if (stealing.enabled() && stealing.migrationTimeout().compareTo(agent.migrationTimeout()) <= 0) {
            throw new Settings.Invalid("invalid configuration roam.stealing.migration-timeout = "
                    + Settings.format(stealing.migrationTimeout()) + ": it must be longer than"
                    + " roam.agent.migration.timeout = " + Settings.format(agent.migrationTimeout())
                    + " (a thief waits roam.stealing.migration-timeout for the outcome of a migration that the victim's"
                    + " agent may take roam.agent.migration.timeout to end); raise the first or lower the second");
        }
    }

    /**
     * Every key of the modules' reference.conf has a value of the reference's type (a number,
     * a duration, true or false): else fails naming the full key, the value and the type wanted.
     * (The modules read their keys relative to their section, so a type error there would name
     * only the last part of the key.)
     */
    static void checkTypes(Config root) {
        Config reference = reference();
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
                    throw new Settings.Invalid(key, root.getValue(key).render(), wanted);
                }
            }
        }
    }

    /**
     * The modules' reference.conf files merged, and nothing else (ConfigFactory.defaultReference()
     * holds the system properties too, so a misspelt -D key would be in it).
     */
    static Config reference() {
        return ConfigFactory.parseResources(AgentConfig.class.getClassLoader(), "reference.conf").resolve();
    }

    /** The configured decision strategy. */
    public Strategy strategy() {
        return Strategies.create(decision);
    }
}
