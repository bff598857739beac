package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roam run -- <mpirun arguments>}: an MPI application under the agents: a hostfile
 * of the cluster's nodes, the options PCM needs, and in every process's environment the agents'
 * socket (ROAM_AGENT_SOCKET, as the agents report it) and the job's hosts (ROAM_JOB_HOSTS).
 * Inside a Slurm allocation the nodes are the allocation's that have an agent ({@link RunHosts}):
 * Open MPI's Slurm support (ras/plm slurm) takes their slots from Slurm and starts its daemons
 * with srun, so the job's hosts, and the targets its ranks may move to, stay inside it.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run an MPI application under the agents: roam run [--agent URL] -- -np 4 ./app args",
            "Inside a Slurm allocation (salloc, sbatch) the job runs on the allocation's nodes that have an agent,"
                + " with the allocation's slots, and mpirun starts its daemons through Slurm (srun)."})
final class RunCommand implements Callable<Integer> {
    /** The longest ROAM_JOB_HOSTS libpcm takes (the PCM protocol's longest string). */
    static final int MAX_JOB_HOSTS = 4096;

    @Mixin
    AgentOption agent = new AgentOption();

    @Option(names = "--socket", description = "PCM socket path pattern (%%h = host) for the ranks; default: the one"
            + " the agents report (roam.agent.pcm.socket).")
    String socket;

    @Option(names = "--slots", description = "Slots per node in the hostfile (default: each node's roam.agent.slots).")
    Integer slots;

    @Option(names = "--dry-run", description = "Print the mpirun command instead of running it.")
    boolean dryRun;

    @Parameters(description = "mpirun arguments: -np N, the program and its arguments.")
    List<String> mpirunArgs = new ArrayList<>();

    /** Where a Slurm allocation shows (SLURM_JOB_ID, SLURM_JOB_NODELIST, SLURM_TASKS_PER_NODE). */
    Map<String, String> env = System.getenv();

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
        RunHosts chosen;
        try {
            chosen = RunHosts.choose(status, SlurmAllocation.fromEnv(env), slots);
        } catch (IllegalArgumentException e) {
            System.err.println("roam run: " + e.getMessage());
            return 1;
        }
        chosen.notes().forEach(n -> System.err.println("roam run: " + n));
        List<String> notes = new ArrayList<>();
        List<String> hosts = new ArrayList<>(chosen.hosts());
        for (String h : MpirunHosts.named(mpirunArgs, notes)) {
            if (!hosts.contains(h)) {
                hosts.add(h);   // the user's --host or --hostfile: its ranks may run there too
            }
        }
        notes.forEach(n -> System.err.println("roam run: " + n));
        String hostfile = chosen.hostfile();
        Map<String, List<String>> sockets = new TreeMap<>(chosen.sockets());
        String pcmSocket = socket;
        if (pcmSocket == null) {
            sockets.remove("");   // an agent too old to say
            if (sockets.size() != 1) {
                System.err.println("roam run: the agents use " + (sockets.isEmpty() ? "no PCM socket they report"
                        : "different PCM sockets (" + sockets.entrySet().stream().map(e -> e.getKey() + " on "
                        + String.join(", ", e.getValue())).collect(Collectors.joining("; ")) + ")")
                        + ": give them one roam.agent.pcm.socket (with %h for the host name), or pass --socket");
                return 1;
            }
            pcmSocket = sockets.keySet().iterator().next();
        }
        String jobHosts = String.join(",", hosts);
        if (jobHosts.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_JOB_HOSTS) {
            System.err.println("roam run: " + hosts.size() + " hosts do not fit ROAM_JOB_HOSTS (" + MAX_JOB_HOSTS
                    + " bytes): the agents will not know the job's hosts, and refuse no target for being outside them");
            jobHosts = "";
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
                "-x", "ROAM_AGENT_SOCKET", "-x", "ROAM_JOB_HOSTS"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.add(1, "--allow-run-as-root");
        }
        cmd.addAll(mpirunArgs);
        if (dryRun) {
            System.out.println("ROAM_AGENT_SOCKET=" + pcmSocket + " ROAM_JOB_HOSTS=" + jobHosts + " "
                    + String.join(" ", cmd));
            System.out.print("# hostfile " + hf + ":\n" + hostfile);
            if (env.containsKey("SLURM_JOB_ID")) {
                System.out.println("# inside Slurm job " + env.get("SLURM_JOB_ID")
                        + ": mpirun takes the slots from the allocation and starts its daemons with srun");
            }
            return 0;
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("ROAM_AGENT_SOCKET", pcmSocket);
        pb.environment().put("ROAM_JOB_HOSTS", jobHosts);
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
            }
        }));
        // an mpirun whose teardown hangs after the job ended is ended (MpirunWait)
        return MpirunWait.await(p, null, MpirunWait.GRACE, m -> System.err.println("roam run: " + m)).orElseThrow()
                .exitCode();
    }
}
