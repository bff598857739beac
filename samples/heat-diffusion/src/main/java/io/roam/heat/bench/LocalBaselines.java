package io.roam.heat.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine baselines, measured by the C program {@code pcm_bench_local} (no MPI): memcpy into
 * fresh and into touched memory, and a checkpoint written to a file on tmpfs and read back by a
 * new process. The first repetition of each is a warm-up and is dropped (on a virtual machine the
 * very first touch of memory can cost several times the steady state).
 */
final class LocalBaselines {
    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\d+)");

    /** memcpy rates in GB/s (10^9 bytes per second). */
    record Memcpy(int mb, Stats freshGBs, Stats warmGBs) {
    }

    /** Checkpoint to a file and restore in a new process, phases in ms. */
    record Checkpoint(int mb, String dir, Stats writeMs, Stats startMs, Stats readMs, Stats totalMs) {
        /** The read rate into fresh memory, GB/s. */
        double readGBs() {
            return ((long) mb << 20) / (readMs.median() * 1e6);
        }
    }

    private final Proc proc;
    private final Path program;

    LocalBaselines(Proc proc, Path program) {
        this.proc = proc;
        this.program = program;
    }

    Memcpy memcpy(int mb, int reps) throws IOException, InterruptedException {
        List<Map<String, Long>> rows = run(List.of("memcpy", "-s", Integer.toString(mb)), reps);
        double bytes = (double) ((long) mb << 20);
        return new Memcpy(mb, Stats.of(rows.stream().map(r -> bytes / r.get("fresh_ns")).toList()),
                Stats.of(rows.stream().map(r -> bytes / r.get("warm_ns")).toList()));
    }

    Checkpoint checkpoint(int mb, int reps, String dir) throws IOException, InterruptedException {
        List<Map<String, Long>> rows = run(List.of("ckpt", "-s", Integer.toString(mb), "-d", dir), reps);
        return new Checkpoint(mb, dir, ms(rows, "write_ns"), ms(rows, "start_ns"), ms(rows, "read_ns"),
                ms(rows, "total_ns"));
    }

    private static Stats ms(List<Map<String, Long>> rows, String key) {
        return Stats.of(rows.stream().map(r -> r.get(key) / 1e6).toList());
    }

    /** Runs one mode with a warm-up repetition; the fields of each kept output line. */
    private List<Map<String, Long>> run(List<String> args, int reps) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(program.toString()));
        cmd.addAll(args);
        cmd.addAll(List.of("-n", Integer.toString(reps + 1)));
        Proc.Result r = proc.run(cmd, Map.of(), Duration.ofMinutes(5)).requireSuccess("pcm_bench_local " + args.get(0));
        List<Map<String, Long>> rows = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (!line.startsWith(args.get(0) + " ")) {
                continue;
            }
            Map<String, Long> row = new HashMap<>();
            Matcher m = FIELD.matcher(line);
            while (m.find()) {
                row.put(m.group(1), Long.parseLong(m.group(2)));
            }
            rows.add(row);
        }
        if (rows.size() != reps + 1) {
            throw new IllegalStateException("expected " + (reps + 1) + " lines from " + cmd + ", got:\n" + r.out());
        }
        return rows.subList(1, rows.size());
    }
}
