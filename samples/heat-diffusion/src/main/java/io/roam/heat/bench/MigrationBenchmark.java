package io.roam.heat.bench;

import io.roam.heat.bench.HeatRuns.JavaVsC;
import io.roam.heat.bench.HeatRuns.Overhead;
import io.roam.heat.bench.HeatRuns.Run;
import io.roam.heat.bench.LocalBaselines.Checkpoint;
import io.roam.heat.bench.LocalBaselines.Memcpy;
import io.roam.heat.bench.MigrationJob.Phases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The PCM migration benchmark: migration time by phase for several state sizes, the memcpy and
 * checkpoint-to-file baselines of this machine, the PCM overhead and throughput of the
 * heat-diffusion sample, and the same for Java ranks over the JNI binding (migration phases of
 * {@link JavaBenchMigrate} against the C program's, the Java heat sample's throughput against the
 * C sample's); writes the Markdown report. Run by {@code benchmarks/pcm-migration.sh},
 * which builds the C programs and gives their directory.
 *
 * <pre>java -cp pcm-native.jar:heat-diffusion.jar io.roam.heat.bench.MigrationBenchmark
 *      [--quick] [--sizes 1,16,64,256] [--reps 7] [--warmup 1] [--heat-runs 9]
 *      [--bench-bin benchmarks/target/bin] [--heat-bin samples/heat-diffusion/target/native]
 *      [--work benchmarks/target/run] [--out benchmarks/results/pcm-migration.md] [--command TEXT]</pre>
 *
 * --quick: 3 migrations per size and runtime, 3 baseline repetitions, 3 pairs of heat runs of about
 * 2 s (instead of 7, 7 and 9 pairs of about 2.5 s). Migrations are measured in each of {@link #RUNTIMES}.
 * Paths are relative to the working directory (the script runs it at the top of the project).
 * The report is written to a {@code .tmp} file first and moved into place only when everything
 * succeeded; the programs' outputs stay in the work directory.
 */
public final class MigrationBenchmark {

    /**
     * A runtime configuration the migrations are measured in: environment for mpirun (which passes
     * {@code OMPI_MCA_*} on to every process it starts, spawned replacements included).
     */
    record MpiRuntime(String name, String why, Map<String, String> env) {
    }

    /**
     * Open MPI as installed, and with the pml named: Open MPI selects ob1 on this kind of machine
     * anyway, but only after its MPI_Init has tried the cm pml's transports (libfabric, PSM),
     * which costs every new process, and so every spawned replacement, about 0.2 s here.
     */
    static final List<MpiRuntime> RUNTIMES = List.of(
            new MpiRuntime("Open MPI defaults", "as installed", Map.of()),
            new MpiRuntime("OMPI_MCA_pml=ob1", "the pml Open MPI selects anyway, named so that MPI_Init "
                    + "does not first try the cm pml's transports (libfabric, PSM)", Map.of("OMPI_MCA_pml", "ob1")));

    /** What to measure, and where things are. */
    record Settings(List<MpiRuntime> runtimes, List<Integer> sizes, int reps, int warmup, int settleMs,
                    int baselineReps, int heatRuns, double heatSeconds, int rows, int cols, List<Integer> heatRanks,
                    Path benchBin, Path heatBin, Path work, Path out, String command, List<Integer> javaSizes,
                    List<Integer> javaHeatRanks) {
        /** The runtime Java ranks are measured in (and compared with C ranks in): the last, ob1. */
        MpiRuntime javaRuntime() {
            return runtimes.get(runtimes.size() - 1);
        }
    }

    private MigrationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Settings s;
        try {
            s = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("MigrationBenchmark: " + e.getMessage());
            System.exit(2);
            return;
        }
        Files.createDirectories(s.work());
        Report.Results results = measure(s);
        Path tmp = s.out().resolveSibling(s.out().getFileName() + ".tmp");
        Files.createDirectories(s.out().toAbsolutePath().getParent());
        Files.writeString(tmp, Report.markdown(results));
        Files.move(tmp, s.out(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.err.println("MigrationBenchmark: wrote " + s.out());
        System.out.print(Files.readString(s.out()));
    }

    private static Report.Results measure(Settings s) throws Exception {
        Machine machine = Machine.probe();
        Proc proc = new Proc(s.work().toAbsolutePath());
        // A short path: a Unix socket path has at most 107 bytes, the project may lie deep.
        Path socketDir = Files.createTempDirectory("roam-bench-");
        Path socket = socketDir.resolve("agent.sock");
        MigrationJob job = new MigrationJob(proc, List.of(s.benchBin().resolve("pcm_bench_migrate").toAbsolutePath()
                .toString()), socket,
                Duration.ofMillis(s.settleMs()), Duration.ofMinutes(10));
        Map<MpiRuntime, Map<Integer, List<Phases>>> migrations = new LinkedHashMap<>();
        List<String> stalls = new ArrayList<>();
        for (MpiRuntime runtime : s.runtimes()) {
            Map<Integer, List<Phases>> bySize = new LinkedHashMap<>();
            for (int mb : s.sizes()) {
                System.err.printf("migrations (%s): %d MiB, %d + %d warm-up%n", runtime.name(), mb, s.reps(), s.warmup());
                bySize.put(mb, moves(job, mb, s, runtime.env(), stalls, runtime.name()));
                bySize.get(mb).forEach(p -> System.err.printf("  %.1f ms (spawn %.1f, merge %.1f, transfer %.1f)%n",
                        p.totalMs(), p.spawnMs(), p.mergeMs(), p.transferMs()));
            }
            migrations.put(runtime, bySize);
        }
        MigrationJob javaJob = new MigrationJob(proc, Proc.javaRank(JavaBenchMigrate.class.getName(), "1g"), socket,
                Duration.ofMillis(s.settleMs()), Duration.ofMinutes(10));
        Map<Integer, List<Phases>> javaMigrations = new LinkedHashMap<>();
        for (int mb : s.javaSizes()) {
            System.err.printf("migrations of a Java rank (%s): %d MiB, %d + %d warm-up%n", s.javaRuntime().name(), mb,
                    s.reps(), s.warmup());
            javaMigrations.put(mb, moves(javaJob, mb, s, s.javaRuntime().env(), stalls, "Java rank"));
            javaMigrations.get(mb).forEach(p -> System.err.printf("  %.1f ms (spawn %.1f, merge %.1f, transfer %.1f)%n",
                    p.totalMs(), p.spawnMs(), p.mergeMs(), p.transferMs()));
        }
        Files.deleteIfExists(socketDir);

        LocalBaselines local = new LocalBaselines(proc, s.benchBin().resolve("pcm_bench_local").toAbsolutePath());
        List<Memcpy> memcpy = new ArrayList<>();
        List<Checkpoint> checkpoints = new ArrayList<>();
        for (int mb : s.sizes()) {
            System.err.printf("baselines: %d MiB%n", mb);
            memcpy.add(local.memcpy(mb, s.baselineReps()));
            checkpoints.add(local.checkpoint(mb, s.baselineReps(), "/dev/shm"));
        }

        HeatRuns heat = new HeatRuns(proc, s.heatBin().toAbsolutePath(), s.rows(), s.cols());
        List<Overhead> overhead = new ArrayList<>();
        for (int ranks : s.heatRanks()) {
            int iterations = heat.calibrate(ranks, s.heatSeconds());
            System.err.printf("heat overhead: %d ranks, %d iterations%n", ranks, iterations);
            overhead.add(heat.overhead(ranks, iterations, s.heatRuns()));
        }
        System.err.println("heat throughput: 1 rank");
        int single = heat.calibrate(1, s.heatSeconds());
        List<Run> one = heat.repeat(HeatRuns.NO_PCM, 1, single, s.heatRuns());
        String heatCommand = String.join(" ", heat.command(HeatRuns.PCM, s.heatRanks().get(0),
                overhead.get(0).iterations())).replace(Path.of("").toAbsolutePath() + "/", "");
        List<JavaVsC> javaHeat = new ArrayList<>();
        for (int ranks : s.javaHeatRanks()) {
            int iterations = heat.calibrate(ranks, s.heatSeconds());
            System.err.printf("heat, Java against C: %d ranks, %d iterations%n", ranks, iterations);
            javaHeat.add(heat.javaVsC(ranks, iterations, s.heatRuns()));
        }
        String javaHeatCommand = javaHeat.isEmpty() ? "" : String.join(" ", heat.command(HeatRuns.JAVA,
                javaHeat.get(0).ranks(), javaHeat.get(0).iterations())).replace(Path.of("").toAbsolutePath() + "/", "");
        return new Report.Results(s, machine, migrations, memcpy, checkpoints, overhead, one, heatCommand,
                javaMigrations, javaHeat, javaHeatCommand, stalls);
    }

    /**
     * reps moves of mb MiB after the warm-up, in as many jobs as it takes: when a spawn on
     * mpirun's host stalls (Open MPI 4.1.4 with PMIx 4.2), libpcm refuses that host for the rest
     * of the job, so a new job (a new mpirun) does the remaining moves, after its own warm-up.
     * Each stall is noted in stalls; at most 5 jobs.
     */
    private static List<Phases> moves(MigrationJob job, int mb, Settings s, Map<String, String> env,
                                      List<String> stalls, String what) throws IOException, InterruptedException {
        List<Phases> kept = new ArrayList<>();
        for (int jobs = 1; kept.size() < s.reps(); jobs++) {
            try {
                List<Phases> all = job.run(mb, s.warmup() + s.reps() - kept.size(), env);
                kept.addAll(all.subList(s.warmup(), all.size()));
            } catch (MigrationJob.Stalled e) {
                List<Phases> done = e.done();
                kept.addAll(done.subList(Math.min(s.warmup(), done.size()), done.size()));
                stalls.add(String.format(Locale.ROOT, "%s, %d MiB: a spawn stalled after %d moves of job %d",
                        what, mb, done.size(), jobs));
                System.err.println("  " + stalls.get(stalls.size() - 1) + "; a new job does the rest");
                if (jobs == 5) {
                    throw new IllegalStateException("5 jobs stalled: " + String.join("; ", stalls), e);
                }
            }
        }
        return kept;
    }

    private static Settings parse(String[] args) {
        boolean quick = Arrays.asList(args).contains("--quick");
        List<Integer> sizes = List.of(1, 16, 64, 256);
        int reps = quick ? 3 : 7;
        int warmup = 1;
        int heatRuns = quick ? 3 : 9;
        Path benchBin = Path.of("benchmarks/target/bin");
        Path heatBin = Path.of("samples/heat-diffusion/target/native");
        Path work = Path.of("benchmarks/target/run");
        Path out = Path.of("benchmarks/results/pcm-migration.md");
        String command = "benchmarks/pcm-migration.sh" + (quick ? " --quick" : "");
        for (Iterator<String> it = Arrays.asList(args).iterator(); it.hasNext(); ) {
            String a = it.next();
            switch (a) {
                case "--quick" -> { }
                case "--sizes" -> sizes = Arrays.stream(value(it, a).split(",")).map(Integer::valueOf).toList();
                case "--reps" -> reps = positive(value(it, a), a);
                case "--warmup" -> warmup = Integer.parseInt(value(it, a));
                case "--heat-runs" -> heatRuns = positive(value(it, a), a);
                case "--bench-bin" -> benchBin = Path.of(value(it, a));
                case "--heat-bin" -> heatBin = Path.of(value(it, a));
                case "--work" -> work = Path.of(value(it, a));
                case "--out" -> out = Path.of(value(it, a));
                case "--command" -> command = value(it, a);
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (warmup < 0 || sizes.isEmpty() || sizes.stream().anyMatch(mb -> mb < 1 || mb > 2047)) {
            throw new IllegalArgumentException("--warmup must be >= 0 and --sizes between 1 and 2047 MiB");
        }
        List<Integer> javaSizes = sizes.stream().filter(mb -> mb == 16 || mb == 64).toList();
        return new Settings(RUNTIMES, sizes, reps, warmup, 500, quick ? 3 : 7, heatRuns, quick ? 2.0 : 2.5, 2048, 2048,
                List.of(2, 4), benchBin, heatBin, work, out, command, javaSizes, List.of(1, 2));
    }

    private static String value(Iterator<String> it, String option) {
        if (!it.hasNext()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return it.next();
    }

    private static int positive(String v, String option) {
        int n = Integer.parseInt(v);
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be at least 1");
        }
        return n;
    }
}
