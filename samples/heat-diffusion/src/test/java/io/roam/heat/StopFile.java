package io.roam.heat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A heat job that lasts exactly as long as its test needs it: run with {@code -s FILE}
 * ({@link #args}) and an iteration count it never reaches, it stops at its next check (every
 * 100 iterations) once the test has created the file ({@link #stop}). The iterations it did
 * are read from rank 0's line ({@link #iterationsDone}); the final grid is compared with a
 * run without Roam of that many iterations, bit for bit as before.
 */
final class StopFile {
    /** An iteration count no job of the tests reaches before its test stops it. */
    static final int UNTIL_STOPPED = 1_000_000_000;
    private static final Pattern DONE = Pattern.compile("heat: grid \\d+x\\d+ ranks \\d+ iterations (\\d+) ");

    private StopFile() {
    }

    /** heat's options to stop when {@code file} appears. */
    static List<String> args(Path file) {
        return List.of("-s", file.toString());
    }

    /** Asks the job to stop (at its next check). */
    static void stop(Path file) throws IOException {
        Files.writeString(file, "");
    }

    /** The iterations the job did, from rank 0's final line in {@code log}; fails unless the stop ended it. */
    static int iterationsDone(Path log) throws IOException {
        String out = Files.readString(log);
        Matcher m = DONE.matcher(out);
        assertThat(m.find()).as("heat's final line in\n%s", out).isTrue();
        int n = Integer.parseInt(m.group(1));
        assertThat(m.find()).as("one final line in\n%s", out).isFalse();
        assertThat(n).as("iterations done (stopped by the file, not the count)\n%s", out).isPositive()
                .isLessThan(UNTIL_STOPPED).isEqualTo(n / 100 * 100);
        assertThat(out).contains("exists: stopping at iteration " + n);
        return n;
    }

    /**
     * The final grid of a run without Roam of the shape given and the iterations the job of
     * {@code log} did: heat-nopcm, the same grid without PCM's allreduce per iteration (many
     * times faster for the small grids of these tests).
     */
    static byte[] baseline(int ranks, int rows, int cols, Path log) throws IOException, InterruptedException {
        HeatJob.Spec plain = HeatJob.spec().ranks(ranks).grid(rows, cols).iterations(iterationsDone(log));
        plain.binary = "heat-nopcm";
        return Baselines.grid(plain);
    }

    /**
     * As {@link #baseline(int, int, int, Path)} for a job started with {@link HeatJob}: its
     * output (heat's final line on stdout, its stop line on stderr) is written to job.log in
     * {@code dir} and read from there.
     */
    static byte[] baseline(int ranks, int rows, int cols, HeatJob job, Path dir)
            throws IOException, InterruptedException {
        Path log = dir.resolve("job.log");
        Files.writeString(log, job.stdout() + job.stderr());
        return baseline(ranks, rows, cols, log);
    }
}
