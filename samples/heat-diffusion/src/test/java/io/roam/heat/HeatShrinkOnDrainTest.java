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
 * A node drained while the others are full shrinks the malleable job instead of
 * oversubscribing (issue 22, roam.agent.drain.shrink-malleable): agents on three namespace
 * hosts with one slot each, the heat sample (which calls PCM_Malleable) under {@code roam run}
 * with one rank per host. {@code roam drain} of host 3 finds no free slot for its rank, so it
 * shrinks the job 3 -> 2 (rank 2, host 3's, leaves) and the node is empty: the drain ends
 * emptied (exit 0), printing the resize's phases; the job runs on with 2 ranks, one per host on
 * hosts 1 and 2 (no host runs more ranks than its slots), nothing of it on host 3; the final
 * grid equals heat-nopcm's, bit for bit.
 */
@Tag("system")
class HeatShrinkOnDrainTest {
    private static final int ROWS = 256;
    private static final int COLS = 256;

    @TempDir
    Path dir;

    private Process agent(NetnsHosts hosts, int i) throws IOException {
        return RoamCommands.agentWithoutStealing(hosts, i, dir, "roam.agent.slots=1",
                "roam.agent.drain.shrink-malleable=true");
    }

    /** roam run of heat on 3 ranks, one per host; returns the job's id once each rank is registered, malleable. */
    private String startJob(NetnsHosts hosts, List<Process> started, Path grid, Path stop) throws Exception {
        String api1 = "http://" + hosts.addresses.get(0) + ":7170";
        List<String> ns1 = hosts.exec(0);
        for (int i = 0; i < 3; i++) {
            started.add(agent(hosts, i));
        }
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(status(ns1, api1).get("nodes")).hasSize(3).allMatch(n -> n.get("reachable").asBoolean()));
        List<String> runArgs = new ArrayList<>(List.of("run", "--agent", api1, "--slots", "1", "--"));
        runArgs.addAll(hosts.networkArgs());
        runArgs.addAll(List.of("-np", "3", Mpi.heatBinary("heat").toString(), "-r", "" + ROWS, "-c", "" + COLS,
                "-i", "" + StopFile.UNTIL_STOPPED, "-o", grid.toString()));
        runArgs.addAll(StopFile.args(stop));
        started.add(RoamCommands.start(ns1, dir.resolve("run.log"), runArgs.toArray(String[]::new)));
        String[] jobId = new String[1];
        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode s = status(ns1, api1);
            assertThat(s.get("jobs")).hasSize(1);
            JsonNode j = s.get("jobs").get(0);
            assertThat(j.get("ranks")).extracting(r -> r.get("rank").asInt() + "@" + r.get("host").asText())
                    .containsExactly("0@" + hosts.addresses.get(0), "1@" + hosts.addresses.get(1),
                            "2@" + hosts.addresses.get(2));
            // heat called PCM_Malleable: every process says so (PROCESS_FLAGS)
            assertThat(s.get("nodes").findValues("processes").stream().flatMap(ps -> java.util.stream.StreamSupport
                    .stream(ps.spliterator(), false)).map(p -> p.get("malleable").asBoolean()).toList())
                    .containsExactly(true, true, true);
            jobId[0] = j.get("jobId").asText();
        });
        return jobId[0];
    }

    /** Stops the job, waits for it and compares its grid with heat-nopcm's on 2 ranks. */
    private void finish(Process job, Path grid, Path stop) throws Exception {
        StopFile.stop(stop);
        assertThat(job.waitFor(600, TimeUnit.SECONDS)).as("mpirun ended: " + Files.readString(dir.resolve("run.log")))
                .isTrue();
        assertThat(job.exitValue()).as(Files.readString(dir.resolve("run.log"))).isZero();
        assertThat(Files.readString(dir.resolve("run.log"))).contains("resized 3 -> 2");
        byte[] expected = StopFile.baseline(2, ROWS, COLS, dir.resolve("run.log"));
        assertThat(Files.readAllBytes(grid)).as("the grid after the drain's shrink 3 -> 2").isEqualTo(expected);
    }

    @Test
    void aDrainWithoutFreeSlotsShrinksTheMalleableJob() throws Exception {
        Mpi.requireMpirun();
        List<Process> started = new ArrayList<>();
        try (NetnsHosts hosts = NetnsHosts.create("rsd", 3, dir)) {
            String h1 = hosts.addresses.get(0);
            String h2 = hosts.addresses.get(1);
            String h3 = hosts.addresses.get(2);
            String api1 = "http://" + h1 + ":7170";
            List<String> ns1 = hosts.exec(0);
            Path grid = dir.resolve("grid.bin");
            Path stop = dir.resolve("stop");
            String jobId = startJob(hosts, started, grid, stop);
            Process job = started.get(started.size() - 1);

            // hosts 1 and 2 are full: host 3's rank has no slot to go to, so the job shrinks
            RoamCommands.Result drain = RoamCommands.run(ns1, 600, "drain", "--agent", api1, h3);
            System.out.println("roam drain " + h3 + ":\n" + drain.out());
            assertThat(drain.exit()).as(drain.out()).isZero();
            assertThat(drain.out()).contains("the other nodes lack slots", "RESIZE", "job " + jobId + " 3 -> 2"
                    + " processes: ACCEPTED", "3 -> 2 processes: DONE", "moved job " + jobId + " 3 -> 2 processes"
                    + " (shrunk)", h3 + " holds no managed process; moved 0 rank(s), shrank 1 malleable job(s)");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(hosts.processes(2, Mpi.heatBinary("heat"))).as("heat processes on host 3").isEmpty());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode jobs = status(ns1, api1).get("jobs");
                assertThat(jobs).hasSize(1);
                JsonNode j = jobs.get(0);
                assertThat(j.get("size").asInt()).isEqualTo(2);
                assertThat(j.get("ranks")).extracting(r -> r.get("rank").asInt() + "@" + r.get("host").asText())
                        .containsExactly("0@" + h1, "1@" + h2);
            });
            // no oversubscription: one heat process per slot on hosts 1 and 2
            assertThat(hosts.processes(0, Mpi.heatBinary("heat"))).hasSize(1);
            assertThat(hosts.processes(1, Mpi.heatBinary("heat"))).hasSize(1);
            assertThat(job.isAlive()).as("the job runs on with 2 ranks: " + Files.readString(dir.resolve("run.log")))
                    .isTrue();

            finish(job, grid, stop);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + RoamCommands.logs(dir, "agent1.log", "agent2.log", "agent3.log",
                    "run.log"), e);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                RoamCommands.stop(started.get(i));
            }
        }
    }

    /**
     * Draining host 2 (rank 1): rank 2 on host 3 leaves in the shrink, which frees host 3's
     * slot, and rank 1 then moves there as in any drain (host 3 holds the job's keeper, so the
     * move back onto a host the job left works).
     */
    @Test
    void aShrinkFreesASlotElsewhereAndTheDrainedRankMovesThere() throws Exception {
        Mpi.requireMpirun();
        List<Process> started = new ArrayList<>();
        try (NetnsHosts hosts = NetnsHosts.create("rse", 3, dir)) {
            String h1 = hosts.addresses.get(0);
            String h2 = hosts.addresses.get(1);
            String h3 = hosts.addresses.get(2);
            String api1 = "http://" + h1 + ":7170";
            List<String> ns1 = hosts.exec(0);
            Path grid = dir.resolve("grid.bin");
            Path stop = dir.resolve("stop");
            String jobId = startJob(hosts, started, grid, stop);
            Process job = started.get(started.size() - 1);

            RoamCommands.Result drain = RoamCommands.run(ns1, 600, "drain", "--agent", api1, h2);
            System.out.println("roam drain " + h2 + ":\n" + drain.out());
            assertThat(drain.exit()).as(drain.out()).isZero();
            assertThat(drain.out()).contains("3 -> 2 processes: DONE", "job " + jobId + " rank 1 -> " + h3,
                    "moved job " + jobId + " 3 -> 2 processes (shrunk)", h2 + " holds no managed process; moved 1 rank(s), shrank 1 malleable job(s)");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode jobs = status(ns1, api1).get("jobs");
                assertThat(jobs).hasSize(1);
                JsonNode j = jobs.get(0);
                assertThat(j.get("size").asInt()).isEqualTo(2);
                assertThat(j.get("ranks")).extracting(r -> r.get("rank").asInt() + "@" + r.get("host").asText())
                        .containsExactly("0@" + h1, "1@" + h3);
            });
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(hosts.processes(1, Mpi.heatBinary("heat"))).as("heat processes on host 2").isEmpty());
            assertThat(hosts.processes(0, Mpi.heatBinary("heat"))).hasSize(1);
            assertThat(hosts.processes(2, Mpi.heatBinary("heat"))).hasSize(1);
            finish(job, grid, stop);
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
