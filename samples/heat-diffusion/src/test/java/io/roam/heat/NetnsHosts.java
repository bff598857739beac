package io.roam.heat;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Hosts made of network namespaces on this machine (scripts/netns-hosts.sh), removed on
 * close and, should the JVM die first, by a shutdown hook.
 */
final class NetnsHosts implements AutoCloseable {
    private static final Path SCRIPT = RepoFiles.find("scripts/netns-hosts.sh");

    final String prefix;
    final String subnet;
    final List<String> namespaces = new ArrayList<>();
    final List<String> addresses = new ArrayList<>();
    final Path rshAgent;
    private final Thread cleanup;

    private NetnsHosts(String prefix, String subnet, Path rshAgent) {
        this.prefix = prefix;
        this.subnet = subnet;
        this.rshAgent = rshAgent;
        this.cleanup = new Thread(this::down, "netns-cleanup-" + prefix);
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** n hosts named {@code <testPrefix>-<random>-h<i>}; skips (outside CI) or fails without root. */
    static NetnsHosts create(String testPrefix, int n, Path dir) throws IOException, InterruptedException {
        return create(testPrefix, n, dir, "10.231");
    }

    /** As {@link #create(String, int, Path)} on a subnet {@code <net>.<random>.0/24} ({@code net}: "10.234"). */
    static NetnsHosts create(String testPrefix, int n, Path dir, String net) throws IOException, InterruptedException {
        requireRootAndIp();
        String prefix = testPrefix + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        String subnet = net + "." + ThreadLocalRandom.current().nextInt(1, 250);
        NetnsHosts hosts = new NetnsHosts(prefix, subnet, dir.resolve("rsh-agent.sh"));
        try {
            for (String line : run("up", prefix, Integer.toString(n), subnet).split("\n")) {
                String[] f = line.trim().split(" ");
                hosts.namespaces.add(f[0]);
                hosts.addresses.add(f[1]);
            }
            run("rsh-agent", prefix, hosts.rshAgent.toString());
        } catch (IOException | RuntimeException | Error e) {
            hosts.close();
            throw e;
        }
        return hosts;
    }

    Path hostfile(Path dir, int slots) throws IOException {
        Path hf = dir.resolve("hostfile");
        StringBuilder sb = new StringBuilder();
        for (String a : addresses) {
            sb.append(a).append(" slots=").append(slots).append('\n');
        }
        Files.writeString(hf, sb);
        return hf;
    }

    /** The mpirun options that keep MPI on these hosts. */
    String[] mpiArgs(Path hostfile) {
        List<String> args = new ArrayList<>(List.of("--hostfile", hostfile.toString()));
        args.addAll(networkArgs());
        args.addAll(List.of("--mca", "mpi_yield_when_idle", "1"));
        return args.toArray(String[]::new);
    }

    /** How mpirun reaches these hosts (the rsh agent) and which network MPI uses between them. */
    List<String> networkArgs() {
        String net = subnet + ".0/24";
        return List.of("--mca", "plm_rsh_agent", rshAgent.toString(), "--mca", "oob_tcp_if_include", net,
                "--mca", "btl_tcp_if_include", net);
    }

    /**
     * The command prefix that runs a program on host i (0-based): its network namespace and
     * a UTS namespace named by its address, with ROAM_HOST set (scripts/netns-hosts.sh exec).
     */
    List<String> exec(int host) {
        return List.of("bash", SCRIPT.toString(), "exec", prefix, Integer.toString(host + 1));
    }

    /**
     * Makes host i (0-based) a CPU cgroup of {@code cores} cores ("max" = no limit): what
     * {@link #exec} starts there afterwards runs inside it.
     */
    void cpu(int host, String cores) throws IOException, InterruptedException {
        run("cpu", prefix, Integer.toString(host + 1), cores);
    }

    /**
     * CPU time, in ns, that the processes of host i's CPU cgroup ({@link #cpu}) have used
     * since it was made: cgroup v1's cpuacct.usage, or v2's usage_usec.
     */
    long cpuUsageNs(int host) throws IOException {
        String name = "roam-" + namespaces.get(host);
        Path v1 = Path.of("/sys/fs/cgroup/cpuacct", name, "cpuacct.usage");
        if (Files.exists(v1)) {
            return Long.parseLong(Files.readString(v1).trim());
        }
        return Files.readAllLines(Path.of("/sys/fs/cgroup", name, "cpu.stat")).stream()
                .filter(l -> l.startsWith("usage_usec ")).mapToLong(l -> Long.parseLong(l.substring(11).trim()) * 1000)
                .findFirst().orElseThrow(() -> new IOException("no usage_usec in " + name + "/cpu.stat"));
    }

    /** The inode of a namespace, as /proc/PID/ns/net shows it: "net:[inode]". */
    String netnsId(int host) throws IOException {
        Object ino = Files.getAttribute(Path.of("/run/netns", namespaces.get(host)), "unix:ino");
        return "net:[" + ino + "]";
    }

    /** The pids of the processes running {@code binary} in host i's (0-based) network namespace. */
    List<Long> processes(int host, Path binary) throws IOException {
        String ns = netnsId(host);
        String exe = binary.toRealPath().toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(exe::equals).orElse(false))
                .map(ProcessHandle::pid)
                .filter(pid -> {
                    try {
                        return ns.equals(netnsOf(pid));
                    } catch (IOException gone) {
                        return false;
                    }
                })
                .toList();
    }

    static String netnsOf(long pid) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
    }

    private void down() {
        try {
            run("down", prefix);
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("netns cleanup of " + prefix + " failed: " + e);
        }
    }

    @Override
    public void close() {
        down();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    private static void requireRootAndIp() {
        String why = null;
        if (!Mpi.isRoot()) {
            why = "network-namespace hosts need root";
        } else if (Mpi.onPath("ip").isEmpty()) {
            why = "network-namespace hosts need iproute2 (ip)";
        }
        if (why != null) {
            if (System.getenv("CI") != null) {
                fail("CI is set and " + why);
            }
            Assumptions.abort(why + "; skipped outside CI only");
        }
    }

    private static String run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("netns-hosts.sh " + String.join(" ", args) + " failed:\n" + out);
        }
        return out;
    }
}
