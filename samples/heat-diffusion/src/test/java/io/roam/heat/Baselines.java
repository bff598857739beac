package io.roam.heat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Final grids of runs without any migration, computed once per shape and reused. */
final class Baselines {
    private static final Map<String, byte[]> GRIDS = new HashMap<>();

    private Baselines() {
    }

    /** The final grid of the same shape run by the C program (whatever program shape names). A run
     * of several ranks on a machine whose cores are all busy can take minutes: hence the long bound. */
    static byte[] cGrid(HeatJob.Spec shape) throws IOException, InterruptedException {
        return grid(HeatJob.spec().ranks(shape.ranks).grid(shape.rows, shape.cols).iterations(shape.iterations));
    }

    static synchronized byte[] grid(HeatJob.Spec shape) throws IOException, InterruptedException {
        byte[] cached = GRIDS.get(shape.key());
        if (cached != null) {
            return cached;
        }
        HeatJob.Spec plain = HeatJob.spec().ranks(shape.ranks).grid(shape.rows, shape.cols)
                .iterations(shape.iterations);
        plain.javaRanks = shape.javaRanks;
        plain.binary = shape.binary;
        // Ranks that wait yield their core (as under roam run): with more ranks than free cores,
        // a busy-polling rank spends its time slice waiting for one that is not running (4 ranks
        // on 2 busy cores: HeatResizeOrderTest's job went from 271 s to 4 s). The grid is the same.
        // With no more ranks than cores they poll instead: a job of many small iterations is then
        // latency-bound, and yielding at every halo exchange beside a busy loop made a 2-rank
        // baseline of 326,700 iterations outlast 10 minutes (HeatGrowOnJoinTest in CI).
        if (shape.ranks > Runtime.getRuntime().availableProcessors()) {
            plain.mpiArgs("--mca", "mpi_yield_when_idle", "1");
        }
        Path dir = Files.createTempDirectory("roam-heat-baseline-");
        long t0 = System.nanoTime();
        try (HeatJob job = plain.start(dir)) {
            byte[] grid = job.awaitSuccess(HeatJob.seconds(600)).grid();
            System.out.printf(java.util.Locale.ROOT, "baseline %s: %.1f s%n", shape.key(), (System.nanoTime() - t0) / 1e9);
            GRIDS.put(shape.key(), grid);
            return grid;
        } finally {
            deleteTree(dir);   // the run's files: the grid is kept in memory, nothing stays in /tmp
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
