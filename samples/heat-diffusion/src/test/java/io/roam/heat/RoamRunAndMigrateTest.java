package io.roam.heat;

import static io.roam.heat.StatusViews.processesOn;

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
 * The operator's path on two namespace hosts: an agent per host ({@code roam agent}, its PCM
 * socket in the test's directory, not the default path), the heat sample started with a plain
 * {@code roam run -- -np 4 ...} (no --socket: the agents say where their sockets are), every
 * rank registered with its node's agent ({@code roam status}), a rank moved with {@code roam migrate}, after which {@code roam
 * status} shows it on the other node, and the final grid is bit-exact.
 */
@Tag("system")
class RoamRunAndMigrateTest {
    private static final int ROWS = 256;
    private static final int COLS = 256;

    @TempDir
    Path dir;

    @Test
    void rankMovedByRoamMigrateShowsOnTheNewNodeAndTheGridIsBitExact() throws Exception {
        Mpi.requireMpirun();
        Phases phases = new Phases("RoamRunAndMigrateTest");
        List<Process> started = new ArrayList<>();
        try (NetnsHosts hosts = NetnsHosts.create("rrm", 2, dir)) {
            String h1 = hosts.addresses.get(0);
            String h2 = hosts.addresses.get(1);
            String api1 = "http://" + h1 + ":7170";
            List<String> ns1 = hosts.exec(0);
            started.add(RoamCommands.agentWithoutStealing(hosts, 0, dir));
            started.add(RoamCommands.agentWithoutStealing(hosts, 1, dir));
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                JsonNode s = status(ns1, api1);
                assertThat(s.get("nodes")).hasSize(2).allMatch(n -> n.get("reachable").asBoolean());
            });
            phases.mark("agents up");

            Path grid = dir.resolve("grid.bin");
            Path stop = dir.resolve("stop");
            // no --socket: roam run gives the ranks the agents' socket (not the default path here)
            List<String> runArgs = new ArrayList<>(List.of("run", "--agent", api1, "--"));
            runArgs.addAll(hosts.networkArgs());
            runArgs.addAll(List.of("-np", "4", Mpi.heatBinary("heat").toString(), "-r", "" + ROWS, "-c", "" + COLS,
                    "-i", "" + StopFile.UNTIL_STOPPED, "-o", grid.toString()));
            runArgs.addAll(StopFile.args(stop));
            Process job = RoamCommands.start(ns1, dir.resolve("run.log"), runArgs.toArray(String[]::new));
            started.add(job);

