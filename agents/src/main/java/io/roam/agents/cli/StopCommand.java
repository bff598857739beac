package io.roam.agents.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roam stop NODE}: drain the node, then stop its agent. */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Drain NODE (as roam drain, printing each move), then stop its agent gracefully. Ranks that "
                + "cannot move before the deadline are reported and left running; the agent stops anyway.")
final class StopCommand implements Callable<Integer> {
    @Mixin
    AgentOption agent = new AgentOption();

    @Mixin
    TokenOption token = new TokenOption();

    @Parameters(index = "0", paramLabel = "NODE", description = "The node whose agent stops.")
    String node;

    @Option(names = "--deadline", description = "Give up on the ranks not moved after this long, e.g. 90s.")
    String deadline;

    @Override
    public Integer call() throws Exception {
        return DrainCommand.run(agent, token, "stop", node, null, deadline, true);
    }
}
