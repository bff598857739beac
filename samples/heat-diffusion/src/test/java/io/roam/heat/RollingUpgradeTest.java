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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rolling upgrade of docs/operations.md, step by step with the same commands: three agents
 * on namespace hosts, the heat sample on 4 ranks under roam run, then for each agent in turn
 * {@code roam drain} (its ranks move to the two others), SIGTERM (what {@code systemctl stop
 * roam-agent} sends), a new agent started drained ({@code roam.agent.drain.at-start}, as the
 * upgraded service would be), and once it is back in the cluster {@code roam undrain}. The job
 * runs through all of it and its final grid is bit-exact with a run without Roam (heat-nopcm) of
 * as many iterations. The job lasts until the upgrade is over, however busy the machine is: the
 * test stops it then ({@link StopFile}). So that it leaves the agents the CPU they need, it runs
 * in CPU cgroups of {@value #JOB_CORES} cores per host while the agents are replaced (the agents
 * run outside them), and at full speed until it stops.
 */
@Tag("system")
class RollingUpgradeTest {
    private static final int ROWS = 256;
    private static final int COLS = 256;
    private static final String JOB_CORES = "0.1";

    @TempDir
    Path dir;

    @Test
    void threeAgentsUpgradedOneByOneWhileAJobRunsAndTheJobEndsBitExact() throws Exception {
        Mpi.requireMpirun();
        List<Process> started = new ArrayList<>();
        List<String> logs = new ArrayList<>(List.of("run.log"));
        Phases phases = new Phases("RollingUpgradeTest");
        try (NetnsHosts hosts = NetnsHosts.create("rup", 3, dir)) {
            List<Process> agents = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String log = "agent" + (i + 1) + ".log";
                logs.add(log);
                Process a = agent(hosts, i, i == 0 ? List.of() : List.of(hosts.addresses.get(0)), false, log);
                agents.add(a);
                started.add(a);
            }
            List<String> h1 = outsideCgroup(hosts, 0);   // the roam commands, like the agents, run at full speed
            String api1 = api(hosts, 0);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(status(h1, api1).get("nodes")).hasSize(3).allMatch(n -> n.get("reachable").asBoolean()));
            phases.mark("agents up");

