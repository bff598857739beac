package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.roam.protocol.MigrationEvent;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code roam migrate}: move one rank by hand, printing each phase as it happens with the time
 * since the start and since the previous phase; on a terminal, a live line while the state
 * moves; at DONE each phase's duration and the transfer (see {@link MigrationProgress}). An
 * order refused before anything was done (an unknown node or rank, a drained target, a target
 * outside the job's hosts, a rank already moving) is one line on stderr and exit code 2.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Move rank R of job J to node NODE (host name or agent address), like ompi-migrate.")
final class MigrateCommand implements Callable<Integer> {
    @Mixin
    AgentOption agent = new AgentOption();

    @Mixin
    TokenOption token = new TokenOption();

    @Option(names = "--job", required = true, description = "Job id (roam status lists them).")
    String job;

    @Option(names = "--rank", required = true, description = "Rank to move.")
    int rank;

    @Option(names = "--to", required = true, description = "Target node: host name or agent address.")
    String to;

    @Override
    public Integer call() throws Exception {
        ControlClient client = agent.client(token);
        MigrationProgress progress = new MigrationProgress(System.nanoTime(), expectedStateBytes(client));
        boolean terminal = System.console() != null;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "migrate-progress");
            t.setDaemon(true);
            return t;
        });
        ScheduledFuture<?>[] live = new ScheduledFuture<?>[1];
        JsonNode last;
        boolean[] accepted = new boolean[1];
        try {
            boolean[] drawn = new boolean[1];   // a line drawn in place, to clear before the next
            last = client.migrate(job, rank, to, e -> {
                synchronized (progress) {
                    if (!accepted[0] && "FAILED".equals(e.get("phase").asText())) {
                        return;   // refused before anything was done: one line on stderr below
                    }
                    accepted[0] = true;
                    if (live[0] != null) {
                        live[0].cancel(false);
                        live[0] = null;
                    }
                    long[] moved = "TRANSFER".equals(e.get("phase").asText())
                            ? MigrationEvent.transferred(e.get("detail").asText()) : null;
                    if (moved != null) {   // progress of the state: a bar, in place on a terminal
                        String line = progress.transfer(moved[0], moved[1], System.nanoTime());
                        if (terminal) {
                            System.out.print("\r\033[K" + line);
                            drawn[0] = true;
                        } else if (progress.nextStep(moved[0], moved[1])) {
                            System.out.println(line);
                        }
                        System.out.flush();
                        return;
                    }
                    if (drawn[0]) {
                        System.out.print("\r\033[K");
                        drawn[0] = false;
                    }
                    System.out.println(progress.phase(e, System.nanoTime()));
                    JsonNode t = e.get("times");
                    if (t != null && !t.isNull()) {
                        MigrationProgress.done(t).forEach(System.out::println);
                    }
                    if (terminal && "STARTED".equals(e.get("phase").asText())) {
                        AtomicInteger tick = new AtomicInteger();
                        drawn[0] = true;
                        live[0] = ticker.scheduleAtFixedRate(() -> {
                            synchronized (progress) {
                                System.out.print("\r\033[K" + progress.transferring(System.nanoTime(),
                                        tick.getAndIncrement()));
                                System.out.flush();
                            }
                        }, 200, 200, TimeUnit.MILLISECONDS);
                    }
                    System.out.flush();
                }
            });
        } catch (java.io.IOException e) {
            return AgentOption.failed("migrate", e);
        } finally {
            ticker.shutdownNow();
        }
        if (last != null && !accepted[0]) {
            System.err.println("roam migrate: " + last.get("detail").asText() + "; nothing was moved");
            return ExitCodes.USAGE;
        }
        return last != null && "DONE".equals(last.get("phase").asText()) ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** The state the rank registered, from its profile in the cluster status; -1 if unknown. */
    private long expectedStateBytes(ControlClient client) {
        try {
            for (JsonNode n : client.status().get("nodes")) {
                for (JsonNode p : n.get("profiles")) {
                    if (p.get("jobId").asText().equals(job) && p.get("rank").asInt() == rank) {
                        return p.get("stateBytes").asLong();
                    }
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // the migration itself says what is wrong
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }
}
