package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roam run -- <mpirun arguments>}: an MPI application under the agents: a hostfile
 * of the cluster's nodes, the options PCM needs, and the agent socket in every process's
 * environment.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run an MPI application under the agents: roam run [--agent URL] -- -np 4 ./app args")
final class RunCommand implements Callable<Integer> {
    @Mixin
    AgentOption agent = new AgentOption();

    @Option(names = "--socket", description = "PCM socket path pattern (%%h = host), as the agents use it.")
    String socket = ConfigFactory.load().getString("roam.agent.pcm.socket");

    @Option(names = "--slots", description = "Slots per node in the hostfile (default: each node's roam.agent.slots).")
    Integer slots;

    @Option(names = "--dry-run", description = "Print the mpirun command instead of running it.")
    boolean dryRun;

    @Parameters(description = "mpirun arguments: -np N, the program and its arguments.")
    List<String> mpirunArgs = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (mpirunArgs.isEmpty()) {
            System.err.println("roam run: nothing to run; usage: roam run -- -np 4 ./app args");
            return 2;
        }
        var fetched = agent.status("run");
        if (fetched.isEmpty()) {
            return 1;
        }
        JsonNode status = fetched.get();
        StringBuilder hostfile = new StringBuilder();
        for (JsonNode n : status.get("nodes")) {
            // a drained node takes no new ranks (roam drain: it is being emptied)
            if (n.get("reachable").asBoolean() && !n.path("drained").asBoolean(false)) {
                hostfile.append(n.get("node").get("host").asText()).append(" slots=")
                        .append(slots != null ? slots : n.get("slots").asInt()).append('\n');
            }
        }
        if (hostfile.isEmpty()) {
            System.err.println("roam run: no node to run on: every node of the cluster is unreachable or drained"
                    + " (roam undrain NODE gives one back)");
            return 1;
        }
        Path hf = Files.createTempFile("roam-hosts-", ".txt");
        Files.writeString(hf, hostfile);
        hf.toFile().deleteOnExit();
        List<String> cmd = new ArrayList<>(List.of("mpirun", "--hostfile", hf.toString(),
                // ranks leave the job at different times when they migrate
                "--mca", "orte_allowed_exit_without_sync", "1",
                // a replacement spawns in ~27 ms with ob1 against ~230 ms with UCX's start-up
                "--mca", "pml", "ob1",
                // Open MPI 4.1 gives a slot back only when the whole job ends; more ranks than
                // cores must yield while they wait, or every collective waits for a time slice
                "--oversubscribe", "--mca", "mpi_yield_when_idle", "1",
                "-x", "ROAM_AGENT_SOCKET"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.add(1, "--allow-run-as-root");
        }
        cmd.addAll(mpirunArgs);
        if (dryRun) {
            System.out.println("ROAM_AGENT_SOCKET=" + socket + " " + String.join(" ", cmd));
            System.out.print("# hostfile " + hf + ":\n" + hostfile);
            return 0;
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("ROAM_AGENT_SOCKET", socket);
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }
        }));
        return p.waitFor();
    }
}
