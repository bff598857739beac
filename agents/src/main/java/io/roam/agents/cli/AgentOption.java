package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --agent URL} option of the commands that talk to an agent's control API. */
final class AgentOption {
    @Option(names = "--agent", description = "Control API of an agent (default ${DEFAULT-VALUE}).")
    String agent = ControlClient.DEFAULT_AGENT;

    ControlClient client() {
        return new ControlClient(agent);
    }

    /** The cluster status, or empty after telling the user why it could not be had. */
    Optional<JsonNode> status(String command) throws InterruptedException {
        try {
            return Optional.of(client().status());
        } catch (java.io.IOException e) {
            System.err.println("roam " + command + ": cannot reach the agent at " + agent + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
