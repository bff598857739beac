package io.roam.heat;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Slurm cluster of namespace hosts, all of it in a test's directory: a MUNGE daemon with a
 * key of its own, a slurmctld on host 1 and a slurmd on every host, each in a UTS namespace
 * named after its Slurm node (so that the processes Slurm starts there see that host name, as
 * on a real node) and a mount namespace whose /etc/hosts resolves the node names (as a real
 * cluster's DNS would; this machine's /etc/hosts stays untouched), from a generated slurm.conf. Everything is ended by pid on close, and the
 * namespaces removed.
 */
final class SlurmCluster implements AutoCloseable {
    private static final List<String> PROGRAMS = List.of("munged", "slurmctld", "slurmd", "sbatch", "sinfo");

    final NetnsHosts hosts;
    /** The Slurm node names, host i's at index i (its UTS host name too). */
    final List<String> nodes = new ArrayList<>();
    final Path conf;
    private final Path dir;
    private final List<Process> daemons = new ArrayList<>();

    private SlurmCluster(NetnsHosts hosts, Path dir) {
        this.hosts = hosts;
        this.dir = dir;
        this.conf = dir.resolve("slurm.conf");
        for (int i = 0; i < hosts.addresses.size(); i++) {
            nodes.add(hosts.prefix + "n" + (i + 1));
        }
    }

    /**
     * Starts MUNGE, the controller and {@code n} slurmd daemons, and waits until Slurm shows
     * every node idle. Without root or Slurm's packages: a skip outside CI, a failure in CI.
     */
    static SlurmCluster start(String testPrefix, int n, Path dir) throws IOException, InterruptedException {
        List<String> missing = PROGRAMS.stream().filter(p -> program(p).isEmpty()).toList();
        if (!missing.isEmpty() || !Mpi.isRoot()) {
            String why = !Mpi.isRoot() ? "a Slurm controller and its daemons need root"
                    : "Slurm or MUNGE is not installed (" + String.join(", ", missing)
                    + " not found; make deps installs slurm-wlm and munge)";
            if (System.getenv("CI") != null) {
                fail("CI is set and " + why);
            }
            Assumptions.abort(why + "; the Slurm test is skipped outside CI only");
        }
        SlurmCluster c = new SlurmCluster(NetnsHosts.create(testPrefix, n, dir, "10.234"), dir);
        try {
            c.startDaemons();
            c.awaitIdle(Duration.ofSeconds(60));
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            String logs = c.logs();
            c.close();
            throw new AssertionError("Slurm did not start: " + e.getMessage() + logs, e);
        }
        return c;
    }

    /** The command prefix that runs a program on host i (0-based) under its Slurm node name. */
    List<String> onNode(int i) {
        return on(i, nodes.get(i));
    }

    /** Runs on host i under the host name {@code name}, with the cluster's /etc/hosts. */
    private List<String> on(int i, String name) {
        return List.of("nsenter", "--net=/run/netns/" + hosts.namespaces.get(i), "unshare", "--uts", "--mount",
                "/bin/sh", "-c", "hostname \"$0\" && mount --bind \"$1\" /etc/hosts && shift && exec \"$@\"", name,
                dir.resolve("hosts").toString());
    }

    /** The environment of Slurm's commands (sbatch, sinfo, squeue): this cluster's slurm.conf. */
    Map<String, String> env() {
        return Map.of("SLURM_CONF", conf.toString());
    }

