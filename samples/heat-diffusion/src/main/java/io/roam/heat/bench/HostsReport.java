package io.roam.heat.bench;

import io.roam.heat.bench.HostsBenchmark.Results;
import io.roam.heat.bench.HostsBenchmark.Size;
import io.roam.heat.bench.MigrationJob.Phases;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** The Markdown report of {@link HostsBenchmark}: PCM's moves across hosts against the link's floor. */
final class HostsReport {
    private HostsReport() {
    }

    static String markdown(Results r) {
        StringBuilder b = new StringBuilder();
        HostsBenchmark.Settings s = r.settings();
        Machine m = r.machine();
        b.append("# PCM migration across hosts, against the floor of the link\n\n");
        b.append("Written by `benchmarks/pcm-migration-hosts.sh` (also run by `benchmarks/pcm-migration.sh`);"
                + " rerun it rather than edit this file. Every number is the median, then (min to max), over the"
                + " repetitions of one run. The same-host figures are in `pcm-migration.md`.\n\n");
        b.append("| | |\n|---|---|\n");
        row(b, "date", m.date());
        row(b, "machine", m.cores() + " cores (nproc), " + m.cpu() + ", " + m.memory()
                + " memory, transparent huge pages: " + m.hugePages());
        row(b, "load average (/proc/loadavg)", "before: " + r.loadBefore() + "; after: " + r.loadAfter());
        row(b, "kernel", m.kernel());
        row(b, "MPI", m.openMpi() + ", `OMPI_MCA_pml=ob1`");
        row(b, "hosts", "3 network namespaces joined by a bridge (veth pairs, TCP): " + String.join(", ", s.hosts()));
        row(b, "reproduce", "`" + s.command() + "` (as root, after `make build`)");
        row(b, "settings", s.reps() + " moves per size after " + s.warmup()
                + " warm-up, 500 ms between a finished move and the next order; floor measurements "
                + s.reps() + " repetitions after " + s.warmup() + " warm-up");
        b.append("\n**The machine was shared while this ran** (the load average above, on 2 cores): every"
                + " figure is noisy, and targets stated for an idle machine cannot be judged from it.\n\n");

        b.append("## Targets\n\n| what | target | measured | met |\n|---|---|---|---|\n");
        for (Size z : r.sizes()) {
            if (z.mb() < 64) {
                continue;
            }
            double total = Stats.of(col(z.moves(), Phases::totalMs)).median();
            double floor = r.spawnMs().median() + z.tcpMs().median();
            b.append(String.format(Locale.ROOT, "| %d MiB, order to resumed / floor | <= 1.30 | %.2f (%.1f / %.1f ms)"
                    + " | %s |%n", z.mb(), total / floor, total, floor, total / floor <= 1.3 ? "**yes**" : "**NO**"));
        }
        List<Double> merges = new ArrayList<>();
        r.sizes().forEach(z -> merges.addAll(col(z.moves(), Phases::mergeMs)));
        Collections.sort(merges);
        double p99 = merges.get((int) Math.ceil(0.99 * merges.size()) - 1);
        b.append(String.format(Locale.ROOT, "| merge + split, p99 over all %d moves | < 10 ms (idle machine) | %.1f ms"
                + " | %s |%n%n", merges.size(), p99, p99 < 10 ? "**yes**" : "**NO** (load: see above)"));
        b.append("With fewer than 100 moves the p99 is the largest value but one at most: read it as a maximum.\n\n");

        b.append("## Phases against the floor\n\n");
        b.append("*Floor* of a move: a bare `MPI_Comm_spawn` of a trivial program (`pcm_bench_floor spawn`: `MPI_Init`,"
                + " disconnect) on the target host from rank 1 of a running 2-rank job over the same hosts, plus a"
                + " plain TCP stream of the same bytes between the two hosts (`pcm_bench_floor tcp-send`/`tcp-recv`:"
                + " connect, send, the receiver reads into freshly mapped memory advised to use huge pages, as libpcm's"
                + " buffers are, and answers one byte). PCM's *merge + split* and *state transfer* overlap with the"
                + " stream, so they are compared together with the TCP stream. Ratio = PCM median / floor median.\n\n");
        b.append(String.format(Locale.ROOT, "Bare spawn on the target host: **%s ms**.%n%n", r.spawnMs().format(1)));
        b.append("| state | PCM spawn | bare spawn ratio | PCM merge + split + transfer | TCP stream | ratio |"
                + " PCM order to resumed | floor | ratio |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Size z : r.sizes()) {
            Stats spawn = Stats.of(col(z.moves(), Phases::spawnMs));
            Stats stream = Stats.of(col(z.moves(), p -> p.mergeMs() + p.transferMs()));
            Stats total = Stats.of(col(z.moves(), Phases::totalMs));
            double floor = r.spawnMs().median() + z.tcpMs().median();
            b.append(String.format(Locale.ROOT, "| %d MiB | %s | %.2f | %s | %s | %.2f | **%s** | %.1f | **%.2f** |%n",
                    z.mb(), spawn.format(1), spawn.median() / r.spawnMs().median(), stream.format(1), z.tcpMs().format(1),
                    stream.median() / z.tcpMs().median(), total.format(1), floor, total.median() / floor));
        }

        b.append("\n## By phase, and the pause the other ranks see\n\n");
        b.append("*Pause of the others*: on rank 0 (which stays), from the start of the `PCM_Status` that announced"
                + " the move to the start of its next iteration, when `PCM_Reconfigure` has returned: what the"
                + " application loses. The moving rank's *order to resumed* ends at the replacement's first"
                + " `PCM_Status`, once all the state has arrived.\n\n");
        b.append("| state | order to decided | spawn | merge + split | state transfer | order to resumed |"
                + " pause of the others | TCP stream rate | memcpy into fresh pages |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Size z : r.sizes()) {
            double bytes = (double) ((long) z.mb() << 20);
            b.append(String.format(Locale.ROOT, "| %d MiB | %s ms | %s ms | %s ms | %s ms | **%s** ms | **%s** ms |"
                    + " %.2f GB/s | %s GB/s |%n", z.mb(), Stats.of(col(z.moves(), Phases::decideMs)).format(1),
                    Stats.of(col(z.moves(), Phases::spawnMs)).format(1), Stats.of(col(z.moves(), Phases::mergeMs)).format(1),
                    Stats.of(col(z.moves(), Phases::transferMs)).format(1), Stats.of(col(z.moves(), Phases::totalMs)).format(1),
                    z.pausesMs().isEmpty() ? "-" : Stats.of(z.pausesMs()).format(1), bytes / (z.tcpMs().median() * 1e6),
                    z.memcpy().freshGBs().format(2)));
        }
        b.append("\nGB/s = 10^9 bytes/s. Phases as in `pcm-migration.md` (from the timestamps of `MIGRATION_DONE`).\n\n");

        b.append("<details><summary>Every measured move (ms)</summary>\n\n");
        b.append("| state | order | spawn | merge + split | transfer | total | pause of the others |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Size z : r.sizes()) {
            for (int i = 0; i < z.moves().size(); i++) {
                Phases p = z.moves().get(i);
                String pause = i < z.pausesMs().size() ? String.format(Locale.ROOT, "%.1f", z.pausesMs().get(i)) : "-";
                b.append(String.format(Locale.ROOT, "| %d MiB | %d | %.1f | %.1f | %.1f | %.1f | %s |%n", z.mb(),
                        p.orderId(), p.spawnMs(), p.mergeMs(), p.transferMs(), p.totalMs(), pause));
            }
        }
        b.append("\n</details>\n");
        return b.toString();
    }

    private static List<Double> col(List<Phases> moves, ToDoubleFunction<Phases> f) {
        return moves.stream().map(f::applyAsDouble).toList();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("| ").append(k).append(" | ").append(v).append(" |\n");
    }
}
