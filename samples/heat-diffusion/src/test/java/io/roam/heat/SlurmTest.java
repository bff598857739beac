package io.roam.heat;

import static io.roam.heat.StatusViews.processesOn;

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
 * Roam under Slurm, for real: a controller and a slurmd on each of three namespace hosts (each
 * under its Slurm node name), an agent on each host as a service would run it, and a batch job
 * of two of the nodes ({@code sbatch -N 2 --ntasks-per-node=2}) whose script runs the heat
 * sample with a plain {@code roam run}. The ranks run on the allocation's nodes, started by
 * Open MPI's daemons that Slurm launched (slurmstepd); a move to the third node, a cluster
 * member outside the allocation, is refused; a move inside it is done with {@code roam
 * migrate}; the batch job ends with exit 0 and the grid is bit-exact with a run without Roam
 * (heat-nopcm) of as many iterations: the job runs until the test has checked the moves
 * ({@link StopFile}), not a count of iterations sized for the slowest machine.
 */
@Tag("system")
class SlurmTest {
    private static final int ROWS = 256;
    private static final int COLS = 256;
    /** The job's CPU per host until the moves are done: it leaves Slurm, the agents and the commands the rest. */
    private static final String JOB_CORES = "0.15";

    @TempDir
    Path dir;

    @Test
    void aBatchJobUnderRoamRunStaysInsideItsAllocationAndMovesBitExact() throws Exception {
        Mpi.requireMpirun();
        List<Process> started = new ArrayList<>();
        long t0 = System.nanoTime();
        try (SlurmCluster slurm = SlurmCluster.start("rslm", 3, dir)) {
            String n1 = slurm.nodes.get(0);
            String n2 = slurm.nodes.get(1);
            String n3 = slurm.nodes.get(2);
            String api1 = "http://" + slurm.hosts.addresses.get(0) + ":7170";
            phase(t0, "slurm up");
            List<String> on1 = slurm.onNode(0);
            for (int i = 0; i < 3; i++) {
                started.add(agent(slurm, i));
            }
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                    assertThat(status(on1, api1).get("nodes")).hasSize(3).allMatch(n -> n.get("reachable").asBoolean()));

            phase(t0, "agents up");
            Path grid = dir.resolve("grid.bin");
            Path stop = dir.resolve("stop");
            Path script = dir.resolve("heat.sbatch");
            Files.writeString(script, "#!/bin/bash\n# the batch script: heat on the allocation's nodes, under the agents\n"
                    + "exec " + RoamCommands.ROAM + " run --agent " + api1 + " -- -np 4 " + Mpi.heatBinary("heat")
                    + " -r " + ROWS + " -c " + COLS + " -i " + StopFile.UNTIL_STOPPED + " -o " + grid + " "
                    + String.join(" ", StopFile.args(stop)) + "\n");
            // the job runs slowly until the moves are done (its hosts' slurmd in CPU cgroups of
            // JOB_CORES); then at full speed until it stops
            slurm.cpu(0, JOB_CORES);
            slurm.cpu(1, JOB_CORES);
            Path jobOut = dir.resolve("job.out");
            Process job = slurm.command(dir.resolve("sbatch.out"), "sbatch", "--wait", "-N", "2", "-w", n1 + "," + n2,
                    "--ntasks-per-node=2", "-o", jobOut.toString(), "-D", dir.toString(), script.toString());
            started.add(job);

            // the four ranks register with the agents of the allocation's two nodes
            JsonNode[] holder = new JsonNode[1];
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                JsonNode s = status(on1, api1);
                assertThat(processesOn(s, n1).size() + processesOn(s, n2).size()).isEqualTo(4);
                holder[0] = s;
            });
            phase(t0, "ranks registered");
            assertThat(processesOn(holder[0], n3)).isEmpty();
            List<JsonNode> onN1 = processesOn(holder[0], n1);
            List<JsonNode> onN2 = processesOn(holder[0], n2);
            assertThat(onN1).hasSize(2);
            String jobId = onN1.get(0).get("jobId").asText();
            int moving = onN1.get(onN1.size() - 1).get("rank").asInt();
            // Open MPI started them through Slurm: their daemons run under slurmstepd, not ssh
            // (Debian names it slurmstepd-wlm)
            List<String> ancestors = ancestors(onN2.get(0).get("pid").asLong());
            assertThat(ancestors).as("ancestors of rank %s", onN2.get(0).get("rank")).contains("orted")
                    .anyMatch(a -> a.startsWith("slurmstepd"));

            RoamCommands.Result outside = RoamCommands.run(on1, 120, "migrate", "--agent", api1, "--job", jobId,
                    "--rank", "" + moving, "--to", n3);
            assertThat(outside.exit()).as(outside.out()).isEqualTo(2);   // refused before anything was done
            assertThat(outside.out()).contains("roam migrate: ",
                    n3 + " is not one of the hosts job " + jobId + " was started on (" + n1 + ", " + n2 + ")");

            phase(t0, "refused outside");
            RoamCommands.Result moved = RoamCommands.run(on1, 120, "migrate", "--agent", api1, "--job", jobId,
                    "--rank", "" + moving, "--to", n2);
            assertThat(moved.exit()).as(moved.out()).isZero();
            assertThat(moved.out()).contains("DONE", "resumed");
            assertThat(processesOn(status(on1, api1), n2)).filteredOn(p -> p.get("rank").asInt() == moving)
                    .extracting(p -> p.get("moves").asInt()).containsExactly(1);

            phase(t0, "moved");
            slurm.cpu(0, "max");
            slurm.cpu(1, "max");
            StopFile.stop(stop);
            assertThat(job.waitFor(300, TimeUnit.SECONDS)).as("sbatch --wait ended").isTrue();
            assertThat(job.exitValue()).as(Files.readString(dir.resolve("sbatch.out")) + Files.readString(jobOut))
                    .isZero();
            phase(t0, "job ended");
            byte[] expected = StopFile.baseline(4, ROWS, COLS, jobOut);
            phase(t0, "baseline");
            assertThat(Files.readAllBytes(grid)).as("grid after a move inside the allocation").isEqualTo(expected);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + RoamCommands.logs(dir, "agent1.log", "agent2.log", "agent3.log",
                    "sbatch.out", "job.out", "slurmctld.log"), e);
        } finally {
            for (int i = started.size() - 1; i >= 0; i--) {
                RoamCommands.stop(started.get(i));
            }
        }
    }

    /** The agent of host i as a service would run it: its Slurm node name as its host, sockets in the test's directory. */
    private Process agent(SlurmCluster slurm, int i) throws IOException {
        String addr = slurm.hosts.addresses.get(i);
        List<String> args = new ArrayList<>(List.of("agent", "--host", slurm.nodes.get(i), "--bind", addr, "--port",
                "2552", "--http-bind", addr, "--socket", dir.resolve("agent-%h.sock").toString(), "--stealing", "off"));
        args.addAll(RoamCommands.keys(dir));
        if (i > 0) {
            args.addAll(List.of("--seed", slurm.hosts.addresses.get(0) + ":2552"));
        }
        return RoamCommands.start(slurm.onNode(i), dir.resolve("agent" + (i + 1) + ".log"), args.toArray(String[]::new));
    }

    /** The time since the start, in the test's output (how long Slurm and the agents take, on a busy machine). */
    private static void phase(long t0, String what) {
        System.out.printf("SlurmTest: %s after %.1f s%n", what, (System.nanoTime() - t0) / 1e9);
    }

    /** The command names of a process's ancestors, nearest first. */
    private static List<String> ancestors(long pid) {
        List<String> names = new ArrayList<>();
        var p = ProcessHandle.of(pid).flatMap(ProcessHandle::parent);
        while (p.isPresent()) {
            names.add(p.get().info().command().map(c -> Path.of(c).getFileName().toString()).orElse("?"));
            p = p.get().parent();
        }
        return names;
    }
}