    /** Starts a Slurm command on host 1 (the controller's), its output in {@code log}. */
    Process command(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(onNode(0));
        cmd.add(program(args[0]).orElseThrow().toString());
        cmd.addAll(List.of(args).subList(1, args.length));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env());
        return pb.start();
    }

    private void startDaemons() throws IOException, InterruptedException {
        Path munge = Files.createDirectories(dir.resolve("munge"));
        Path key = munge.resolve("munge.key");
        byte[] secret = new byte[1024];
        new SecureRandom().nextBytes(secret);
        Files.write(key, secret);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Path socket = munge.resolve("munge.sock");
        // -f: the test's directory is under /tmp, whose permissions munged would refuse
        daemon(List.of(), "munged.out", "munged", "-F", "-f", "--key-file=" + key, "--socket=" + socket,
                "--pid-file=" + munge.resolve("munged.pid"), "--log-file=" + munge.resolve("munged.log"),
                "--seed-file=" + munge.resolve("munged.seed"));
        awaitFile(socket, Duration.ofSeconds(20));
        Files.writeString(conf, slurmConf(socket));
        StringBuilder etcHosts = new StringBuilder(Files.readString(Path.of("/etc/hosts")))
                .append("\n# the test's Slurm nodes\n").append(hosts.addresses.get(0)).append(' ')
                .append(hosts.prefix).append("ctl\n");
        for (int i = 0; i < nodes.size(); i++) {
            etcHosts.append(hosts.addresses.get(i)).append(' ').append(nodes.get(i)).append('\n');
        }
        Files.writeString(dir.resolve("hosts"), etcHosts);
        Files.createDirectories(dir.resolve("slurm-state"));
        for (String node : nodes) {
            Files.createDirectories(dir.resolve("slurm-spool-" + node));
        }
        String controller = hosts.prefix + "ctl";
        daemon(on(0, controller), "slurmctld.out", "slurmctld", "-D", "-f", conf.toString());
        for (int i = 0; i < nodes.size(); i++) {
            // slurmd in the host's CPU cgroup, so that the jobs it starts are in it too (cpu())
            hosts.cpu(i, "max");
            List<String> inCgroup = new ArrayList<>(List.of("/bin/sh", "-c", cgroupJoin(i) + "exec \"$@\"", "sh"));
            inCgroup.addAll(onNode(i));
            daemon(inCgroup, "slurmd-" + nodes.get(i) + ".out", "slurmd", "-D", "-N", nodes.get(i), "-f",
                    conf.toString());
        }
    }

    private String slurmConf(Path mungeSocket) {
        StringBuilder sb = new StringBuilder();
        sb.append("# generated by SlurmCluster for one test; every path is in its directory\n")
                .append("ClusterName=").append(hosts.prefix).append('\n')
                .append("SlurmctldHost=").append(hosts.prefix).append("ctl(").append(hosts.addresses.get(0)).append(")\n")
                .append("SlurmctldPort=6817\nSlurmdPort=6818\nSlurmUser=root\nSlurmdUser=root\n")
                .append("AuthType=auth/munge\nCredType=cred/munge\nAuthInfo=socket=").append(mungeSocket).append('\n')
                .append("StateSaveLocation=").append(dir.resolve("slurm-state")).append('\n')
                .append("SlurmdSpoolDir=").append(dir.resolve("slurm-spool-%n")).append('\n')
                .append("SlurmctldPidFile=").append(dir.resolve("slurmctld.pid")).append('\n')
                .append("SlurmdPidFile=").append(dir.resolve("slurmd-%n.pid")).append('\n')
                .append("SlurmctldLogFile=").append(dir.resolve("slurmctld.log")).append('\n')
                .append("SlurmdLogFile=").append(dir.resolve("slurmd-%n.log")).append('\n')
                // no cgroups: the namespace hosts share this machine's; Open MPI's daemons
                // (started by srun) start the ranks themselves
                .append("ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n")
                .append("JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n")
                .append("SelectType=select/cons_tres\nSelectTypeParameters=CR_Core\nMpiDefault=none\n")
                .append("SchedulerType=sched/builtin\nReturnToService=2\nMailProg=/bin/true\n")
                // the nodes as configured, whatever this machine has
                .append("SlurmdParameters=config_overrides\n");
        for (int i = 0; i < nodes.size(); i++) {
            sb.append("NodeName=").append(nodes.get(i)).append(" NodeAddr=").append(hosts.addresses.get(i))
                    .append(" CPUs=2 State=UNKNOWN\n");
        }
        sb.append("PartitionName=roam Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n");
        return sb.toString();
    }

    /**
     * Limits host i's jobs (what its slurmd starts) to {@code cores} cores ("max": no limit); the
     * agents and the roam commands, started with {@link #onNode}, are outside the limit.
     */
    void cpu(int i, String cores) throws IOException, InterruptedException {
        hosts.cpu(i, cores);
    }

    /** Shell commands that move the shell into host i's CPU cgroups (scripts/netns-hosts.sh's). */
    private String cgroupJoin(int i) {
        String name = "roam-" + hosts.namespaces.get(i);
        List<String> dirs = Files.isDirectory(Path.of("/sys/fs/cgroup/cpu")) && Files.isDirectory(Path.of(
                "/sys/fs/cgroup/cpuacct")) ? List.of("/sys/fs/cgroup/cpu/" + name, "/sys/fs/cgroup/cpuacct/" + name)
                : List.of("/sys/fs/cgroup/" + name);
        StringBuilder sb = new StringBuilder();
        for (String d : dirs) {
            sb.append("echo $$ > ").append(d).append("/cgroup.procs && ");
        }
        return sb.toString();
    }

    private void daemon(List<String> prefix, String log, String program, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(program(program).orElseThrow().toString());
        cmd.addAll(List.of(args));
        daemons.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start());
    }

    private void awaitIdle(Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < end) {
            for (Process d : daemons) {
                if (!d.isAlive()) {
                    throw new IOException("a daemon exited (" + d.info().commandLine().orElse("pid " + d.pid())
                            + ", exit " + d.exitValue() + ")");
                }
            }
            Path out = dir.resolve("sinfo.out");
            Process p = command(out, "sinfo", "-h", "-N", "-o", "%N %t");
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                last = Files.readString(out);
                long idle = last.lines().filter(l -> l.endsWith(" idle")).count();
                if (idle == nodes.size()) {
                    return;
                }
            } else {
                p.destroyForcibly();
                last = Files.readString(out);
            }
            Thread.sleep(500);
        }
        throw new IOException("not every node idle within " + timeout + "; sinfo says:\n" + last);
    }

    private static void awaitFile(Path p, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(p)) {
            if (System.nanoTime() > end) {
                throw new IOException(p + " did not appear within " + timeout);
            }
            Thread.sleep(100);
        }
    }

    /** A program on PATH, or in /usr/sbin (daemons, off a user's PATH). */
    static Optional<Path> program(String name) {
        return Mpi.onPath(name).or(() -> Optional.of(Path.of("/usr/sbin", name)).filter(Files::isExecutable));
    }

    /** The daemons' logs (tails), for a failing test's message. */
    String logs() throws IOException {
        List<String> files = new ArrayList<>(List.of("munged.out", "slurmctld.out", "slurmctld.log"));
        for (String node : nodes) {
            files.add("slurmd-" + node + ".log");
        }
        return RoamCommands.logs(dir, files.toArray(String[]::new));
    }

    @Override
    public void close() {
        for (int i = daemons.size() - 1; i >= 0; i--) {
            ProcessTrees.stop(daemons.get(i), Duration.ofSeconds(10));
        }
        hosts.close();
    }
}