            // every rank registers with the agent of its node (roam run fills each node's slots)
            JsonNode[] holder = new JsonNode[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode s = status(ns1, api1);
                assertThat(processesOn(s, h1).size() + processesOn(s, h2).size()).isEqualTo(4);
                assertThat(processesOn(s, h1)).isNotEmpty();
                holder[0] = s;
            });
            List<Integer> onH1 = ranks(processesOn(holder[0], h1));
            List<Integer> onH2 = ranks(processesOn(holder[0], h2));
            String jobId = processesOn(holder[0], h1).get(0).get("jobId").asText();
            int moving = onH1.get(onH1.size() - 1);
            phases.mark("ranks registered");

            RoamCommands.Result moved = RoamCommands.run(ns1, 120, "migrate", "--agent", api1, "--job", jobId,
                    "--rank", "" + moving, "--to", h2);
            assertThat(moved.exit()).as(moved.out()).isZero();
            assertThat(moved.out()).contains("ACCEPTED", "ORDERED", "STARTED", "DONE", "resumed");
            // the progress of the state as libpcm reported it while it moved: at least its end
            assertThat(moved.out()).containsPattern("transfer \\[#{30}\\] [0-9.]+ MB of [0-9.]+ MB \\(100 %\\)");

            JsonNode after = status(ns1, api1);
            List<Integer> expectedH2 = new ArrayList<>(onH2);
            expectedH2.add(moving);
            List<Integer> expectedH1 = new ArrayList<>(onH1);
            expectedH1.remove(Integer.valueOf(moving));
            assertThat(ranks(processesOn(after, h2))).containsExactlyInAnyOrderElementsOf(expectedH2);
            assertThat(ranks(processesOn(after, h1))).containsExactlyInAnyOrderElementsOf(expectedH1);
            assertThat(processesOn(after, h2)).filteredOn(p -> p.get("rank").asInt() == moving)
                    .extracting(p -> p.get("moves").asInt()).containsExactly(1);
            RoamCommands.Result table = RoamCommands.run(ns1, 60, "status", "--agent", api1);
            assertThat(table.out()).contains(h1, h2, jobId, "ITERATION", "SENT MB");
            // heartbeats (every second) reach each node's agent: every rank's profile shows
            // progress and halo traffic to its neighbours only
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode s = status(ns1, api1);
                List<JsonNode> profiles = new ArrayList<>();
                s.get("nodes").forEach(n -> n.get("profiles").forEach(profiles::add));
                assertThat(profiles).hasSize(4);
                for (JsonNode p : profiles) {
                    int r = p.get("rank").asInt();
                    assertThat(p.get("iterations").asLong()).isPositive();
                    List<Integer> peers = new ArrayList<>();
                    p.get("peers").forEach(x -> peers.add(x.get("rank").asInt()));
                    assertThat(peers).allMatch(x -> Math.abs(x - r) == 1).isNotEmpty();
                }
                jobGraphSpansBothNodes(s, jobId);
            });
            RoamCommands.Result graph = RoamCommands.run(ns1, 60, "status", "--graph", "--agent", api1);
            phases.mark("moved, profiles checked");
            assertThat(graph.out()).contains("LOCAL MB", "REMOTE MB BY NODE", "rank 0 -> rank 1", "rank 3 -> rank 2");

            assertThat(job.isAlive()).as("the job ran through the checks").isTrue();
            StopFile.stop(stop);
            assertThat(job.waitFor(600, TimeUnit.SECONDS)).as(Files.readString(dir.resolve("run.log"))).isTrue();
            assertThat(job.exitValue()).as(Files.readString(dir.resolve("run.log"))).isZero();
            assertThat(Files.readString(dir.resolve("run.log"))).doesNotContain("cannot reach the agent");
            phases.mark("job ended");
            assertThat(Files.readAllBytes(grid)).as("grid after roam migrate")
                    .isEqualTo(StopFile.baseline(4, ROWS, COLS, dir.resolve("run.log")));
            phases.mark("baseline compared");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + RoamCommands.logs(dir, "agent1.log", "agent2.log", "run.log"), e);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                RoamCommands.stop(started.get(i));
            }
        }
    }

    /**
     * The job's communication graph as the agents put it together: exactly the halo-exchange
     * edges (|a - b| = 1), one row of COLS doubles per message, and each rank's traffic split
     * by the node its peers run on, consistent with the placement in the same answer.
     */
    private static void jobGraphSpansBothNodes(JsonNode status, String jobId) {
        JsonNode job = null;
        for (JsonNode j : status.get("jobs")) {
            job = j.get("jobId").asText().equals(jobId) ? j : job;
        }
        assertThat(job).as("job %s in %s", jobId, status.get("jobs")).isNotNull();
        java.util.Map<Integer, String> hostOf = new java.util.HashMap<>();
        for (JsonNode n : status.get("nodes")) {
            n.get("processes").forEach(p -> hostOf.put(p.get("rank").asInt(), n.get("node").get("host").asText()));
        }
        List<String> edges = new ArrayList<>();
        java.util.Map<Integer, java.util.Map<String, Long>> expected = new java.util.HashMap<>();
        for (JsonNode e : job.get("edges")) {
            int a = e.get("from").asInt();
            int b = e.get("to").asInt();
            edges.add(a + "->" + b);
            assertThat(e.get("bytes").asLong()).isEqualTo(e.get("messages").asLong() * COLS * Double.BYTES);
            expected.computeIfAbsent(a, k -> new java.util.TreeMap<>()).merge(hostOf.get(b), e.get("bytes").asLong(),
                    Long::sum);
            expected.computeIfAbsent(b, k -> new java.util.TreeMap<>()).merge(hostOf.get(a), e.get("bytes").asLong(),
                    Long::sum);
        }
        assertThat(edges).containsExactlyInAnyOrder("0->1", "1->0", "1->2", "2->1", "2->3", "3->2");
        assertThat(job.get("ranks")).hasSize(4);
        for (JsonNode r : job.get("ranks")) {
            int rank = r.get("rank").asInt();
            assertThat(r.get("host").asText()).isEqualTo(hostOf.get(rank));
            java.util.Map<String, Long> byNode = new java.util.TreeMap<>();
            r.get("bytesByNode").fields().forEachRemaining(f -> byNode.put(f.getKey(), f.getValue().asLong()));
            assertThat(byNode).as("rank %d", rank).isEqualTo(expected.get(rank));
            assertThat(r.get("localBytes").asLong()).isEqualTo(byNode.getOrDefault(hostOf.get(rank), 0L));
        }
    }


    private static List<Integer> ranks(List<JsonNode> processes) {
        return processes.stream().map(p -> p.get("rank").asInt()).sorted().toList();
    }
}
