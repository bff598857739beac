package io.roam.agents;

import com.typesafe.config.Config;
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
    public static AgentConfig from(Config root) {
        AgentConfig c = new AgentConfig(AgentSettings.from(root), ProfilingSettings.from(root), StealSettings.from(root),
                DecisionSettings.from(root));
        c.strategy();   // an unknown strategy fails here, listing the valid names
        return c;
    }

    /** The configured decision strategy. */
    public Strategy strategy() {
        return Strategies.create(decision);
    }
}
