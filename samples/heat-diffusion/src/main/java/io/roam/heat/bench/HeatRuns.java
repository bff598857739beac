package io.roam.heat.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs of the C heat-diffusion sample for the PCM overhead and the throughput: {@code heat}
 * (with PCM, no agent: {@code ROAM_AGENT_SOCKET=none}, so it never migrates) against
 * {@code heat-nopcm} (the same source without PCM), and a plain one-rank sweep; and of the Java
 * sample ({@link io.roam.heat.JavaHeat}, JVM ranks, PCM without agent) against {@code heat}.
 */
final class HeatRuns {
    private static final Pattern TIME = Pattern.compile("time ([0-9.]+) s");
    private static final Pattern PER_RANK = Pattern.compile("updates/s/rank ([0-9.eE+-]+)");
    static final String PCM = "heat";
    static final String NO_PCM = "heat-nopcm";
    static final String JAVA = "JavaHeat";
    /** The Java sample's sweep should reach this fraction of the C sample's. */
    static final double JAVA_TARGET = 0.8;

    /** One run: the loop's wall time and the lattice updates per second per rank it printed. */
    record Run(String binary, int ranks, int iterations, double seconds, double updatesPerRank) {
    }

    /** Paired runs of both binaries at one rank count (alternated: pcm first, then nopcm first). */
    record Overhead(int ranks, int iterations, List<Run> pcm, List<Run> noPcm) {
        Stats pcmSeconds() {
            return Stats.of(pcm.stream().map(Run::seconds).toList());
        }

        Stats noPcmSeconds() {
            return Stats.of(noPcm.stream().map(Run::seconds).toList());
        }

        /**
         * The overhead in %, per pair of consecutive runs (time with PCM over time without, minus one):
         * median, min and max over the pairs. Pairs see the same machine conditions, so their median
         * is robust against a machine whose speed drifts during the measurement.
         */
        Stats percent() {
            return Stats.of(pairPercents());
        }

        /** The overhead of each pair of consecutive runs, in %. */
        List<Double> pairPercents() {
            List<Double> pairs = new ArrayList<>();
            for (int i = 0; i < pcm.size(); i++) {
                pairs.add(100 * (pcm.get(i).seconds() / noPcm.get(i).seconds() - 1));
            }
            return pairs;
        }

        /**
         * Whether the overhead is under {@code target} %: a one-sided sign test over the pairs at 5 %,
         * "yes" or "NO" when significant, else "not resolved (k of n pairs under)".
         */
        String verdict(double target) {
            List<Double> pairs = pairPercents();
            int n = pairs.size();
            int below = (int) pairs.stream().filter(x -> x < target).count();
            if (Stats.binomialTail(n, below) <= 0.05) {
                return "yes";
            }
            if (Stats.binomialTail(n, n - below) <= 0.05) {
                return "NO";
            }
            return "not resolved (" + below + " of " + n + " pairs under)";
        }

        /** How far one binary's runs spread (max over min, minus one, in %): the machine's noise. */
        double noisePercent() {
            Stats s = noPcmSeconds();
            return 100 * (s.max() / s.min() - 1);
        }
    }

    /** Paired runs of the C sample ({@code heat}) and the Java sample at one rank count, alternated. */
    record JavaVsC(int ranks, int iterations, List<Run> c, List<Run> java) {
        /** Java's updates/s/rank over C's, per pair of consecutive runs: median, min and max. */
        Stats ratio() {
            List<Double> r = new ArrayList<>();
            for (int i = 0; i < c.size(); i++) {
                r.add(java.get(i).updatesPerRank() / c.get(i).updatesPerRank());
            }
            return Stats.of(r);
        }
    }

    private final Proc proc;
    private final Path bin;
    private final int rows;
    private final int cols;

    HeatRuns(Proc proc, Path bin, int rows, int cols) {
        this.proc = proc;
        this.bin = bin;
        this.rows = rows;
        this.cols = cols;
    }

    /** Iterations for a run of about {@code seconds} at {@code ranks} ranks (from one short run). */
    int calibrate(int ranks, double seconds) throws IOException, InterruptedException {
        int probe = 100;
        Run r = once(NO_PCM, ranks, probe);
        return (int) Math.max(probe, Math.round(seconds * probe / r.seconds()));
    }

    /** {@code runs} runs of each binary, alternating, the order swapped every round. */
    Overhead overhead(int ranks, int iterations, int runs) throws IOException, InterruptedException {
        List<Run> pcm = new ArrayList<>();
        List<Run> noPcm = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            if (i % 2 == 0) {
                pcm.add(once(PCM, ranks, iterations));
                noPcm.add(once(NO_PCM, ranks, iterations));
            } else {
                noPcm.add(once(NO_PCM, ranks, iterations));
                pcm.add(once(PCM, ranks, iterations));
            }
        }
        return new Overhead(ranks, iterations, pcm, noPcm);
    }

    /** {@code runs} runs of the C sample and of the Java sample, alternating, the order swapped every round. */
    JavaVsC javaVsC(int ranks, int iterations, int runs) throws IOException, InterruptedException {
        List<Run> c = new ArrayList<>();
        List<Run> java = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            if (i % 2 == 0) {
                c.add(once(PCM, ranks, iterations));
                java.add(once(JAVA, ranks, iterations));
            } else {
                java.add(once(JAVA, ranks, iterations));
                c.add(once(PCM, ranks, iterations));
            }
        }
        return new JavaVsC(ranks, iterations, c, java);
    }

    /** {@code runs} runs of one binary. */
    List<Run> repeat(String binary, int ranks, int iterations, int runs) throws IOException, InterruptedException {
        List<Run> all = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            all.add(once(binary, ranks, iterations));
        }
        return all;
    }

    /** The mpirun command line of one run (also written into the report). */
    List<String> command(String binary, int ranks, int iterations) {
        List<String> cmd = new ArrayList<>(Proc.mpirun(ranks, false));
        cmd.addAll(List.of("-x", "ROAM_AGENT_SOCKET"));
        cmd.addAll(binary.equals(JAVA) ? Proc.javaRank(io.roam.heat.JavaHeat.class.getName(), "1g")
                : List.of(bin.resolve(binary).toString()));
        cmd.addAll(List.of("-r", Integer.toString(rows),
                "-c", Integer.toString(cols), "-i", Integer.toString(iterations), "-q"));
        return cmd;
    }

    Run once(String binary, int ranks, int iterations) throws IOException, InterruptedException {
        Duration limit = Duration.ofMinutes(5);
        Proc.Result r = proc.run(command(binary, ranks, iterations), Map.of("ROAM_AGENT_SOCKET", "none"), limit)
                .requireSuccess(binary + " at " + ranks + " ranks");
        Matcher t = TIME.matcher(r.out());
        Matcher u = PER_RANK.matcher(r.out());
        if (!t.find() || !u.find()) {
            throw new IllegalStateException("no time or updates/s/rank in the output of " + binary + ":\n" + r.out());
        }
        Run run = new Run(binary, ranks, iterations, Double.parseDouble(t.group(1)), Double.parseDouble(u.group(1)));
        System.err.printf("  %-10s np %d: %.3f s, %.4g updates/s/rank%n", binary, ranks, run.seconds(),
                run.updatesPerRank());
        return run;
    }
}