            for (int i = 0; i < 3; i++) {
                hosts.cpu(i, JOB_CORES);   // what starts on the hosts from now on: mpirun, its daemons, the ranks
            }
            Path grid = dir.resolve("grid.bin");
            Path stop = dir.resolve("stop");
            List<String> runArgs = new ArrayList<>(List.of("run", "--agent", api1, "--"));
            runArgs.addAll(hosts.networkArgs());
            runArgs.addAll(List.of("-np", "4", Mpi.heatBinary("heat").toString(), "-r", "" + ROWS, "-c", "" + COLS,
                    "-i", "" + StopFile.UNTIL_STOPPED, "-o", grid.toString()));
            runArgs.addAll(StopFile.args(stop));
            Process job = RoamCommands.start(hosts.exec(0), dir.resolve("run.log"), runArgs.toArray(String[]::new));
            started.add(job);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(ranks(status(h1, api1))).isEqualTo(4));
            phases.mark("ranks registered");

            for (int i = 0; i < 3; i++) {
                String host = hosts.addresses.get(i);
                int other = (i + 1) % 3;            // the commands go to an agent that stays up
                List<String> there = outsideCgroup(hosts, other);
                String api = api(hosts, other);
                // 1. roam drain: every rank leaves the node, which takes no new work
                RoamCommands.Result drain = RoamCommands.run(there, 300, "drain", "--agent", api, host);
                assertThat(drain.exit()).as(drain.out()).isZero();
                assertThat(placement(status(there, api)).getOrDefault(host, List.of())).as(drain.out()).isEmpty();
                phases.mark(host + " drained");
                // 2. stop: SIGTERM to the agent's JVM, as systemd sends it
                ProcessHandle jvm = agentJvm(agents.get(i));
                new ProcessBuilder("kill", "-TERM", Long.toString(jvm.pid())).start().waitFor();
                assertThat(jvm.onExit().get(150, TimeUnit.SECONDS).isAlive()).isFalse();
                assertThat(job.isAlive()).as("the job ran on while agent %s stopped", host).isTrue();
                phases.mark(host + " stopped");
                // 3. start the new agent, drained until checked
                String log = "agent" + (i + 1) + "-upgraded.log";
                logs.add(log);
                Process upgraded = agent(hosts, i, List.of(hosts.addresses.get(other)), true, log);
                agents.set(i, upgraded);
                started.add(upgraded);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    JsonNode s = status(there, api);
                    assertThat(s.get("nodes")).hasSize(3).allMatch(n -> n.get("reachable").asBoolean());
                    assertThat(node(s, host).get("drained").asBoolean()).as("%s back, drained", host).isTrue();
                });
                phases.mark(host + " upgraded agent up");
                // 4. roam undrain: it takes work again
                RoamCommands.Result undrain = RoamCommands.run(there, 60, "undrain", "--agent", api, host);
                assertThat(undrain.exit()).as(undrain.out()).isZero();
                assertThat(node(status(there, api), host).get("drained").asBoolean()).isFalse();
                assertThat(ranks(status(there, api))).isEqualTo(4);
                phases.mark(host + " undrained");
            }
            assertThat(job.isAlive()).as("the job ran through the upgrade").isTrue();
            for (int i = 0; i < 3; i++) {
                hosts.cpu(i, "max");
            }
            StopFile.stop(stop);

            assertThat(job.waitFor(600, TimeUnit.SECONDS)).as(Files.readString(dir.resolve("run.log"))).isTrue();
            assertThat(job.exitValue()).as(Files.readString(dir.resolve("run.log"))).isZero();
            phases.mark("job ended");
            assertThat(Files.readAllBytes(grid)).as("grid after the rolling upgrade")
                    .isEqualTo(StopFile.baseline(4, ROWS, COLS, dir.resolve("run.log")));
            phases.mark("baseline compared");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + RoamCommands.logs(dir, logs.toArray(String[]::new)), e);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                RoamCommands.stop(started.get(i));
            }
        }
    }

    /** roam agent on host i, as the unit runs it (stealing off: only the steps move ranks). */
    private Process agent(NetnsHosts hosts, int i, List<String> seeds, boolean drained, String log)
            throws Exception {
        String ip = hosts.addresses.get(i);
        List<String> args = new ArrayList<>(List.of("agent", "--host", ip, "--bind", ip, "--port", "2552",
                "--http-bind", ip, "--socket", dir.resolve("agent-%h.sock").toString(), "--stealing", "off",
                "--set", "roam.agent.slots=4", "--set", "roam.agent.drain.at-start=" + drained));
        args.addAll(RoamCommands.keys(dir));
        for (String s : seeds) {
            args.addAll(List.of("--seed", s + ":2552"));
        }
        return RoamCommands.start(outsideCgroup(hosts, i), dir.resolve(log), args.toArray(String[]::new));
    }

    /**
     * Runs a command on host i as {@link NetnsHosts#exec} does (its network and host name) but
     * outside the host's CPU cgroup: the cgroup slows the job, not the agents.
     */
    private static List<String> outsideCgroup(NetnsHosts hosts, int i) {
        return List.of("nsenter", "--net=/run/netns/" + hosts.prefix + "-h" + (i + 1), "unshare", "--uts",
                "/bin/sh", "-c", "hostname \"$0\" && export ROAM_HOST=\"$0\" && exec \"$@\"",
                hosts.addresses.get(i));
    }

    private static ProcessHandle agentJvm(Process agent) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(agent.toHandle()),
                        agent.toHandle().descendants())
                .filter(h -> h.info().commandLine().orElse("").contains("RoamCli")).findFirst()
                .orElseThrow(() -> new AssertionError("no agent JVM under " + agent.pid()));
    }

    private static String api(NetnsHosts hosts, int i) {
        return "http://" + hosts.addresses.get(i) + ":7170";
    }

    private static JsonNode node(JsonNode status, String host) {
        for (JsonNode n : status.get("nodes")) {
            if (n.get("node").get("host").asText().equals(host)) {
                return n;
            }
        }
        throw new AssertionError("no node " + host + " in " + status);
    }

    private static int ranks(JsonNode status) {
        return placement(status).values().stream().mapToInt(List::size).sum();
    }
}
