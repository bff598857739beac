package io.roam.heat;

import static io.roam.heat.StatusViews.placement;

import static io.roam.heat.RoamCommands.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Draining nodes, end to end on three namespace hosts that are CPU cgroups of 0.6 cores,
 * each agent offering 2 slots and stealing work (RS, 1 s periods), the heat sample on 4
 * ranks under roam run: roam drain of a host with two ranks moves both and, while the host
 * is drained, work stealing (which would pull a rank onto the idle host) sends none back;
 * a drain is refused when the others are full, and a drain of an unknown node names the
 * known ones; after roam undrain, SIGTERM to an agent with ranks moves them before it
 * exits. The job runs until then (the test stops it: {@link StopFile}); its final grid is
 * bit-exact with a run without Roam of as many iterations.
 */
@Tag("system")
class DrainTest {
    private static final int ROWS = 512;
    private static final int COLS = 512;

    @TempDir
    Path dir;

    @Test
    void drainedNodesEmptyAndStayEmptyAndSigtermDrainsFirst() throws Exception {
        Mpi.requireMpirun();
        List<Process> started = new ArrayList<>();
        Phases phases = new Phases("DrainTest");
        try (NetnsHosts hosts = NetnsHosts.create("drn", 3, dir)) {
            String socket = dir.resolve("agent-%h.sock").toString();
            List<Process> agents = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                hosts.cpu(i, "0.6");
                String ip = hosts.addresses.get(i);
                List<String> args = new ArrayList<>(List.of("agent", "--host", ip, "--bind", ip, "--port", "2552",
                        "--http-bind", ip, "--socket", socket, "--stealing", "rs", "--set", "roam.agent.slots=2",
                        "--set", "roam.profiling.period=1s", "--set", "roam.stealing.period=1s",
                        "--set", "roam.stealing.settle-time=3s", "--set", "roam.stealing.backoff-max=2s"));
                args.addAll(RoamCommands.keys(dir));
                if (i > 0) {
                    args.addAll(List.of("--seed", hosts.addresses.get(0) + ":2552"));
                }
                Process a = RoamCommands.start(hosts.exec(i), dir.resolve("agent" + (i + 1) + ".log"),
                        args.toArray(String[]::new));
                agents.add(a);
                started.add(a);
            }
            List<String> h1 = hosts.exec(0);
            String api1 = api(hosts, 0);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(status(h1, api1).get("nodes")).hasSize(3).allMatch(n -> n.get("reachable").asBoolean()));
            phases.mark("agents up");

