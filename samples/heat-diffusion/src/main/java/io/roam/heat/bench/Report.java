package io.roam.heat.bench;

import io.roam.heat.bench.HeatRuns.JavaVsC;
import io.roam.heat.bench.HeatRuns.Overhead;
import io.roam.heat.bench.HeatRuns.Run;
import io.roam.heat.bench.LocalBaselines.Checkpoint;
import io.roam.heat.bench.LocalBaselines.Memcpy;
import io.roam.heat.bench.MigrationBenchmark.MpiRuntime;
import io.roam.heat.bench.MigrationJob.Phases;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Writes the results of {@link MigrationBenchmark} as Markdown. */
final class Report {
    /** Order-to-resumed targets on this machine, ms, by state size in MiB. */
    static final Map<Integer, Double> TARGET_MS = Map.of(64, 100.0, 256, 250.0);
    static final double OVERHEAD_TARGET_PERCENT = 0.5;
    /** Quoted in the issue for scale (another machine): CRIU dump+restore, and spawn+send+merge alone. */
    private static final Map<Integer, String> CRIU_MS = Map.of(64, "133", 256, "374");
    private static final Map<Integer, String> SPAWN_SEND_MERGE_MS = Map.of(64, "84", 256, "215");

    /** Everything measured in one run. */
    record Results(MigrationBenchmark.Settings settings, Machine machine,
                   Map<MpiRuntime, Map<Integer, List<Phases>>> migrations,
                   List<Memcpy> memcpy, List<Checkpoint> checkpoints, List<Overhead> overhead, List<Run> single,
                   String heatCommand, Map<Integer, List<Phases>> javaMigrations, List<JavaVsC> javaHeat,
                   String javaHeatCommand, List<String> stalls) {
    }

    private final Results r;
    private final StringBuilder md = new StringBuilder();

    private Report(Results r) {
        this.r = r;
    }

    static String markdown(Results results) {
        return new Report(results).write();
    }

    private String write() {
        MigrationBenchmark.Settings s = r.settings();
        Machine m = r.machine();
        line("# PCM migration benchmark");
        line("");
        line("Written by `benchmarks/pcm-migration.sh` (`make bench`); rerun it rather than edit this file.");
        line("Every number is the median, then (min to max), over the repetitions of one run of the script.");
        line("");
        line("**Moves to another host**, where users move ranks, are measured by the same script (as root) against the"
                + " floor of the link: `pcm-migration-hosts.md`. This file measures moves to `localhost`.");
        line("");
        line("| | |");
        line("|---|---|");
        line("| date | " + m.date() + " |");
        line("| machine | " + m.cores() + " cores (nproc), " + m.cpu() + ", " + m.memory() + " memory, "
                + "transparent huge pages: " + m.hugePages() + " |");
        line("| kernel | " + m.kernel() + " |");
        line("| MPI | " + m.openMpi() + " |");
        line("| Java | " + m.java() + " |");
        line("| reproduce | `" + s.command() + "` (from a fresh clone: `make build` first, or `make bench`) |");
        line("| settings | " + s.reps() + " migrations per size after " + s.warmup() + " warm-up, "
                + s.settleMs() + " ms pause between a finished move and the next order; baselines "
                + s.baselineReps() + " repetitions after 1 warm-up; heat " + s.heatRuns() + " pairs of runs (one of each binary) of about "
                + s.heatSeconds() + " s, " + s.rows() + "x" + s.cols() + " grid |");
        line("");
        targets();
        phases();
        baselines();
        overhead();
        throughput();
        java();
        whereTheTimeGoes();
        raw();
        return md.toString();
    }

