package io.roam.heat.bench;

import io.roam.heat.bench.LocalBaselines.Memcpy;
import io.roam.heat.bench.MigrationJob.Phases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PCM migration across (namespace) hosts against the floor of the same link, measured in the same
 * run: a bare {@code MPI_Comm_spawn} of a trivial program on the target host inside a running job,
 * a plain TCP stream of the same bytes between the two hosts into fresh memory, and memcpy into
 * fresh pages. Rank 0 of {@code pcm_bench_migrate} runs on host 1, rank 1 starts on host 2 and
 * moves to host 3, back to host 2, and so on. Run by {@code benchmarks/pcm-migration-hosts.sh},
 * which makes the hosts (network namespaces), the launch agent and the host file.
 *
 * <pre>java -cp ... io.roam.heat.bench.HostsBenchmark --prefix P --hosts A1,A2,A3 --subnet S.0/24
 *      --rsh FILE --hostfile FILE [--sizes 16,64,256] [--reps 7] [--warmup 1]
 *      [--bench-bin benchmarks/target/bin] [--work DIR] [--out FILE] [--command TEXT]</pre>
 */
public final class HostsBenchmark {
    private static final Pattern NS = Pattern.compile("(spawn|tcp) ns (\\d+)");
    /** The runtime of the moves and the bare spawns: the pml named (see pcm-migration.md). */
    static final Map<String, String> RUNTIME = Map.of("OMPI_MCA_pml", "ob1");

    /** Where the hosts are and what to measure. */
    record Settings(String prefix, List<String> hosts, String subnet, Path rsh, Path hostfile, List<Integer> sizes,
                    int reps, int warmup, Path benchBin, Path work, Path out, String command) {
    }

    /** What was measured for one state size. */
    record Size(int mb, List<Phases> moves, List<Double> pausesMs, Stats tcpMs, Memcpy memcpy) {
    }

    /** Everything measured in one run. */
    record Results(Settings settings, Machine machine, String loadBefore, String loadAfter, Stats spawnMs,
                   List<Size> sizes) {
    }

