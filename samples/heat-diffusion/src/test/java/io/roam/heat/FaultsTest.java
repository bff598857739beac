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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults during migrations, one heat job on three namespace hosts going through them
 * in turn. Each fault strikes at an exact point of a migration: libpcm's test gates
 * (ROAM_PCM_TEST_GATE) hold the migrating process at the spawn, after the spawn, or before
 * the state goes out, while the test kills an agent or cuts a link; the whole job waits there.
 * The gates are in libpcm's test build only: the job runs heat-gates, heat.c linked with it.
 * <ol>
 *   <li>the target agent is killed (-9) between the offer and the spawn, and comes back;</li>
 *   <li>the target agent, whose host runs a rank, is killed during the spawn; the spawn goes
 *       on, the ranks on that host run without agent, and reconnect by themselves to the
 *       agent started again (libpcm's back-off);</li>
 *   <li>the target host is cut off (its veth down) during the state transfer, then back;</li>
 *   <li>the source agent is killed while its rank migrates, and comes back;</li>
 *   <li>orders for a rank that does not run and, at the end, for the finished job: clear errors.</li>
 * </ol>
 * Every migration completes; each rank's moves count shows that none was ordered twice
 * (and the agents' logs hold exactly one order per roam migrate); the job, stopped once the
 * faults are over ({@link StopFile}), ends with a grid bit-exact with a run without Roam of as
 * many iterations; no heat or orted process and no agent socket file is left behind.
 */
@Tag("system")
class FaultsTest {
    private static final int ROWS = 128;
    private static final int COLS = 128;

    @TempDir
    Path dir;

    private NetnsHosts hosts;
    private String socket;
    private final Process[] agents = new Process[3];
    private final List<Process> started = new ArrayList<>();
    private Path gates;

    @Test
    void migrationsSurviveAgentDeathsAndACutLinkAndLoseNothing() throws Exception {
        Mpi.requireMpirun();
        gates = Files.createDirectories(dir.resolve("gates"));
        try (NetnsHosts h = NetnsHosts.create("flt", 3, dir)) {
            hosts = h;
            socket = dir.resolve("agent-%h.sock").toString();
            for (int i = 0; i < 3; i++) {
                startAgent(i, "agent" + (i + 1) + ".log");
            }
            String h1 = h.addresses.get(0);
            String h2 = h.addresses.get(1);
            String h3 = h.addresses.get(2);
            awaitCluster(0);
            step("agents up");

            Path grid = dir.resolve("grid.bin");
            // the job runs until the faults are over: the test stops it then (StopFile)
            Path stop = dir.resolve("stop");
            List<String> runArgs = new ArrayList<>(List.of(RoamCommands.ROAM.toString(), "run", "--agent", api(0),
                    "--socket", socket, "--"));
            runArgs.addAll(h.networkArgs());
            runArgs.addAll(List.of("-x", "ROAM_PCM_TEST_GATE", "-x", "ROAM_PCM_RECONNECT_MS", "-x", "ROAM_PCM_STALL_MS",
                    "-np", "4",
                    Mpi.heatBinary("heat-gates").toString(), "-r", "" + ROWS, "-c", "" + COLS,
                    "-i", "" + StopFile.UNTIL_STOPPED, "-o", grid.toString()));
            runArgs.addAll(StopFile.args(stop));
            List<String> cmd = new ArrayList<>(h.exec(0));
            cmd.addAll(runArgs);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("run.log").toFile());
            pb.environment().put("ROAM_PCM_TEST_GATE", gates.toString());
            pb.environment().put("ROAM_PCM_RECONNECT_MS", "250");   // retries at 250 ms, doubling up to 2 s
            // the gates hold a move while agents are killed and restarted: on a loaded machine that
            // may outlast the default stall bound (60 s), which would end the job
            pb.environment().put("ROAM_PCM_STALL_MS", "600000");
            Process job = pb.start();
            started.add(job);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(ranks(0)).hasSize(4));
            Map<Integer, Rank> start = ranks(0);
            assertThat(start.values()).extracting(Rank::host).containsOnly(h1, h2);   // 2 slots per host
            String jobId = start.get(0).job();
            step("job registered");

            // 1. target agent killed between the offer and the spawn, started again before the spawn
            int r1 = onHost(start, h1).get(1);
            CompletableFuture<RoamCommands.Result> m1 = migrateAsync(0, jobId, r1, h3, gate("spawn"));
            awaitGate("spawn");
            kill9(2);
            startAgent(2, "agent3-b.log");
            awaitCluster(0);
            open("spawn");
            awaitRank(r1, h3, 1);   // roam migrate ends later: the new agent never heard of the order
            step("1. target agent killed between offer and spawn");

            // 2. target agent killed during the spawn (its host runs r1): the ranks on h3 run without
            //    agent until it is back, then register again by themselves
            int r2 = onHost(ranks(0), h2).get(0);
            CompletableFuture<RoamCommands.Result> m2 = migrateAsync(0, jobId, r2, h3, gate("spawned"));
            awaitGate("spawned");
            kill9(2);
            open("spawned");
            RoamCommands.Result out1 = m1.get(90, TimeUnit.SECONDS);
            assertThat(out1.exit()).as(out1.out()).isZero();
            assertThat(out1.out()).contains("STARTED", "DONE", "did not confirm the arrival");
            assertThat(ranks(0)).as("ranks registered while h3 has no agent").doesNotContainKeys(r1, r2).hasSize(2);
            startAgent(2, "agent3-c.log");
            RoamCommands.Result out2 = m2.get(90, TimeUnit.SECONDS);
            assertThat(out2.exit()).as(out2.out()).isZero();
            assertThat(out2.out()).contains("DONE", "did not confirm the arrival");
            awaitRank(r1, h3, 1);
            awaitRank(r2, h3, 1);
            step("2. target agent killed during the spawn");

            // 3. the target host is cut off during the state transfer, and comes back within seconds
            int r3 = onHost(ranks(0), h1).get(0);
            CompletableFuture<RoamCommands.Result> m3 = migrateAsync(0, jobId, r3, h3, gate("state"));
            awaitGate("state");
            link(2, "down");
            open("state");
            // the fault itself, not a wait for something: the link stays cut for 3 s while the state
            // goes into it (TCP keeps it and retransmits), then comes back
            Thread.sleep(3000);
            link(2, "up");
            RoamCommands.Result out3 = m3.get(120, TimeUnit.SECONDS);
            assertThat(out3.exit()).as(out3.out()).isZero();
            assertThat(out3.out()).contains("DONE", "running on " + h3);
            awaitRank(r3, h3, 1);
            step("3. target host cut off during the state transfer");

            // 4. the source agent (h3's) is killed while its rank migrates: roam migrate (served by
            //    h1's agent) ends UNKNOWN once the dead agent has left the cluster (its new incarnation
            //    joins), the move completes, and the ranks left on h3 register with the new agent
            CompletableFuture<RoamCommands.Result> m4 = migrateAsync(0, jobId, r1, h1, gate("spawn"));
            awaitGate("spawn");
            kill9(2);
            startAgent(2, "agent3-d.log");
            awaitCluster(0);
            RoamCommands.Result out4 = m4.get(60, TimeUnit.SECONDS);
            assertThat(out4.exit()).as(out4.out()).isNotZero();
            assertThat(out4.out()).contains("UNKNOWN", "left the cluster").doesNotContain("DONE");
            open("spawn");
            awaitRank(r1, h1, 2);
            awaitRank(r2, h3, 1);
            awaitRank(r3, h3, 1);
            step("4. source agent killed");

            // 5. an order for a rank that does not run
            RoamCommands.Result none = RoamCommands.run(h.exec(0), 60, "migrate", "--agent", api(0), "--job", jobId,
                    "--rank", "9", "--to", h2);
            assertThat(none.exit()).as(none.out()).isEqualTo(2);   // refused: nothing was done
            assertThat(none.out()).contains("has no rank 9 running", "nothing to move");

            // every rank once, moved exactly as often as ordered
            Map<Integer, Rank> end = ranks(0);
            assertThat(end).hasSize(4);
            int r4 = List.of(0, 1, 2, 3).stream().filter(r -> r != r1 && r != r2 && r != r3).findFirst().orElseThrow();
            assertThat(end.get(r4).moves()).isZero();
            assertThat(end.get(r4).host()).isEqualTo(h2);

            StopFile.stop(stop);
            assertThat(job.waitFor(400, TimeUnit.SECONDS)).as(Files.readString(dir.resolve("run.log"))).isTrue();
            assertThat(job.exitValue()).as(Files.readString(dir.resolve("run.log"))).isZero();
            step("job ended");
            assertThat(Files.readAllBytes(grid)).as("grid after the faults")
                    .isEqualTo(StopFile.baseline(4, ROWS, COLS, dir.resolve("run.log")));
            step("grid bit-exact with a run of as many iterations without Roam");

            // 5b. an order for the finished job
            RoamCommands.Result finished = RoamCommands.run(h.exec(0), 60, "migrate", "--agent", api(0), "--job",
                    jobId, "--rank", "0", "--to", h2);
            assertThat(finished.exit()).as(finished.out()).isEqualTo(2);
            assertThat(finished.out()).contains("job " + jobId + " has no process registered", "finished");

            // exactly one order sent per roam migrate, over every agent incarnation
            assertThat(ordersSent()).isEqualTo(4);
            // nothing left: no heat or orted process in the hosts, no agent socket once the agents stop
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(leftovers()).isEmpty());
            for (int i = 2; i >= 0; i--) {
                RoamCommands.stop(agents[i]);
            }
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sock")))
                        .as("agent sockets left").isEmpty();
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + RoamCommands.logs(dir, "agent1.log", "agent2.log", "agent3.log",
                    "agent3-b.log", "agent3-c.log", "agent3-d.log", "run.log"), e);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                RoamCommands.stop(started.get(i));
            }
        }
    }

    record Rank(String job, String host, int moves, long pid) {
    }

    private final long t0 = System.nanoTime();

    /** Progress on the test's output: how long each step took (the CI budget is tight). */
    private void step(String what) {
        System.out.printf("FaultsTest %6.1f s: %s%n", (System.nanoTime() - t0) / 1e9, what);
    }

    private void startAgent(int i, String log) throws IOException {
        String ip = hosts.addresses.get(i);
        List<String> args = new ArrayList<>(List.of("agent", "--host", ip, "--bind", ip, "--port", "2552",
                "--http-bind", ip, "--socket", socket, "--stealing", "off", "--set", "roam.agent.slots=2"));
        args.addAll(RoamCommands.keys(dir));
        if (i > 0) {
            args.addAll(List.of("--seed", hosts.addresses.get(0) + ":2552"));
        }
        agents[i] = RoamCommands.start(hosts.exec(i), dir.resolve(log), args.toArray(String[]::new));
        started.add(agents[i]);
    }

    /** kill -9 of agent i's JVM: no shutdown hook, no drain, its socket file stays behind. */
    private void kill9(int i) throws Exception {
        ProcessHandle jvm = java.util.stream.Stream.concat(java.util.stream.Stream.of(agents[i].toHandle()),
                        agents[i].toHandle().descendants())
                .filter(p -> p.info().commandLine().orElse("").contains("RoamCli")).findFirst()
                .orElseThrow(() -> new AssertionError("no agent JVM under " + agents[i].pid()));
        new ProcessBuilder("kill", "-9", Long.toString(jvm.pid())).start().waitFor();
        assertThat(jvm.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
    }

    /** All three agents Up and reachable, as agent i sees them. */
    private void awaitCluster(int i) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(status(hosts.exec(i), api(i)).get("nodes")).hasSize(3)
                        .allMatch(n -> n.get("reachable").asBoolean()));
    }

    private Path gate(String phase) throws IOException {
        Files.deleteIfExists(gates.resolve(phase + ".reached"));
        return Files.writeString(gates.resolve(phase), "");
    }

    private void awaitGate(String phase) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(gates.resolve(phase + ".reached")));
    }

    private void open(String phase) throws IOException {
        Files.delete(gates.resolve(phase));
    }

    /** roam migrate through agent {@code via}'s API, in the background (the gate is already set). */
    private CompletableFuture<RoamCommands.Result> migrateAsync(int via, String job, int rank, String to, Path gate) {
        assertThat(gate).exists();
        return CompletableFuture.supplyAsync(() -> {
            try {
                return RoamCommands.run(hosts.exec(via), 150, "migrate", "--agent", api(via), "--job", job,
                        "--rank", "" + rank, "--to", to);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private void awaitRank(int rank, String host, int moves) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            Rank r = ranks(0).get(rank);
            assertThat(r).as("rank %d", rank).isNotNull();
            assertThat(r.host()).as("host of rank %d", rank).isEqualTo(host);
            assertThat(r.moves()).as("moves of rank %d", rank).isEqualTo(moves);
            assertThat(NetnsHosts.netnsOf(r.pid())).isEqualTo(hosts.netnsId(hosts.addresses.indexOf(host)));
        });
    }

    /** Rank -> where it is registered, as agent i sees the cluster; fails on a rank registered twice. */
    private Map<Integer, Rank> ranks(int i) throws Exception {
        JsonNode s = status(hosts.exec(i), api(i));
        Map<Integer, Rank> out = new TreeMap<>();
        for (JsonNode n : s.get("nodes")) {
            for (JsonNode p : n.get("processes")) {
                Rank r = new Rank(p.get("jobId").asText(), n.get("node").get("host").asText(), p.get("moves").asInt(),
                        p.get("pid").asLong());
                Rank twice = out.put(p.get("rank").asInt(), r);
                assertThat(twice).as("rank %d registered twice: %s and %s", p.get("rank").asInt(), twice, r).isNull();
            }
        }
        return out;
    }

    private static List<Integer> onHost(Map<Integer, Rank> ranks, String host) {
        return ranks.entrySet().stream().filter(e -> e.getValue().host().equals(host)).map(Map.Entry::getKey).toList();
    }

    /** Takes host i's link to the bridge down or up (the bridge side of its veth pair). */
    private void link(int i, String state) throws Exception {
        Process p = new ProcessBuilder("ip", "-n", hosts.prefix + "-br", "link", "set", hosts.prefix + "-v" + (i + 1),
                state).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    private int ordersSent() throws IOException {
        Pattern order = Pattern.compile("migration order \\d+ sent");
        int n = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("agent.*\\.log")).toList()) {
                Matcher m = order.matcher(Files.readString(f));
                while (m.find()) {
                    n++;
                }
            }
        }
        return n;
    }

    /** heat and orted processes still running in the test's namespaces. */
    private List<String> leftovers() throws IOException {
        List<String> ns = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ns.add(hosts.netnsId(i));
        }
        List<String> out = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(p -> {
            String cmd = p.info().commandLine().orElse("");
            if (cmd.contains("heat") || cmd.contains("orted")) {
                try {
                    if (ns.contains(NetnsHosts.netnsOf(p.pid()))) {
                        out.add(p.pid() + " " + cmd);
                    }
                } catch (IOException gone) {
                    // ended meanwhile
                }
            }
        });
        return out;
    }

    private String api(int i) {
        return "http://" + hosts.addresses.get(i) + ":7170";
    }
}
