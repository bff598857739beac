package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code roam undrain NODE}: the node takes work again. */
@Command(name = "undrain", mixinStandardHelpOptions = true,
        description = "Let a drained NODE take work again (work stealing, drains and migrations may choose it).")
final class UndrainCommand implements Callable<Integer> {
    @Mixin
    AgentOption agent = new AgentOption();

    @Mixin
    TokenOption token = new TokenOption();

    @Parameters(index = "0", paramLabel = "NODE", description = "The drained node.")
    String node;

    @Override
    public Integer call() throws Exception {
        try {
            JsonNode s = agent.client(token).undrain(node);
            System.out.println(s.get("node").get("host").asText() + " undrained: it takes work again");
            return 0;
        } catch (java.io.IOException e) {
            return AgentOption.failed("undrain", e);   // an unknown node: 2, as for roam drain
        }
    }
}