    private HostsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("HostsBenchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        Files.createDirectories(s.work());
        Results results = measure(s);
        Path tmp = s.out().resolveSibling(s.out().getFileName() + ".tmp");
        Files.createDirectories(s.out().toAbsolutePath().getParent());
        Files.writeString(tmp, HostsReport.markdown(results));
        Files.move(tmp, s.out(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.err.println("HostsBenchmark: wrote " + s.out());
        System.out.print(Files.readString(s.out()));
    }

    /** The command prefix that runs a program on host {@code i} (1-based). */
    private static List<String> on(Settings s, int i) {
        return List.of("bash", Path.of("scripts/netns-hosts.sh").toAbsolutePath().toString(), "exec", s.prefix(),
                Integer.toString(i));
    }

    /**
     * mpirun's options for the namespace hosts: the launch agent, the subnet, one rank per host,
     * and {@code mpi_yield_when_idle} as {@code roam run} sets it. The namespace hosts share this
     * machine's two cores, which real hosts do not: a process that polls for a message without
     * yielding keeps the peer that must send it off the CPU until the next scheduler tick (4 ms
     * at 250 Hz). Measured here (3 namespace hosts, one process each, idle machine): MPI_Comm_dup
     * 16 ms median in 4 ms steps without yielding, 0.25 ms with it; a move's merge + split
     * 157-200 ms against 40-51 ms.
     */
    private static List<String> mpiArgs(Settings s) {
        return List.of("--mca", "plm_rsh_agent", s.rsh().toAbsolutePath().toString(), "--mca", "oob_tcp_if_include",
                s.subnet(), "--mca", "btl_tcp_if_include", s.subnet(), "--hostfile",
                s.hostfile().toAbsolutePath().toString(), "--map-by", "node", "--mca", "mpi_yield_when_idle", "1");
    }

    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static Results measure(Settings s) throws Exception {
        Machine machine = Machine.probe();
        String loadBefore = load();
        Proc proc = new Proc(s.work().toAbsolutePath());
        Path bin = s.benchBin().toAbsolutePath();
        Path socketDir = Files.createTempDirectory("roam-bench-");
        MigrationJob job = new MigrationJob(proc, List.of(bin.resolve("pcm_bench_migrate").toString()),
                socketDir.resolve("agent.sock"), Duration.ofMillis(500), Duration.ofMinutes(10))
                .across(on(s, 1), mpiArgs(s), List.of(s.hosts().get(2), s.hosts().get(1)));
        LocalBaselines local = new LocalBaselines(proc, bin.resolve("pcm_bench_local"));
        int n = s.warmup() + s.reps();

        System.err.printf("bare spawn on %s, %d + %d warm-up%n", s.hosts().get(2), s.reps(), s.warmup());
        List<String> spawn = new ArrayList<>(on(s, 1));
        spawn.addAll(Proc.mpirun(2, true));
        spawn.addAll(mpiArgs(s));
        spawn.addAll(List.of(bin.resolve("pcm_bench_floor").toString(), "spawn", "-H", s.hosts().get(2), "-n",
                Integer.toString(n), "-p", "500"));
        Stats spawnMs = Stats.of(values(proc.run(spawn, RUNTIME, Duration.ofMinutes(5)).requireSuccess("bare spawn"),
                "spawn", n, s.warmup()));

        List<Size> sizes = new ArrayList<>();
        for (int mb : s.sizes()) {
            System.err.printf("migrations across hosts: %d MiB, %d + %d warm-up%n", mb, s.reps(), s.warmup());
            List<Phases> all = job.run(mb, n, RUNTIME);
            List<Double> pauses = job.pausesMs();
            List<Phases> moves = all.subList(s.warmup(), all.size());
            moves.forEach(p -> System.err.printf("  %.1f ms (spawn %.1f, merge %.1f, transfer %.1f)%n", p.totalMs(),
                    p.spawnMs(), p.mergeMs(), p.transferMs()));
            System.err.printf("tcp stream %s -> %s: %d MiB%n", s.hosts().get(1), s.hosts().get(2), mb);
            Stats tcp = Stats.of(tcp(proc, s, bin, mb, n));
            Memcpy memcpy = local.memcpy(mb, s.reps());
            sizes.add(new Size(mb, List.copyOf(moves),
                    pauses.size() == n ? List.copyOf(pauses.subList(s.warmup(), n)) : pauses, tcp, memcpy));
        }
        Files.deleteIfExists(socketDir);
        return new Results(s, machine, loadBefore, load(), spawnMs, sizes);
    }

    /** A plain TCP stream of {@code mb} MiB from host 2 to host 3, n times; the kept times in ms. */
    private static List<Double> tcp(Proc proc, Settings s, Path bin, int mb, int n) throws Exception {
        List<String> recv = new ArrayList<>(on(s, 3));
        recv.addAll(List.of(bin.resolve("pcm_bench_floor").toString(), "tcp-recv", "-s", Integer.toString(mb), "-n",
                Integer.toString(n)));
        Proc.Started receiver = proc.start(recv, Map.of());
        try {
            List<String> send = new ArrayList<>(on(s, 2));
            send.addAll(List.of(bin.resolve("pcm_bench_floor").toString(), "tcp-send", "-H", s.hosts().get(2), "-s",
                    Integer.toString(mb), "-n", Integer.toString(n)));
            Proc.Result r = proc.run(send, Map.of(), Duration.ofMinutes(5)).requireSuccess("tcp stream");
            return values(r, "tcp", n, s.warmup());
        } finally {
            if (!Proc.await(receiver.process(), Duration.ofSeconds(10))) {
                System.err.println("HostsBenchmark: the TCP receiver did not end; ended it");
            }
        }
    }

    /** The "KIND ns N" lines of a result in ms, the first {@code warmup} dropped. */
    private static List<Double> values(Proc.Result r, String kind, int n, int warmup) {
        List<Double> v = new ArrayList<>();
        Matcher m = NS.matcher(r.out());
        while (m.find()) {
            if (m.group(1).equals(kind)) {
                v.add(Long.parseLong(m.group(2)) / 1e6);
            }
        }
        if (v.size() != n) {
            throw new IllegalStateException("expected " + n + " '" + kind + " ns' lines from " + r.command() + ", got:\n"
                    + r.out() + r.err());
        }
        return v.subList(warmup, n);
    }

    private static Settings parse(String[] args) {
        String prefix = null;
        String subnet = null;
        List<String> hosts = List.of();
        Path rsh = null;
        Path hostfile = null;
        List<Integer> sizes = List.of(16, 64, 256);
        int reps = 7;
        int warmup = 1;
        Path benchBin = Path.of("benchmarks/target/bin");
        Path work = Path.of("benchmarks/target/run-hosts");
        Path out = Path.of("benchmarks/results/pcm-migration-hosts.md");
        String command = "benchmarks/pcm-migration-hosts.sh";
        for (Iterator<String> it = Arrays.asList(args).iterator(); it.hasNext(); ) {
            String a = it.next();
            switch (a) {
                case "--prefix" -> prefix = value(it, a);
                case "--hosts" -> hosts = List.of(value(it, a).split(","));
                case "--subnet" -> subnet = value(it, a);
                case "--rsh" -> rsh = Path.of(value(it, a));
                case "--hostfile" -> hostfile = Path.of(value(it, a));
                case "--sizes" -> sizes = Arrays.stream(value(it, a).split(",")).map(Integer::valueOf).toList();
                case "--reps" -> reps = Integer.parseInt(value(it, a));
                case "--warmup" -> warmup = Integer.parseInt(value(it, a));
                case "--bench-bin" -> benchBin = Path.of(value(it, a));
                case "--work" -> work = Path.of(value(it, a));
                case "--out" -> out = Path.of(value(it, a));
                case "--command" -> command = value(it, a);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (prefix == null || subnet == null || rsh == null || hostfile == null || hosts.size() != 3) {
            throw new IllegalArgumentException("--prefix, --subnet, --rsh, --hostfile and three --hosts are required");
        }
        if (reps < 1 || warmup < 0 || sizes.isEmpty() || sizes.stream().anyMatch(mb -> mb < 1 || mb > 2047)) {
            throw new IllegalArgumentException("--reps must be >= 1, --warmup >= 0, --sizes between 1 and 2047 MiB");
        }
        return new Settings(prefix, hosts, subnet, rsh, hostfile, sizes, reps, warmup, benchBin, work, out, command);
    }

    private static String value(Iterator<String> it, String option) {
        if (!it.hasNext()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return it.next();
    }
}