    private void targets() {
        line("## Targets");
        line("");
        line("| what | target | measured | met |");
        line("|---|---|---|---|");
        for (var rt : r.migrations().entrySet()) {
            for (int mb : List.of(64, 256)) {
                List<Phases> p = rt.getValue().get(mb);
                if (p != null) {
                    Stats t = stats(p, Phases::totalMs);
                    line("| " + mb + " MiB migration, order to resumed (" + rt.getKey().name() + ") | < "
                            + fmt(TARGET_MS.get(mb), 0) + " ms | " + t.format(1) + " ms | "
                            + met(t.median() < TARGET_MS.get(mb)) + " |");
                }
            }
        }
        for (Overhead o : r.overhead()) {
            Stats p = o.percent();
            line("| PCM overhead, heat at " + o.ranks() + " ranks | < " + OVERHEAD_TARGET_PERCENT + " % | "
                    + p.format(2) + " % | " + overheadVerdict(o) + " |");
        }
        for (JavaVsC j : r.javaHeat()) {
            Stats q = j.ratio();
            line("| Java heat sweep against C, " + j.ranks() + " rank" + (j.ranks() == 1 ? "" : "s")
                    + " (updates/s/rank, Java / C) | >= " + fmt(HeatRuns.JAVA_TARGET, 2) + " | " + q.format(3) + " | "
                    + met(q.median() >= HeatRuns.JAVA_TARGET) + " |");
        }
        line("");
        line("A migration target is met when the median is under it. The overhead verdict is a sign test over "
                + "the pairs of runs (section 3). The Java target is met when the median of the per-pair ratios "
                + "reaches it (section 5).");
        line("");
    }

    private void phases() {
        line("## 1. Migration time by phase");
        line("");
        line("`benchmarks/c/pcm_bench_migrate.c`, instrumented with PCM like a user program: 2 ranks under mpirun, "
                + "iterations of about 1 ms (a sleep) that start with `PCM_Status`; rank 1 holds the state "
                + "(a pattern). The benchmark is the agent (a `PcmServer`): it orders rank 1 to `localhost` again and "
                + "again, and reads the phases from each `MIGRATION_DONE`. The replacement `PCM_Load`s the state "
                + "into freshly malloc'd memory and checks the pattern after the timed part (every move checked).");
        line("");
        if (!r.stalls().isEmpty()) {
            line("**Spawns that stalled: " + r.stalls().size() + "** (Open MPI 4.1.4 with PMIx 4.2 on mpirun's own "
                    + "host, docs/architecture.md, *A spawn that never completes*; libpcm then refuses the host for the "
                    + "rest of the job, so a new job did the remaining moves): " + String.join("; ", r.stalls()) + ".");
            line("");
        }
        for (var rt : r.migrations().entrySet()) {
            line("### " + rt.getKey().name() + " (" + rt.getKey().why() + ")");
            line("");
            line("| state | order to decided | spawn | merge + split | state transfer | order to resumed | transfer rate |");
            line("|---:|---:|---:|---:|---:|---:|---:|");
            for (var e : rt.getValue().entrySet()) {
                List<Phases> p = e.getValue();
                line("| " + e.getKey() + " MiB | " + stats(p, Phases::decideMs).format(1) + " ms | "
                        + stats(p, Phases::spawnMs).format(1) + " ms | " + stats(p, Phases::mergeMs).format(1) + " ms | "
                        + stats(p, Phases::transferMs).format(1) + " ms | **" + stats(p, Phases::totalMs).format(1)
                        + "** ms | " + stats(p, Phases::transferGBs).format(2) + " GB/s |");
            }
            line("");
        }
        line("Phases, from the timestamps of `MIGRATION_DONE` (docs/pcm-protocol.md): *order to decided* from the "
                + "moment the old process reads the order (at a `PCM_Status`) to the end of that `PCM_Status`, where "
                + "every rank agreed; *spawn* until `MPI_Comm_spawn` returns; *merge + split* until the replacement "
                + "holds the new world communicator (metadata, intercommunicator merges, split; the state already "
                + "flows during this phase); *state transfer* the rest, until the replacement's first `PCM_Status` "
                + "(the state has arrived and `PCM_Load` has copied it into the application's buffer); *order to "
                + "resumed* is the sum, the time after which the application runs again with the rank in its new "
                + "place. Medians of the "
                + "phases need not add up to the median of the total. GB/s = 10^9 bytes/s.");
        line("");
        line("For scale, figures quoted in the issue (another machine, not measured here): CRIU dump + restore "
                + CRIU_MS.get(64) + " ms (64 MB) and " + CRIU_MS.get(256) + " ms (256 MB); spawn + send + merge alone "
                + SPAWN_SEND_MERGE_MS.get(64) + " / " + SPAWN_SEND_MERGE_MS.get(256) + " ms.");
        line("");
    }

