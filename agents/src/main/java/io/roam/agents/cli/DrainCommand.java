package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roam drain NODE} and {@code roam stop NODE}: empty a node, printing each move as it happens. */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = "Move every rank off NODE (host name or agent address) and mark it drained: work stealing sends "
                + "nothing back until `roam undrain NODE`. Refused, before anything moves, when the other nodes have "
                + "no room. Ranks that cannot move before the deadline are reported and left running.")
final class DrainCommand implements Callable<Integer> {
    @Mixin
    AgentOption agent = new AgentOption();

    @Mixin
    TokenOption token = new TokenOption();

    @Parameters(index = "0", paramLabel = "NODE", description = "The node to empty.")
    String node;

    @Option(names = "--onto", paramLabel = "NODE,...", description = "Only these nodes may receive the ranks.")
    String onto;

    @Option(names = "--deadline", description = "Give up on the ranks not moved after this long, e.g. 90s "
            + "(default roam.agent.drain.deadline of the agent asked).")
    String deadline;

    /**
     * Runs a drain (then a stop if {@code stop}) and prints it; exit 0 when the node was emptied,
     * 2 when the agent refused it (an unknown node, no room: nothing moved), else 1.
     */
    static int run(AgentOption agent, TokenOption token, String command, String node, String onto, String deadline,
                   boolean stop)
            throws InterruptedException {
        long start = System.nanoTime();
        JsonNode last;
        try {
            last = agent.client(token).drain(node, onto, deadline, stop, e -> print(e, start));
        } catch (java.io.IOException e) {
            return AgentOption.failed(command, e);
        }
        if (last == null) {
            System.err.println("roam " + command + ": the agent closed the stream without a result (roam status shows"
                    + " what happened)");
            return ExitCodes.FAILED;
        }
        if (last.get("type").asText().equals("REFUSED")) {
            System.err.println("roam " + command + ": " + last.get("detail").asText());
            return ExitCodes.USAGE;
        }
        return last.get("notMoved").isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    private static void print(JsonNode e, long start) {
        double ms = (System.nanoTime() - start) / 1e6;
        String type = e.get("type").asText();
        switch (type) {
            case "MIGRATION" -> System.out.printf(Locale.ROOT, "%9.1f ms    job %s rank %d -> %s: %-9s %s%n", ms,
                    e.get("jobId").asText(), e.get("rank").asInt(), e.get("target").asText(),
                    e.get("phase").asText(), e.get("detail").asText());
            case "FINISHED" -> {
                System.out.printf(Locale.ROOT, "%9.1f ms  %s%n", ms, e.get("detail").asText());
                e.get("moved").forEach(m -> System.out.println("             moved " + m.asText()));
                e.get("notMoved").fields().forEachRemaining(f -> System.out.println("             NOT moved "
                        + f.getKey() + ": " + f.getValue().asText()));
            }
            case "REFUSED" -> { }
            default -> System.out.printf(Locale.ROOT, "%9.1f ms  %-8s %s%n", ms, type, e.get("detail").asText());
        }
        System.out.flush();
    }

    @Override
    public Integer call() throws Exception {
        return run(agent, token, "drain", node, onto, deadline, false);
    }
}
