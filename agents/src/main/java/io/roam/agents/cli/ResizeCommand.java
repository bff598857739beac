package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code roam resize}: run a job with another number of processes (grow or shrink it), printing
 * each phase as it happens with the time since the start and since the previous phase, and at
 * DONE the phases as libpcm timed them. The program must be malleable (docs/instrumenting.md,
 * "Malleable programs"). An order refused before anything was done (an unknown job, no room
 * for a grow, a host outside the job's) is one line on stderr and exit code 2; a resize that
 * failed, exit code 1.
 */
@Command(name = "resize", mixinStandardHelpOptions = true,
        description = "Run job J with N processes: a grow starts new ones (on --on, else on the nodes with free"
                + " slots, most free first), a shrink ends the highest ranks.")
final class ResizeCommand implements Callable<Integer> {
    @Mixin
    AgentOption agent = new AgentOption();

    @Mixin
    TokenOption token = new TokenOption();

    @Option(names = "--job", required = true, description = "Job id (roam status lists them).")
    String job;

    @Option(names = "--ranks", required = true, description = "The job's new number of processes (at least 1).")
    int ranks;

    @Option(names = "--on", description = "A grow's hosts, comma-separated: one per new process in rank order,"
            + " cycled (default: the nodes with free slots, most free first).")
    String on;

    @Override
    public Integer call() throws Exception {
        if (ranks < 1) {
            System.err.println("roam resize: --ranks must be at least 1, was " + ranks + "; see roam resize --help");
            return ExitCodes.USAGE;
        }
        ControlClient client = agent.client(token);
        MigrationProgress progress = new MigrationProgress(System.nanoTime(), -1);
        boolean[] accepted = new boolean[1];
        JsonNode last;
        try {
            last = client.resize(job, ranks, on, e -> {
                if (!accepted[0] && "FAILED".equals(e.get("phase").asText())) {
                    return;   // refused before anything was done: one line on stderr below
                }
                accepted[0] = true;
                System.out.println(progress.phase(e, System.nanoTime()));
                JsonNode t = e.get("times");
                if (t != null && !t.isNull()) {
                    System.out.println(times(t));
                }
                System.out.flush();
            });
        } catch (java.io.IOException e) {
            return AgentOption.failed("resize", e);
        }
        if (last != null && !accepted[0]) {
            System.err.println("roam resize: " + last.get("detail").asText());
            return ExitCodes.USAGE;
        }
        return last != null && "DONE".equals(last.get("phase").asText()) ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** At DONE: each phase's duration as libpcm timed it. */
    static String times(JsonNode t) {
        return String.format(Locale.ROOT, "             phases: spawn %.1f ms, world %.1f ms, redistribution %.1f ms,"
                        + " total %.1f ms", t.get("spawnNs").asLong() / 1e6, t.get("worldNs").asLong() / 1e6,
                t.get("redistributeNs").asLong() / 1e6, t.get("totalNs").asLong() / 1e6);
    }
}
