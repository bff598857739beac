package io.roam.bench;

import static io.roam.bench.BenchSupport.cpuTicks;
import static io.roam.bench.BenchSupport.freePort;
import static io.roam.bench.BenchSupport.machine;
import static io.roam.bench.BenchSupport.median;
import static io.roam.bench.BenchSupport.reachable;
import static io.roam.bench.BenchSupport.startAgent;
import static io.roam.bench.BenchSupport.stats;
import static io.roam.bench.BenchSupport.status;
import static io.roam.bench.BenchSupport.stop;

import com.fasterxml.jackson.databind.JsonNode;
import io.roam.bench.BenchSupport.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * benchmarks/profiling.sh: what profiling costs an agent. Three agent JVMs on loopback (each
 * has the two others as neighbours) run for a while; the CPU time of each JVM comes from
 * /proc/PID/stat. The same agents with the default profiling periods and with every period
 * at its maximum (nothing is sampled or probed within the window) alternate in one run.
 * Writes Markdown to the file given as the first argument.
 */
public final class ProfilingBenchmark {
    static final int AGENTS = 3;
    static final int SETTLE_SECONDS = 15;
    static final Setting DEFAULT = new Setting("default periods", List.of("-Xmx256m"), List.of());
    static final Setting MAX = new Setting("periods at the maximum", List.of("-Xmx256m"),
            List.of("-Droam.profiling.period=1m", "-Droam.profiling.network.period=10m"));

    /** One run of {@link #AGENTS} agents: CPU in % of one core per agent, and what the links measured. */
    record Run(List<Double> cpuPercent, int links, long probeSamples) {
        double mean() {
            return cpuPercent.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "benchmarks/results/profiling.md");
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        Path work = Files.createTempDirectory("roam-profiling-bench-");
        List<Run> def = new ArrayList<>();
        List<Run> max = new ArrayList<>();
        for (int r = 0; r < reps; r++) {
            // alternate which setting goes first, so that a drift of the machine hits both alike
            for (Setting s : r % 2 == 0 ? List.of(DEFAULT, MAX) : List.of(MAX, DEFAULT)) {
                Run run = run(s, seconds, work);
                (s == DEFAULT ? def : max).add(run);
                System.err.printf(Locale.ROOT, "rep %d %s: %s %% of one core per agent, %d links, %d probe samples%n",
                        r + 1, s.name(), run.cpuPercent(), run.links(), run.probeSamples());
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report(def, max, reps, seconds, work));
        System.err.println("wrote " + out);
    }

    private static Run run(Setting s, int seconds, Path work) throws Exception {
        List<Process> ps = new ArrayList<>();
        int seed = freePort();
        int http = freePort();
        try {
            for (int i = 0; i < AGENTS; i++) {
                ps.add(startAgent("p" + i, i == 0 ? seed : freePort(), i == 0 ? http : freePort(), seed, s, work));
            }
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (reachable(http) != AGENTS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(AGENTS + " agents not Up within 120 s; logs in " + work);
                }
                Thread.sleep(200);
            }
            Thread.sleep(SETTLE_SECONDS * 1000L);
            long[] before = new long[AGENTS];
            for (int i = 0; i < AGENTS; i++) {
                before[i] = cpuTicks(ps.get(i).pid());
            }
            long t0 = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double secs = (System.nanoTime() - t0) / 1e9;
            List<Double> cpu = new ArrayList<>();
            for (int i = 0; i < AGENTS; i++) {
                cpu.add((cpuTicks(ps.get(i).pid()) - before[i]) / 100.0 / secs * 100);
            }
            int links = 0;
            long samples = 0;
            for (JsonNode n : status(http).orElseThrow().get("nodes")) {
                for (JsonNode l : n.get("network").get("links")) {
                    links++;
                    samples += l.get("samples").asLong();
                }
            }
            return new Run(cpu, links, samples);
        } finally {
            stop(ps);
        }
    }

    private static String report(List<Run> def, List<Run> max, int reps, int seconds, Path work) throws Exception {
        List<Double> d = def.stream().map(Run::mean).toList();
        List<Double> m = max.stream().map(Run::mean).toList();
        List<Double> diff = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            diff.add(d.get(i) - m.get(i));
        }
        double added = median(d) - median(m);
        StringBuilder md = new StringBuilder();
        md.append("# Profiling benchmark\n\nWritten by `benchmarks/profiling.sh`; rerun it rather than edit this file.\n\n");
        md.append("| | |\n|---|---|\n| date | ").append(Instant.now()).append(" |\n| machine | ").append(machine())
                .append(" |\n| Java | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append(" |\n| reproduce | `benchmarks/profiling.sh ")
                .append(reps).append(' ').append(seconds).append("` (after `make`) |\n| agent command | `")
                .append(String.join(" ", BenchSupport.agentCommand("p1", 2553, 7171, 2552, MAX, work))
                        .replace(System.getProperty("java.class.path"), "CLASSPATH").replace(work.toString(), "WORK"))
                .append("` (with default periods: without the two `-D` options) |\n\n");
        md.append("## CPU of an agent with and without profiling\n\n").append(AGENTS).append(" agent JVMs (`roam agent`, "
                        + "loopback, each with the others as neighbours) run ").append(SETTLE_SECONDS)
                .append(" s after all are Up, then the CPU time (user + system, /proc/PID/stat) of each JVM is taken over ")
                .append(seconds).append(" s. A run's value is the mean over its ").append(AGENTS).append(" agents, in % of "
                        + "one core; median (min to max) of ").append(reps).append(" runs per setting, the two settings "
                        + "alternating in the same benchmark run.\n\n");
        md.append("| setting | CPU per agent, % of one core | links measured (probe samples) |\n|---|---:|---:|\n");
        md.append("| default periods: node every 2 s, links every 5 s (64 KiB payload every 6th probe), max-peers 16 | ")
                .append(stats(d)).append(" | ").append(linkSummary(def)).append(" |\n");
        md.append("| periods at the maximum: node every 1 min, links every 10 min | ").append(stats(m)).append(" | ")
                .append(linkSummary(max)).append(" |\n");
        md.append(String.format(Locale.ROOT, "| **difference** (default minus maximum) | **%.2f** (of medians); per "
                + "pair of runs %s | |\n\n", added, stats(diff)));
        md.append(String.format(Locale.ROOT, "Ratio of the medians: %.2f. Every agent of the default runs: %s %% of one "
                + "core; of the maximum runs: %s %%.%n%n", median(d) / median(m), all(def), all(max)));
        md.append("Target: profiling adds less than 1 % of one core per agent: **")
                .append(added < 1.0 ? "met" : "NOT met").append("**.\n");
        return md.toString();
    }

    private static String linkSummary(List<Run> runs) {
        return runs.stream().map(r -> r.links() + " (" + r.probeSamples() + ")").reduce((a, b) -> a + ", " + b)
                .orElse("");
    }

    private static String all(List<Run> runs) {
        List<String> v = new ArrayList<>();
        runs.forEach(r -> r.cpuPercent().forEach(c -> v.add(String.format(Locale.ROOT, "%.2f", c))));
        return String.join(", ", v);
    }
}
