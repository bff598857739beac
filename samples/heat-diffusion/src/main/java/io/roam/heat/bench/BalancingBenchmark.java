package io.roam.heat.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The balancing benchmark: scripts/auto-demo.sh at the agents' default settings, for
 * each decision strategy and each work-stealing protocol, plus per strategy a run on the same
 * cluster that is never throttled (the ideal, and the check that a balanced cluster sees no
 * migration). Reads each run's result.json and writes benchmarks/results/balancing.md.
 *
 * <p>Arguments: OUT.md [ITERATIONS (20000)] [SLOW_AFTER seconds (30)] [STRATEGIES (ios,cost-aware)]
 * [PROTOCOLS (rs,ats,nts)].
 */
public final class BalancingBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(String strategy, String protocol, boolean slowdown, JsonNode result, Path dir) {
        double ms(String phase) {
            JsonNode p = result.path("phases").path(phase);
            return p.path("medianMs").asDouble(Double.NaN);
        }

        String range(String phase) {
            JsonNode p = result.path("phases").path(phase);
            if (p.isMissingNode() || p.path("samples").asInt() == 0) {
                return "-";
            }
            return String.format(Locale.ROOT, "%.2f (%.2f to %.2f, %d)", p.path("medianMs").asDouble(),
                    p.path("minMs").asDouble(), p.path("maxMs").asDouble(), p.path("samples").asInt());
        }

        long migrations() {
            return result.path("migrations").size();
        }
    }

    public static void main(String[] args) throws Exception {
        Path report = Path.of(args.length > 0 ? args[0] : "benchmarks/results/balancing.md");
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        int slowAfter = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        List<String> strategies = List.of((args.length > 3 ? args[3] : "ios,cost-aware").split(","));
        List<String> protocols = List.of((args.length > 4 ? args[4] : "rs,ats,nts").split(","));
        Machine machine = Machine.probe();
        String from = System.getProperty("roam.balancing.from");   // rewrite the report from earlier runs
        Path work = from != null ? Path.of(from) : Files.createTempDirectory("roam-balancing");
        List<String> common = List.of("--rows", "2048", "--cols", "2048", "--iterations", Integer.toString(iterations),
                "--tuning", "default");
        List<Run> runs = new ArrayList<>();
        for (String strategy : strategies) {
            runs.add(run(work, strategy, "nts", false, common, slowAfter));
            for (String protocol : protocols) {
                runs.add(run(work, strategy, protocol, true, common, slowAfter));
            }
        }
        String reproduce = "benchmarks/balancing.sh " + iterations + " " + slowAfter + " " + String.join(",", strategies)
                + " " + String.join(",", protocols);
        Files.writeString(report, new BalancingReport(machine, reproduce, iterations, slowAfter, runs).markdown());
        System.out.println("wrote " + report + " (runs under " + work + ")");
    }

    private static Run run(Path work, String strategy, String protocol, boolean slowdown, List<String> common,
                           int slowAfter) throws IOException, InterruptedException {
        String name = strategy + "-" + protocol + (slowdown ? "" : "-ideal");
        Path dir = work.resolve(name);
        if (System.getProperty("roam.balancing.from") != null) {
            return new Run(strategy, protocol, slowdown, JSON.readTree(dir.resolve("result.json").toFile()), dir);
        }
        List<String> cmd = new ArrayList<>(List.of("bash", "scripts/auto-demo.sh", "--strategy", strategy,
                "--protocol", protocol));
        cmd.addAll(common);
        cmd.addAll(slowdown ? List.of("--slow-after", Integer.toString(slowAfter)) : List.of("--no-slowdown"));
        System.out.println("== " + name + ": " + String.join(" ", cmd));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("ROAM_DEMO_OUT", dir.toString());
        int exit = pb.start().waitFor();
        Path result = dir.resolve("result.json");
        JsonNode json = Files.exists(result) ? JSON.readTree(result.toFile()) : JSON.createObjectNode().put("exit", exit);
        return new Run(strategy, protocol, slowdown, json, dir);
    }
}
