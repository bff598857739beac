package io.roam.heat;

import static io.roam.heat.RoamCommands.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
 * {@code roam resize} with the real agents (issue 22): agents on three namespace hosts (one
 * slot on hosts 1 and 2, two on host 3), the heat sample under {@code roam run} with one rank on
 * each of hosts 1 and 2. {@code roam resize --ranks 4} grows it onto the node with free slots
 * (host 3 takes both new ranks), {@code roam resize --ranks 2} shrinks it back; each prints its
 * phases and ends DONE (exit 0), {@code roam status} shows the job's size each time, nothing of
 * the job stays on host 3 after the shrink, and the final grid equals heat-nopcm's on 2 ranks,
 * bit for bit. The job runs until the test has checked the shrink ({@link StopFile}), not a
 * count of iterations sized for the slowest machine.
 */
@Tag("system")
class HeatResizeByAgentsTest {
    private static final int ROWS = 256;
    private static final int COLS = 256;

    @TempDir
    Path dir;

    private Process agent(NetnsHosts hosts, int i, int slots) throws IOException {
        return RoamCommands.agentWithoutStealing(hosts, i, dir, "roam.agent.slots=" + slots);
    }

    @Test
    void roamResizeGrowsTheJobOntoFreeSlotsAndShrinksItBack() throws Exception {
        Mpi.requireMpirun();
        List<Process> started = new ArrayList<>();
        Phases phases = new Phases("HeatResizeByAgentsTest");
        try (NetnsHosts hosts = NetnsHosts.create("rsa", 3, dir)) {
            String h1 = hosts.addresses.get(0);
            String h3 = hosts.addresses.get(2);
            String api1 = "http://" + h1 + ":7170";
            List<String> ns1 = hosts.exec(0);
            started.add(agent(hosts, 0, 1));
            started.add(agent(hosts, 1, 1));
            started.add(agent(hosts, 2, 2));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(status(ns1, api1).get("nodes")).hasSize(3).allMatch(n -> n.get("reachable").asBoolean()));
            phases.mark("agents up");

            Path grid = dir.resolve("grid.bin");
            Path stop = dir.resolve("stop");
            List<String> runArgs = new ArrayList<>(List.of("run", "--agent", api1, "--slots", "1", "--"));
            runArgs.addAll(hosts.networkArgs());
            runArgs.addAll(List.of("-np", "2", Mpi.heatBinary("heat").toString(), "-r", "" + ROWS, "-c", "" + COLS,
                    "-i", "" + StopFile.UNTIL_STOPPED, "-o", grid.toString()));
            runArgs.addAll(StopFile.args(stop));
            Process job = RoamCommands.start(ns1, dir.resolve("run.log"), runArgs.toArray(String[]::new));
            started.add(job);
            String[] jobId = new String[1];
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode jobs = status(ns1, api1).get("jobs");
                assertThat(jobs).hasSize(1);
                assertThat(jobs.get(0).get("ranks")).hasSize(2);
                jobId[0] = jobs.get(0).get("jobId").asText();
            });
            phases.mark("ranks registered");

            // grow: hosts 1 and 2 are full, host 3 has both free slots
            RoamCommands.Result grow = RoamCommands.run(ns1, 600, "resize", "--agent", api1, "--job", jobId[0],
                    "--ranks", "4");
            System.out.println("roam resize --ranks 4:\n" + grow.out());   // the phases, for the record
            assertThat(grow.exit()).as(grow.out()).isZero();
            assertThat(grow.out()).contains("ACCEPTED", "2 -> 4 processes, the new ones on " + h3 + "," + h3, "ORDERED",
                    "DONE", "runs with 4 processes (was 2)", "phases: spawn ");
            assertThat(job.isAlive()).as("the job still runs after the grow: " + Files.readString(dir.resolve("run.log")))
                    .isTrue();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode j = status(ns1, api1).get("jobs").get(0);
                assertThat(j.get("size").asInt()).isEqualTo(4);
                assertThat(j.get("ranks")).extracting(r -> r.get("rank").asInt() + "@" + r.get("host").asText())
                        .containsExactly("0@" + h1, "1@" + hosts.addresses.get(1), "2@" + h3, "3@" + h3);
            });
            assertThat(hosts.processes(2, Mpi.heatBinary("heat"))).hasSize(2);
            RoamCommands.Result text = RoamCommands.run(ns1, 60, "status", "--agent", api1);
            assertThat(text.out()).contains("JOB " + jobId[0] + ": 4 processes on 3 node(s)");
            phases.mark("grown");

            // shrink: ranks 2 and 3 leave, and with them everything of the job on host 3
            RoamCommands.Result shrink = RoamCommands.run(ns1, 600, "resize", "--agent", api1, "--job", jobId[0],
                    "--ranks", "2");
            System.out.println("roam resize --ranks 2:\n" + shrink.out());
            assertThat(shrink.exit()).as(shrink.out()).isZero();
            assertThat(shrink.out()).contains("4 -> 2 processes", "DONE", "runs with 2 processes (was 4)");
            assertThat(job.isAlive()).as("the job still runs after the shrink: "
                    + Files.readString(dir.resolve("run.log"))).isTrue();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(hosts.processes(2, Mpi.heatBinary("heat"))).as("heat processes on host 3").isEmpty());
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode j = status(ns1, api1).get("jobs").get(0);
                assertThat(j.get("size").asInt()).isEqualTo(2);
                assertThat(j.get("ranks")).hasSize(2);
            });
            assertThat(job.isAlive()).as("the job runs on with 2 ranks: " + Files.readString(dir.resolve("run.log")))
                    .isTrue();
            phases.mark("shrunk");

            StopFile.stop(stop);
            assertThat(job.waitFor(600, TimeUnit.SECONDS)).as("mpirun ended: " + Files.readString(dir.resolve("run.log")))
                    .isTrue();
            assertThat(job.exitValue()).as(Files.readString(dir.resolve("run.log"))).isZero();
            assertThat(Files.readString(dir.resolve("run.log"))).contains("resized 2 -> 4", "resized 4 -> 2");
            assertThat(hosts.processes(2, Mpi.heatBinary("heat"))).isEmpty();
            phases.mark("job ended");
            byte[] expected = StopFile.baseline(2, ROWS, COLS, dir.resolve("run.log"));
            assertThat(Files.readAllBytes(grid)).as("the grid after 2 -> 4 -> 2").isEqualTo(expected);
            phases.mark("baseline compared");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + RoamCommands.logs(dir, "agent1.log", "agent2.log", "agent3.log",
                    "run.log"), e);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                RoamCommands.stop(started.get(i));
            }
        }
    }
}
