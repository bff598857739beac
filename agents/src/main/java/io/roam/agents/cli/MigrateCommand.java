package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code roam migrate}: move one rank by hand, printing each phase as it happens. */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Move rank R of job J to node NODE (host name or agent address), like ompi-migrate.")
final class MigrateCommand implements Callable<Integer> {
    @Mixin
    AgentOption agent = new AgentOption();

    @Option(names = "--job", required = true, description = "Job id (roam status lists them).")
    String job;

    @Option(names = "--rank", required = true, description = "Rank to move.")
    int rank;

    @Option(names = "--to", required = true, description = "Target node: host name or agent address.")
    String to;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        JsonNode last;
        try {
            last = agent.client().migrate(job, rank, to, e -> {
                System.out.printf(Locale.ROOT, "%9.1f ms  %-9s %s%n", (System.nanoTime() - start) / 1e6,
                        e.get("phase").asText(), e.get("detail").asText());
                JsonNode t = e.get("times");
                if (t != null && !t.isNull()) {
                    printTimes(t);
                }
                System.out.flush();
            });
        } catch (java.io.IOException e) {
            System.err.println("roam migrate: " + e.getMessage());
            return 1;
        }
        return last != null && "DONE".equals(last.get("phase").asText()) ? 0 : 1;
    }

    private static void printTimes(JsonNode t) {
        long order = t.get("tOrder").asLong();
        System.out.printf(Locale.ROOT, "             state %.1f MB: decided %.1f ms, spawned %.1f ms, merged %.1f ms,"
                        + " transferred %.1f ms, resumed %.1f ms after the order%n",
                t.get("stateBytes").asLong() / 1e6, ms(order, t.get("tDecided")), ms(order, t.get("tSpawned")),
                ms(order, t.get("tMerged")), ms(order, t.get("tTransferred")), ms(order, t.get("tResumed")));
    }

    private static double ms(long from, JsonNode to) {
        return (to.asLong() - from) / 1e6;
    }
}