    private void baselines() {
        line("## 2. Baselines on this machine (same run)");
        line("");
        line("`benchmarks/c/pcm_bench_local.c`, no MPI. memcpy from touched memory into freshly malloc'd memory "
                + "(never touched, so every page faults in during the copy, as in a new process) and into touched "
                + "memory:");
        line("");
        line("| size | into fresh memory | into touched memory |");
        line("|---:|---:|---:|");
        for (Memcpy c : r.memcpy()) {
            line("| " + c.mb() + " MiB | " + c.freshGBs().format(2) + " GB/s | " + c.warmGBs().format(2) + " GB/s |");
        }
        line("");
        line("Checkpoint to a file: the state written to a new file on tmpfs (`" + dir() + "`, no disk involved), a NEW "
                + "process started (`posix_spawn`), which reads the file into fresh memory; as a file-based "
                + "migration does, minus any network. Total = write + start + read.");
        line("");
        StringBuilder head = new StringBuilder("| size | write | start of the new process | read | total |");
        StringBuilder rule = new StringBuilder("|---:|---:|---:|---:|---:|");
        r.migrations().keySet().forEach(rt -> {
            head.append(" PCM order to resumed (").append(rt.name()).append(") |");
            rule.append("---:|");
        });
        line(head.toString());
        line(rule.toString());
        for (Checkpoint c : r.checkpoints()) {
            StringBuilder row = new StringBuilder("| " + c.mb() + " MiB | " + c.writeMs().format(1) + " ms | "
                    + c.startMs().format(2) + " ms | " + c.readMs().format(1) + " ms | **" + c.totalMs().format(1)
                    + "** ms |");
            for (Map<Integer, List<Phases>> bySize : r.migrations().values()) {
                List<Phases> p = bySize.get(c.mb());
                row.append(p == null ? " - |" : " " + stats(p, Phases::totalMs).format(1) + " ms |");
            }
            line(row.toString());
        }
        line("");
    }

    private void overhead() {
        line("## 3. PCM overhead (heat diffusion, no migration)");
        line("");
        line("`heat` (PCM, `ROAM_AGENT_SOCKET=none`: never migrates) against `heat-nopcm` (the same source without "
                + "PCM), runs alternated (the order swapped every round). Time is the loop's wall time printed by the "
                + "program. Overhead = time with PCM / time without - 1 for each pair of consecutive runs; median, "
                + "min and max over the pairs. The spread of one binary's own runs shows how steady this machine "
                + "was; a difference well inside it is not resolved by this measurement. Command (" + HeatRuns.PCM + " shown): `" + r.heatCommand() + "`.");
        line("");
        line("| ranks | iterations | heat-nopcm | heat (PCM) | overhead | target | met |");
        line("|---:|---:|---:|---:|---:|---:|---|");
        for (Overhead o : r.overhead()) {
            line("| " + o.ranks() + " | " + o.iterations() + " | " + o.noPcmSeconds().format(3) + " s | "
                    + o.pcmSeconds().format(3) + " s | **" + o.percent().format(2) + " %** | < "
                    + OVERHEAD_TARGET_PERCENT + " % | " + overheadVerdict(o) + " |");
        }
        line("");
        line("Verdict: a one-sided sign test over the pairs at 5 %: *yes* when significantly many pairs are under "
                + "the target, *NO* when significantly many are over it, otherwise *not resolved*: the difference is "
                + "smaller than the machine's noise in this run (heat-nopcm's own runs spread by "
                + r.overhead().stream().map(o -> fmt(o.noisePercent(), 0) + " %").reduce((a, b) -> a + " and " + b)
                .orElse("-") + " from fastest to slowest).");
        line("");
    }

