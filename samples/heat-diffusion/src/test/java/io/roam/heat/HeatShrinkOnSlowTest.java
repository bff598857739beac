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
 * A rank on a slow node, and fewer, faster ranks do better: the agents shrink the malleable job
 * by themselves (issue 22, roam.agent.grow.shrink-slow, the grow's gain model read backwards).
 * Three namespace hosts with an agent each (one slot each, work stealing off), hosts 2 and 3
 * CPU cgroups of 0.6 cores, the heat sample on 3 ranks, one per host. While the hosts are alike nothing
 * shrinks (the model predicts a balanced job slower with fewer ranks). Then host 3 is
 * throttled to 0.08 cores: rank 2, the job's highest, is now the one the others wait for, and
 * rank 0's agent shrinks the job 3 -> 2 (rank 2 leaves, nothing of heat stays on host 3). The
 * final grid equals heat-nopcm's, bit for bit.
 */
@Tag("system")
class HeatShrinkOnSlowTest {
    /**
     * A rank computes for milliseconds per iteration. The model still predicts the shrink at about
     * 1.11 x only (the throttled rank's pauses inside MPI count as communication that stays:
     * docs/architecture.md), just above min-speedup, with 1536 x 1024 as with this grid.
     */
    private static final int ROWS = 2048;
    private static final int COLS = 2048;

    @TempDir
    Path dir;

    private Process agent(NetnsHosts hosts, int i) throws IOException {
        // min-speedup 1.05: the model predicts a slow rank's shrink low (its pauses inside MPI count
        // as communication that stays): with 1.1 and host 3 at 0.15 cores it stayed below in a
        // clean-clone CI run, and no shrink came; alike hosts are predicted at about 0.6 x
        return RoamCommands.agentWithoutStealing(hosts, i, dir, "roam.agent.slots=1", "roam.agent.grow.shrink-slow=true",
                "roam.agent.grow.settle=5s", "roam.agent.grow.interval=1s", "roam.profiling.period=1s",
                "roam.agent.grow.min-speedup=1.05");
    }

    @Test
    void aSlowHighestRankIsShedAndTheGridIsBitExact() throws Exception {
        Mpi.requireMpirun();
        List<Process> started = new ArrayList<>();
        try (NetnsHosts hosts = NetnsHosts.create("rgs", 3, dir, "10.241")) {
            String h1 = hosts.addresses.get(0);
            String h2 = hosts.addresses.get(1);
            String h3 = hosts.addresses.get(2);
            String api1 = "http://" + h1 + ":7170";
            List<String> ns1 = hosts.exec(0);
            // host 1 gets a CPU cgroup without a quota: it also runs mpirun, roam run and every roam
            // status of this test (a JVM each), which took a 0.6-core quota from rank 0 down to 0.07
            // cores in a run with two busy loops beside it; rank 0 was then the slow one, and the
            // model rightly did not shrink rank 2 away
            for (int i = 0; i < 3; i++) {
                hosts.cpu(i, i == 0 ? "max" : "0.6");
                started.add(agent(hosts, i));
            }
            await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(status(ns1, api1).get("nodes")).hasSize(3).allMatch(n -> n.get("reachable").asBoolean()));
            Path grid = dir.resolve("grid.bin");
            Path stop = dir.resolve("stop");
            List<String> runArgs = new ArrayList<>(List.of("run", "--agent", api1, "--slots", "1", "--"));
            runArgs.addAll(hosts.networkArgs());
            runArgs.addAll(List.of("-np", "3", Mpi.heatBinary("heat").toString(), "-r", "" + ROWS, "-c", "" + COLS,
                    "-i", "" + StopFile.UNTIL_STOPPED, "-o", grid.toString()));
            runArgs.addAll(StopFile.args(stop));
            Process job = RoamCommands.start(ns1, dir.resolve("run.log"), runArgs.toArray(String[]::new));
            started.add(job);
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode jobs = status(ns1, api1).get("jobs");
                assertThat(jobs).hasSize(1);
                JsonNode j = jobs.get(0);
                assertThat(j.get("ranks")).extracting(r -> r.get("rank").asInt() + "@" + r.get("host").asText())
                        .containsExactly("0@" + h1, "1@" + h2, "2@" + h3);
            });
            // alike hosts: settled (5 s), checked every second, and nothing shrinks
            Thread.sleep(20_000);
            assertThat(status(ns1, api1).get("jobs").get(0).get("size").asInt()).isEqualTo(3);
            assertThat(Files.readString(dir.resolve("agent1.log"))).doesNotContain("shrinking job ");

            hosts.cpu(2, "0.08");   // host 3 slows down (to an eighth); nobody tells the agents
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                JsonNode jobs = status(ns1, api1).get("jobs");
                assertThat(jobs).hasSize(1);
                JsonNode j = jobs.get(0);
                assertThat(j.get("size").asInt()).isEqualTo(2);
                assertThat(j.get("ranks")).extracting(r -> r.get("rank").asInt() + "@" + r.get("host").asText())
                        .containsExactly("0@" + h1, "1@" + h2);
            });
            assertThat(Files.readString(dir.resolve("agent1.log"))).contains("shrinking job ",
                    " 3 -> 2 processes, rank 2 and up leaving (3 -> 2 processes: predicted ");
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(hosts.processes(2, Mpi.heatBinary("heat"))).as("heat processes on host 3").isEmpty());

            StopFile.stop(stop);
            assertThat(job.waitFor(600, TimeUnit.SECONDS)).as(Files.readString(dir.resolve("run.log"))).isTrue();
            String log = Files.readString(dir.resolve("run.log"));
            assertThat(job.exitValue()).as(log).isZero();
            assertThat(log).contains("resized 3 -> 2");
            byte[] expected = StopFile.baseline(3, ROWS, COLS, dir.resolve("run.log"));
            assertThat(Files.readAllBytes(grid)).as("the grid after the shrink 3 -> 2").isEqualTo(expected);
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
