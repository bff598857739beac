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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node joining with free cores grows the malleable job onto it (issue 22,
 * roam.agent.grow.on-join): the heat sample runs on 2 ranks across namespace hosts 1 and 2 (one
 * slot each, full), its mpirun given all three hosts (host 3 is in the job's allocation, as a
 * node of a batch allocation whose agent was down). Host 3's agent then joins the cluster with
 * one free slot; once it has settled, the agent of rank 0 grows the job 2 -> 3 with the new
 * rank on host 3, by itself. Before host 3 joins, the full hosts give the job nothing to grow
 * onto. The final grid equals heat-nopcm's, bit for bit.
 */
@Tag("system")
class HeatGrowOnJoinTest {
    private static final int ROWS = 256;
    private static final int COLS = 256;
    private static final Duration TIMEOUT = Duration.ofSeconds(600);

    @TempDir
    Path dir;

    private Process agent(NetnsHosts hosts, int i) throws IOException {
        // the gain model off: the hosts have no CPU quota and share the machine's 2 cores, so a third
        // rank would gain nothing here and the model would rightly not grow; this test is about the
        // mechanism (GrowDemoTest shows the model's decision on hosts with CPU quotas)
        return RoamCommands.agentWithoutStealing(hosts, i, dir, "roam.agent.slots=1", "roam.agent.grow.on-join=true",
                "roam.agent.grow.gain=false", "roam.agent.grow.settle=5s", "roam.agent.grow.interval=1s");
    }

    @Test
    void aJoiningNodeWithAFreeSlotGrowsTheMalleableJob() throws Exception {
        Mpi.requireMpirun();
        List<Process> started = new ArrayList<>();
        try (NetnsHosts hosts = NetnsHosts.create("rsj", 3, dir)) {
            String h1 = hosts.addresses.get(0);
            String h2 = hosts.addresses.get(1);
            String h3 = hosts.addresses.get(2);
            String api1 = "http://" + h1 + ":7170";
            List<String> ns1 = hosts.exec(0);
            started.add(agent(hosts, 0));
            started.add(agent(hosts, 1));
            await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(status(ns1, api1).get("nodes")).hasSize(2).allMatch(n -> n.get("reachable").asBoolean()));

            Path stop = dir.resolve("stop");
            HeatJob.Spec spec = HeatJob.spec().ranks(2).grid(ROWS, COLS).iterations(StopFile.UNTIL_STOPPED)
                    .agent(dir.resolve("agent-%h.sock"))
                    .env("ROAM_JOB_HOSTS", h1 + "," + h2 + "," + h3)
                    .programArgs(StopFile.args(stop).toArray(String[]::new))
                    .prefix(hosts.exec(0).toArray(String[]::new))
                    .mpiArgs(hosts.mpiArgs(hosts.hostfile(dir, 1)));
            try (HeatJob job = spec.start(dir.resolve("job"))) {
                await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    JsonNode jobs = status(ns1, api1).get("jobs");
                    assertThat(jobs).hasSize(1);
                    JsonNode j = jobs.get(0);
                    assertThat(j.get("ranks")).extracting(r -> r.get("rank").asInt() + "@" + r.get("host").asText())
                            .containsExactly("0@" + h1, "1@" + h2);
                });
                // settled (5 s) with no node free: nothing grows
                Thread.sleep(8000);
                assertThat(status(ns1, api1).get("jobs").get(0).get("size").asInt()).isEqualTo(2);
                assertThat(job.stderr()).doesNotContain("resized");

                started.add(agent(hosts, 2));   // host 3 joins with a free slot
                await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    JsonNode jobs = status(ns1, api1).get("jobs");
                    assertThat(jobs).hasSize(1);
                    JsonNode j = jobs.get(0);
                    assertThat(j.get("size").asInt()).isEqualTo(3);
                    assertThat(j.get("ranks")).extracting(r -> r.get("rank").asInt() + "@" + r.get("host").asText())
                            .containsExactly("0@" + h1, "1@" + h2, "2@" + h3);
                });
                assertThat(job.stderr()).contains("resized 2 -> 3 ranks");
                assertThat(Files.readString(dir.resolve("agent1.log")))
                        .contains("growing job ", " 2 -> 3 processes, the new ones on " + h3);
                assertThat(hosts.processes(2, Mpi.heatBinary("heat"))).hasSize(1);
                // one grow: the full cluster gives it nothing more, and it does not flap
                Thread.sleep(8000);
                assertThat(status(ns1, api1).get("jobs").get(0).get("size").asInt()).isEqualTo(3);

                StopFile.stop(stop);
                job.awaitSuccess(TIMEOUT);
                assertThat(job.stdout()).contains("ranks 3 ");
                byte[] expected = StopFile.baseline(2, ROWS, COLS, job, dir);
                assertThat(job.grid()).as("the grid after the grow 2 -> 3").isEqualTo(expected);
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + RoamCommands.logs(dir, "agent1.log", "agent2.log", "agent3.log",
                    "job/stderr.txt"), e);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                RoamCommands.stop(started.get(i));
            }
        }
    }
}
