package io.roam.heat;

import static io.roam.heat.RoamCommands.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration to a cluster member that is not one of the hosts mpirun started the job on:
 * agents on two namespace hosts, the heat sample under {@code roam run} on them, then a third
 * agent joins and {@code roam migrate} orders a rank onto its host. The rank's agent refuses at
 * once, saying why; nothing is spawned, the rank stays, and the job (and mpirun) ends normally
 * with the right grid. (Before, Open MPI failed the spawn and mpirun hung after the job's end.)
 */
@Tag("system")
class JobHostsAcrossHostsTest {
    private static final int ROWS = 256;
    private static final int COLS = 256;

    @TempDir
    Path dir;

    @Test
    void aTargetOutsideTheJobsHostsIsRefusedAndTheJobEnds() throws Exception {
        Mpi.requireMpirun();
        List<Process> started = new ArrayList<>();
        try (NetnsHosts hosts = NetnsHosts.create("jho", 3, dir)) {
            String h1 = hosts.addresses.get(0);
            String h3 = hosts.addresses.get(2);
            String api1 = "http://" + h1 + ":7170";
            List<String> ns1 = hosts.exec(0);
            started.add(RoamCommands.agentWithoutStealing(hosts, 0, dir));
            started.add(RoamCommands.agentWithoutStealing(hosts, 1, dir));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(status(ns1, api1).get("nodes")).hasSize(2).allMatch(n -> n.get("reachable").asBoolean()));

            Path grid = dir.resolve("grid.bin");
            Path stop = dir.resolve("stop");   // the job runs until the refusal is checked (StopFile)
            List<String> runArgs = new ArrayList<>(List.of("run", "--agent", api1, "--slots", "1", "--"));
            runArgs.addAll(hosts.networkArgs());
            runArgs.addAll(List.of("-np", "2", Mpi.heatBinary("heat").toString(), "-r", "" + ROWS, "-c", "" + COLS,
                    "-i", "" + StopFile.UNTIL_STOPPED, "-o", grid.toString()));
            runArgs.addAll(StopFile.args(stop));
            Process job = RoamCommands.start(ns1, dir.resolve("run.log"), runArgs.toArray(String[]::new));
            started.add(job);
            String[] jobId = new String[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                List<JsonNode> ps = processes(status(ns1, api1));
                assertThat(ps).hasSize(2);
                jobId[0] = ps.get(0).get("jobId").asText();
            });

            // a third node joins the cluster after the job started
            started.add(RoamCommands.agentWithoutStealing(hosts, 2, dir));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(status(ns1, api1).get("nodes")).hasSize(3).allMatch(n -> n.get("reachable").asBoolean()));
            assertThat(job.isAlive()).as("the job still runs: " + Files.readString(dir.resolve("run.log"))).isTrue();

            long t0 = System.nanoTime();
            RoamCommands.Result moved = RoamCommands.run(ns1, 120, "migrate", "--agent", api1, "--job", jobId[0],
                    "--rank", "0", "--to", h3);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("refused at once").isLessThan(Duration.ofSeconds(30));
            assertThat(moved.exit()).as(moved.out()).isEqualTo(2);   // refused before anything was done
            assertThat(moved.out()).contains("roam migrate: ", h3 + " is not one of the hosts job " + jobId[0]
                    + " was started on (" + h1 + ", " + hosts.addresses.get(1) + ")", "nothing was spawned");
            assertThat(processes(status(ns1, api1))).filteredOn(p -> p.get("rank").asInt() == 0)
                    .extracting(p -> p.get("moves").asInt()).containsExactly(0);

            StopFile.stop(stop);
            assertThat(job.waitFor(600, TimeUnit.SECONDS)).as("mpirun ended: " + Files.readString(dir.resolve("run.log")))
                    .isTrue();
            assertThat(job.exitValue()).as(Files.readString(dir.resolve("run.log"))).isZero();
            byte[] expected = StopFile.baseline(2, ROWS, COLS, dir.resolve("run.log"));
            assertThat(Files.readAllBytes(grid)).as("the grid").isEqualTo(expected);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + RoamCommands.logs(dir, "agent1.log", "agent2.log", "agent3.log",
                    "run.log"), e);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                RoamCommands.stop(started.get(i));
            }
        }
    }

    private static List<JsonNode> processes(JsonNode status) {
        List<JsonNode> out = new ArrayList<>();
        status.get("nodes").forEach(n -> n.get("processes").forEach(out::add));
        return out;
    }
}