            Path grid = dir.resolve("grid.bin");
            Path stop = dir.resolve("stop");
            List<String> runArgs = new ArrayList<>(List.of("run", "--agent", api1, "--socket", socket, "--"));
            runArgs.addAll(hosts.networkArgs());
            runArgs.addAll(List.of("-np", "4", Mpi.heatBinary("heat").toString(), "-r", "" + ROWS, "-c", "" + COLS,
                    "-i", "" + StopFile.UNTIL_STOPPED, "-o", grid.toString()));
            runArgs.addAll(StopFile.args(stop));
            Process job = RoamCommands.start(h1, dir.resolve("run.log"), runArgs.toArray(String[]::new));
            started.add(job);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(placement(status(h1, api1)).values().stream().mapToInt(List::size).sum()).isEqualTo(4));
            // let the stealing settle a first time: the idle host may steal a rank; the drain starts
            // once the placement has stayed the same for 4 stealing periods (settle-time 3 s)
            phases.mark("ranks registered");
            awaitSettled(() -> placement(status(h1, api1)), Duration.ofSeconds(4), Duration.ofSeconds(120));
            phases.mark("placement settled");

            // 1. roam drain of a host with two ranks: both move, none left there
            // work stealing runs on: a rank may leave the chosen host before the drain reaches it;
            // then the drain has nothing to move, and the test undrains and tries again
            String chosen = null;
            RoamCommands.Result drain = null;
            for (int attempt = 0; attempt < 4; attempt++) {
                // 4 ranks in 2 slots on each of 3 hosts: some host holds two, unless a rank is in transit
                Map<String, List<Integer>> before = await().atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(500)).until(() -> placement(status(h1, api1)),
                                p -> p.values().stream().anyMatch(r -> r.size() == 2));
                chosen = before.entrySet().stream().filter(e -> e.getValue().size() == 2).map(Map.Entry::getKey)
                        .findFirst().orElseThrow();
                drain = RoamCommands.run(h1, 300, "drain", "--agent", api1, chosen);
                if (!drain.out().contains(" 0 rank(s) to move")) {
                    break;
                }
                RoamCommands.run(h1, 60, "undrain", "--agent", api1, chosen);
                drain = null;
            }
            assertThat(drain).as("a host with two ranks to drain").isNotNull();
            phases.mark("drained");
            String drained = chosen;
            assertThat(drain.exit()).as(drain.out()).isZero();
            assertThat(drain.out()).contains("DONE", "holds no managed process", "moved job");
            JsonNode afterDrain = status(h1, api1);
            assertThat(placement(afterDrain).getOrDefault(drained, List.of())).as(drain.out()).isEmpty();
            assertThat(placement(afterDrain).values().stream().mapToInt(List::size).sum()).isEqualTo(4);
            assertThat(node(afterDrain, drained).get("drained").asBoolean()).isTrue();
            assertThat(RoamCommands.run(h1, 60, "status", "--agent", api1).out()).contains("DRAINED");
            // a new job does not get the drained host
            RoamCommands.Result dry = RoamCommands.run(h1, 60, "run", "--agent", api1, "--dry-run", "--", "-np", "1", "x");
            assertThat(dry.out()).as(dry.out()).contains("# hostfile").doesNotContain(drained + " slots=");

            // 2. while drained, its idle 0.6 cores pull nothing back (10 stealing periods); that
            //    nothing happens is what is shown, so the time is the test: checked every second
            for (int s = 0; s < 10; s++) {
                Thread.sleep(1000);
                assertThat(placement(status(h1, api1)).getOrDefault(drained, List.of())).as("ranks on drained %s",
                        drained).isEmpty();
            }

            phases.mark("nothing stolen back");
            // 3. the two other hosts hold 2 ranks in 2 slots each: draining one is refused, nothing moves
            String full = placement(status(h1, api1)).keySet().stream().filter(h -> !h.equals(drained)).findFirst()
                    .orElseThrow();
            Map<String, List<Integer>> beforeRefusal = placement(status(h1, api1));
            RoamCommands.Result refused = RoamCommands.run(h1, 60, "drain", "--agent", api1, full);
            assertThat(refused.exit()).as(refused.out()).isEqualTo(2);
            assertThat(refused.out()).contains("cannot drain " + full, "free slots", drained + " drained");
            // nothing left the refused host and it was not marked (stealing between the two others may go on)
            JsonNode afterRefusal = status(h1, api1);
            assertThat(placement(afterRefusal).getOrDefault(full, List.of())).as("ranks on %s after the refusal", full)
                    .containsAll(beforeRefusal.get(full));
            assertThat(node(afterRefusal, full).get("drained").asBoolean()).isFalse();
            RoamCommands.Result unknown = RoamCommands.run(h1, 60, "drain", "--agent", api1, "no-such-node");
            assertThat(unknown.exit()).isEqualTo(2);
            assertThat(unknown.out()).contains("unknown node no-such-node", "known nodes",
                    hosts.addresses.get(0), hosts.addresses.get(1), hosts.addresses.get(2));

            // What follows needs slots, not quotas: lift them, so that the ranks run at full speed
            // while SIGTERM moves them
            for (int i = 0; i < 3; i++) {
                hosts.cpu(i, "max");
            }

            // 4. undrain, then SIGTERM to the agent of a host with ranks: they move before it exits
            assertThat(RoamCommands.run(h1, 60, "undrain", "--agent", api1, drained).out()).contains("undrained");
            int victim = hosts.addresses.indexOf(full);
            int asker = victim == 0 ? hosts.addresses.indexOf(drained) : 0;
            List<String> askHost = hosts.exec(asker);
            String askApi = api(hosts, asker);
            ProcessHandle agentJvm = java.util.stream.Stream.concat(java.util.stream.Stream.of(
                            agents.get(victim).toHandle()), agents.get(victim).toHandle().descendants())
                    .filter(h -> h.info().commandLine().orElse("").contains("RoamCli")).findFirst()
                    .orElseThrow(() -> new AssertionError("no agent JVM under " + agents.get(victim).pid()));
            List<Integer> hadRanks = placement(status(askHost, askApi)).getOrDefault(full, List.of());
            assertThat(hadRanks).isNotEmpty();
            new ProcessBuilder("kill", "-TERM", Long.toString(agentJvm.pid())).start().waitFor();
            phases.mark("refusals checked, undrained, SIGTERM sent");
            assertThat(agentJvm.onExit().get(150, TimeUnit.SECONDS).isAlive()).isFalse();
            phases.mark("agent stopped by SIGTERM");
            assertThat(Files.readString(dir.resolve("agent" + (victim + 1) + ".log")))
                    .contains("roam agent: drain: FINISHED", "holds no managed process");
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                Map<String, List<Integer>> p = placement(status(askHost, askApi));
                assertThat(p).doesNotContainKey(full);
                assertThat(p.values().stream().mapToInt(List::size).sum()).isEqualTo(4);
            });

            phases.mark("its ranks elsewhere");
            StopFile.stop(stop);
            assertThat(job.waitFor(600, TimeUnit.SECONDS)).as(Files.readString(dir.resolve("run.log"))).isTrue();
            assertThat(job.exitValue()).as(Files.readString(dir.resolve("run.log"))).isZero();
            phases.mark("job ended");
            assertThat(Files.readAllBytes(grid)).as("grid after the drains")
                    .isEqualTo(StopFile.baseline(4, ROWS, COLS, dir.resolve("run.log")));
            phases.mark("baseline compared");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage()
                    + RoamCommands.logs(dir, "agent1.log", "agent2.log", "agent3.log", "run.log"), e);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                RoamCommands.stop(started.get(i));
            }
        }
    }

    private static String api(NetnsHosts hosts, int i) {
        return "http://" + hosts.addresses.get(i) + ":7170";
    }

    /** Waits until {@code value} has stayed the same for {@code quiet}, at most {@code atMost}. */
    private static <T> void awaitSettled(Callable<T> value, Duration quiet, Duration atMost) {
        AtomicReference<T> last = new AtomicReference<>();
        AtomicLong since = new AtomicLong();
        await().atMost(atMost).pollInterval(Duration.ofMillis(500)).until(() -> {
            T now = value.call();
            long t = System.nanoTime();
            if (!now.equals(last.getAndSet(now))) {
                since.set(t);
                return false;
            }
            return t - since.get() >= quiet.toNanos();
        });
    }



    private static JsonNode node(JsonNode status, String host) {
        for (JsonNode n : status.get("nodes")) {
            if (n.get("node").get("host").asText().equals(host)) {
                return n;
            }
        }
        throw new AssertionError("no node " + host);
    }
}