    private void throughput() {
        line("## 4. Heat throughput");
        line("");
        line("Lattice updates per second per rank (10^9), as printed by the program, against a plain one-rank sweep "
                + "(`heat-nopcm`, `-np 1`) measured in the same run. With more ranks than the " + r.machine().cores()
                + " cores the ranks share cores (oversubscribed), so their per-rank rate drops accordingly.");
        line("");
        line("| program | ranks | updates/s/rank | relative to 1 rank |");
        line("|---|---:|---:|---:|");
        Stats one = Stats.of(r.single().stream().map(Run::updatesPerRank).toList()).scaled(1e-9);
        line("| heat-nopcm | 1 | " + one.format(3) + " | 1.000 |");
        for (Overhead o : r.overhead()) {
            for (List<Run> runs : List.of(o.noPcm(), o.pcm())) {
                Stats u = Stats.of(runs.stream().map(Run::updatesPerRank).toList()).scaled(1e-9);
                line("| " + runs.get(0).binary() + " | " + o.ranks() + " | " + u.format(3) + " | "
                        + fmt(u.median() / one.median(), 3) + " |");
            }
        }
        line("");
    }

    private void java() {
        if (r.javaMigrations().isEmpty() && r.javaHeat().isEmpty()) {
            return;
        }
        MigrationBenchmark.MpiRuntime rt = r.settings().javaRuntime();
        line("## 5. Java ranks (the JNI binding)");
        line("");
        line("The same job with Java ranks: `io.roam.heat.bench.JavaBenchMigrate`, the Java twin of "
                + "`pcm_bench_migrate.c` over `io.roam.pcm.Pcm` (JVMs under mpirun, `-Xmx1g -XX:+UseSerialGC`; rank 1's "
                + "state a `long[]` stored by reference, pinned and sent from the array when it moves; the replacement, "
                + "a new JVM started with the same command line, loads into a new array). Runtime: " + rt.name()
                + "; the C rows are the C program's moves of section 1 in the same runtime and run.");
        line("");
        line("| state | program | order to decided | spawn | merge + split | state transfer | order to resumed | transfer rate |");
        line("|---:|---|---:|---:|---:|---:|---:|---:|");
        Map<Integer, List<Phases>> c = r.migrations().getOrDefault(rt, Map.of());
        for (var e : r.javaMigrations().entrySet()) {
            for (boolean isJava : List.of(false, true)) {
                List<Phases> p = isJava ? e.getValue() : c.get(e.getKey());
                if (p == null) {
                    continue;
                }
                line("| " + e.getKey() + " MiB | " + (isJava ? "Java" : "C") + " | " + stats(p, Phases::decideMs).format(1)
                        + " ms | " + stats(p, Phases::spawnMs).format(1) + " ms | " + stats(p, Phases::mergeMs).format(1)
                        + " ms | " + stats(p, Phases::transferMs).format(1) + " ms | **"
                        + stats(p, Phases::totalMs).format(1) + "** ms | " + stats(p, Phases::transferGBs).format(2)
                        + " GB/s |");
            }
        }
        line("");
        line("*Spawn* of a Java rank includes starting the JVM of the replacement (class loading, the binding's "
                + "library extracted from the jar and loaded, `MPI_Init_thread`); *state transfer* includes the JVM "
                + "zeroing the new array, which faults its pages in before the state is received into it.");
        line("");
        if (!r.javaHeat().isEmpty()) {
            line("Heat diffusion, Java (`io.roam.heat.JavaHeat`, the same algorithm, decomposition and result line as "
                    + "`heat.c`, bit-identical grid) against C (`heat`), both with PCM and no agent, on the "
                    + r.settings().rows() + "x" + r.settings().cols() + " grid, runs alternated (the order swapped every "
                    + "round). Java's time includes its JIT warm-up: it is the loop's wall time, as printed. Command "
                    + "(Java shown): `" + r.javaHeatCommand() + "`.");
            line("");
            line("| ranks | iterations | C updates/s/rank (10^9) | Java updates/s/rank (10^9) | Java / C | target | met |");
            line("|---:|---:|---:|---:|---:|---:|---|");
            for (JavaVsC j : r.javaHeat()) {
                Stats cu = Stats.of(j.c().stream().map(Run::updatesPerRank).toList()).scaled(1e-9);
                Stats ju = Stats.of(j.java().stream().map(Run::updatesPerRank).toList()).scaled(1e-9);
                line("| " + j.ranks() + " | " + j.iterations() + " | " + cu.format(3) + " | " + ju.format(3) + " | **"
                        + j.ratio().format(3) + "** | >= " + fmt(HeatRuns.JAVA_TARGET, 2) + " | "
                        + met(j.ratio().median() >= HeatRuns.JAVA_TARGET) + " |");
            }
            line("");
            line("Java / C is per pair of consecutive runs (median, min and max over the pairs).");
            line("");
        }
    }

