package io.roam.heat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.roam.heat.bench.AutonomyScenarios.Scenario;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * benchmarks/autonomy.sh: each scenario of {@link AutonomyScenarios}, with balancing, without
 * and as the oracle, RUNS times (the variants of one scenario back to back, so that they see
 * the machine alike), each a run of scripts/auto-demo.sh --scenario in a directory of its own
 * under WORK; then {@link AutonomyReport} judges them into the results file.
 *
 * <p>Arguments: REPORT.md WORK RUNS SCENARIOS (comma-separated numbers, or "all") [REPRODUCE];
 * with the system property roam.autonomy.from it only rewrites the report from the runs kept in WORK;
 * with roam.autonomy.resume it runs only the variants that WORK does not hold yet (a result.json
 * and a bench.json) and reads the others, so that runs made at different times (each on a quiet
 * machine) make one report.
 */
public final class AutonomyBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run of one variant: its result.json, and the machine's load average around it. */
    record Run(Scenario scenario, String variant, int run, Path dir, JsonNode result, double loadStart, double loadEnd,
               double seconds, int exit) {
        boolean ok() {
            return exit == 0 && result.path("jobs").size() > 0;
        }
    }

    public static void main(String[] args) throws Exception {
        Path report = Path.of(args[0]);
        Path work = Path.of(args[1]).toAbsolutePath();
        int runs = Integer.parseInt(args[2]);
        Set<Integer> only = args[3].equals("all") ? null : AutonomyScenarios.select(args[3]);
        String reproduce = args.length > 4 ? args[4] : "benchmarks/autonomy.sh";
        boolean rewrite = System.getProperty("roam.autonomy.from") != null;
        boolean resume = System.getProperty("roam.autonomy.resume") != null;
        Machine machine = Machine.probe();
        String loadStart = loadAverages();
        long started = System.nanoTime();
        List<Run> done = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            for (Scenario s : AutonomyScenarios.all(r)) {
                if (only != null && !only.contains(s.number())) {
                    continue;
                }
                for (String v : s.variants()) {
                    boolean kept = Files.exists(dir(work, s, v, r).resolve("result.json"))
                            && Files.exists(dir(work, s, v, r).resolve("bench.json"));
                    done.add(rewrite || (resume && kept) ? read(work, s, v, r) : run(work, s, v, r));
                }
            }
            // after each round of every scenario, so that a benchmark cut short leaves its results
            double minutes = (System.nanoTime() - started) / 60e9;
            Path here = Path.of("").toAbsolutePath();
            Path shown = work.startsWith(here) ? here.relativize(work) : work;
            String note = rewrite ? "rewritten from the runs kept in `" + shown + "`" : String.format(Locale.ROOT,
                    "took %.0f minutes%s", minutes, r < runs ? " so far: **" + r + " of " + runs + " runs done**" : "");
            String loadEnd = rewrite ? "not measured (rewritten; each run's are below)" : loadAverages();
            Files.writeString(report, new AutonomyReport(machine, rewrite ? loadEnd : loadStart, loadEnd, reproduce, r,
                    note, work, done).markdown() + reading(report));
            System.out.println("wrote " + report + " after run " + r + " of " + runs + " (runs under " + work + ")");
        }
    }

    /** The hand-written section "Reading" at the end of the report as it is, if present: kept. */
    private static String reading(Path report) throws IOException {
        String old = Files.exists(report) ? Files.readString(report) : "";
        int at = old.indexOf("\n## Reading");
        return at < 0 ? "" : old.substring(at);
    }

    private static Path dir(Path work, Scenario s, String variant, int run) {
        return work.resolve(s.number() + "-" + s.name() + "-" + variant + "-" + run);
    }

    private static Run run(Path work, Scenario s, String variant, int r) throws IOException, InterruptedException {
        Path dir = dir(work, s, variant, r);
        List<String> cmd = new ArrayList<>(List.of("bash", "scripts/auto-demo.sh"));
        cmd.addAll(s.variant(variant));
        double load = loadAverage();
        System.out.printf(Locale.ROOT, "== scenario %d %s, %s, run %d (load %.2f): %s%n", s.number(), s.name(), variant,
                r, load, String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(s.env());
        pb.environment().put("ROAM_DEMO_OUT", dir.toString());
        long t = System.nanoTime();
        int exit = pb.start().waitFor();
        ObjectNode bench = JSON.createObjectNode().put("loadStart", load).put("loadEnd", loadAverage())
                .put("seconds", (System.nanoTime() - t) / 1e9).put("exit", exit);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("bench.json"), bench.toString());
        Run run = read(work, s, variant, r);
        System.out.printf(Locale.ROOT, "   exit %d, %.0f s, %d job(s), %d move(s)%n", exit, run.seconds(),
                run.result().path("jobs").size(), AutonomyMetrics.moves(run.result()).size());
        return run;
    }

    private static Run read(Path work, Scenario s, String variant, int r) throws IOException {
        Path dir = dir(work, s, variant, r);
        Path result = dir.resolve("result.json");
        Path benchFile = dir.resolve("bench.json");
        JsonNode json = Files.exists(result) ? JSON.readTree(result.toFile()) : JSON.createObjectNode();
        JsonNode bench = Files.exists(benchFile) ? JSON.readTree(benchFile.toFile()) : JSON.createObjectNode();
        return new Run(s, variant, r, dir, json, bench.path("loadStart").asDouble(Double.NaN),
                bench.path("loadEnd").asDouble(Double.NaN), bench.path("seconds").asDouble(Double.NaN),
                bench.path("exit").asInt(-1));
    }

    /** The 1, 5 and 15-minute load averages as /proc/loadavg shows them. */
    static String loadAverages() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The 1-minute load average (/proc/loadavg), NaN if unreadable. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