    private void whereTheTimeGoes() {
        line("## Where the time goes");
        line("");
        for (var rt : r.migrations().entrySet()) {
            for (var e : rt.getValue().entrySet()) {
                if (e.getKey() >= 64) {
                    timeGoes(rt.getKey(), e.getKey(), e.getValue());
                }
            }
        }
        line("");
        line("*Spawn*: `MPI_Comm_spawn` returns once the new process has finished `MPI_Init`. With Open MPI as "
                + "installed, that `MPI_Init` first tries the cm pml's transports (libfabric, PSM) and then selects "
                + "ob1 anyway; `OMPI_MCA_pml=ob1` skips the attempt, which is the difference between the spawn "
                + "columns of the two tables above. *State transfer*: the state goes over TCP (a spawned process "
                + "shares no memory segment with its parents) into the application's fresh buffer, whose pages "
                + "fault in during the receive (4 KiB pages unless transparent huge pages are `always`): compare "
                + "memcpy into fresh and into touched memory in section 2.");
        line("");
    }

    /** One line: the median's phases as shares, the transfer rate against memcpy into fresh memory. */
    private void timeGoes(MpiRuntime rt, int mb, List<Phases> p) {
        double total = stats(p, Phases::totalMs).median();
        double spawn = stats(p, Phases::spawnMs).median();
        double merge = stats(p, Phases::mergeMs).median();
        double transfer = stats(p, Phases::transferMs).median();
        String fresh = r.memcpy().stream().filter(c -> c.mb() == mb).findFirst()
                .map(c -> "; memcpy into fresh memory runs at " + fmt(c.freshGBs().median(), 2) + " GB/s here")
                .orElse("");
        line("- " + rt.name() + ", " + mb + " MiB: median " + fmt(total, 1) + " ms: spawn " + fmt(spawn, 1) + " ms ("
                + pct(spawn, total) + "), merge + split " + fmt(merge, 1) + " ms (" + pct(merge, total)
                + "), state transfer " + fmt(transfer, 1) + " ms (" + pct(transfer, total) + ") at "
                + fmt(stats(p, Phases::transferGBs).median(), 2) + " GB/s" + fresh + ".");
    }

    private void raw() {
        line("<details><summary>Every measured migration (ms)</summary>");
        line("");
        line("| runtime | state | order | decided | spawn | merge + split | transfer | total |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (var rt : r.migrations().entrySet()) {
            for (var e : rt.getValue().entrySet()) {
                for (Phases p : e.getValue()) {
                    line("| " + rt.getKey().name() + " | " + e.getKey() + " MiB | " + p.orderId() + " | " + fmt(p.decideMs(), 2) + " | "
                            + fmt(p.spawnMs(), 1) + " | " + fmt(p.mergeMs(), 1) + " | " + fmt(p.transferMs(), 1)
                            + " | " + fmt(p.totalMs(), 1) + " |");
                }
            }
        }
        line("");
        line("</details>");
    }

    private String dir() {
        return r.checkpoints().isEmpty() ? "/dev/shm" : r.checkpoints().get(0).dir();
    }

    private static Stats stats(List<Phases> p, ToDoubleFunction<Phases> f) {
        return Stats.of(p.stream().map(f::applyAsDouble).toList());
    }

    private static String overheadVerdict(Overhead o) {
        return "**" + o.verdict(OVERHEAD_TARGET_PERCENT) + "**";
    }

    private static String met(boolean yes) {
        return yes ? "**yes**" : "**NO**";
    }

    private static String pct(double part, double whole) {
        return fmt(100 * part / whole, 0) + " %";
    }

    static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private void line(String s) {
        md.append(s).append('\n');
    }
}
