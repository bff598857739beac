package io.roam.heat.auto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The main job (make demo): agents on namespace hosts that are CPU cgroups, the heat sample
 * under {@code roam run}, one host made slow without telling anyone, and the agents moving
 * its rank away by themselves. Prints what happens as it happens, checks the final grid
 * against a run without Roam, and writes a plot and a JSON summary. Runs inside the first
 * host's network namespace (scripts/auto-demo.sh sets the hosts up and removes them).
 *
 * <p>Arguments: --hosts-file F (lines "namespace address"), --prefix P, --repo DIR, --out DIR,
 * --ranks N, --rows R, --cols C, --iterations I, --slow-after S, --slow-cpu CORES,
 * --protocol rs|ats|nts, --strategy NAME, --tuning demo|default, --no-slowdown. With --demo grow it
 * runs the demo's second scenario instead ({@link GrowDemo}: a host joins, the job grows onto it);
 * with --scenario NAME one scenario of benchmarks/autonomy.sh ({@link ScenarioRun}, which lists its options).
 */
public final class AutoDemo {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> opt;
    private final Path out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final long t0 = System.nanoTime();

    private AutoDemo(Map<String, String> opt) {
        this.opt = opt;
        this.out = Path.of(opt.getOrDefault("out", "auto-demo"));
    }

    /** Shorter periods than reference.conf so that a demo of a minute or two shows a move. */
    static final List<String> DEMO_TUNING = List.of("--set", "roam.profiling.period=1s",
            "--set", "roam.stealing.period=1s", "--set", "roam.stealing.settle-time=5s",
            "--set", "roam.stealing.backoff-max=4s");

    /** Options without a value. */
    static final java.util.Set<String> FLAGS = java.util.Set.of("no-slowdown", "add-host");

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String key = args[i].substring(2);
            opt.put(key, FLAGS.contains(key) ? "true" : args[++i]);
        }
        String demo = opt.getOrDefault("demo", "slowdown");
        if (!demo.equals("slowdown") && !demo.equals("grow")) {
            throw new IllegalArgumentException("--demo " + demo + ": allowed slowdown (a host slows, its rank moves) "
                    + "or grow (a host joins, the job grows onto it)");
        }
        System.exit(opt.containsKey("scenario") ? new ScenarioRun(opt).run()
                : demo.equals("grow") ? new GrowDemo(opt).run() : new AutoDemo(opt).run());
    }

    private double now() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private void say(String fmt, Object... args) {
        System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", now(), String.format(Locale.ROOT, fmt, args));
        System.out.flush();
    }

    private int run() throws Exception {
        Files.createDirectories(out);
        Path repo = Path.of(opt.getOrDefault("repo", ".")).toAbsolutePath();
        List<String> addresses = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(opt.get("hosts-file")))) {
            if (!line.isBlank()) {
                addresses.add(line.trim().split("\\s+")[1]);
            }
        }
        int ranks = Integer.parseInt(opt.getOrDefault("ranks", "2"));
        String grid = out.resolve("grid.bin").toAbsolutePath().toString();
        Path bin = repo.resolve("samples/heat-diffusion/target/native");
        List<String> heatArgs = List.of("-r", opt.getOrDefault("rows", "2048"), "-c", opt.getOrDefault("cols", "2048"),
                "-i", opt.getOrDefault("iterations", "12000"));
        Timeline timeline = new Timeline();
        HostCpu hostCpu = new HostCpu(opt.get("prefix"), addresses.size());
        Map<Integer, String> atSlowdown = Map.of();
        ObjectNode result = JSON.createObjectNode();
        try (AgentCluster cluster = new AgentCluster(repo, opt.get("prefix"), addresses)) {
            String protocol = opt.getOrDefault("protocol", "nts");
            say("starting %d agents (work stealing %s, strategy %s) on hosts %s", addresses.size(), protocol,
                    opt.getOrDefault("strategy", "ios"), addresses);
            List<String> agentArgs = new ArrayList<>(List.of("--stealing", protocol, "--strategy",
                    opt.getOrDefault("strategy", "ios"), "--set", "roam.agent.slots=1"));
            String tuning = opt.getOrDefault("tuning", "demo");
            if (tuning.equals("demo")) {
                agentArgs.addAll(DEMO_TUNING);
            } else if (!tuning.equals("default")) {
                throw new IllegalArgumentException("--tuning " + tuning + ": allowed demo (faster periods) or default");
            }
            say("agent settings: %s tuning %s", tuning, tuning.equals("demo") ? DEMO_TUNING : "(reference.conf)");
            cluster.startAgents(out, agentArgs);
            cluster.awaitUp(addresses.size(), Duration.ofSeconds(180), out);
            say("cluster up: %d nodes, each limited to %s cores (a CPU cgroup per host)", addresses.size(),
                    opt.getOrDefault("cpu", "0.6"));

            List<String> args = new ArrayList<>(heatArgs);
            args.addAll(List.of("-o", grid));
            List<String> run = cluster.roamRun(opt.get("rsh-agent"), opt.get("subnet"), List.of(), List.of(),
                    ranks, bin.resolve("heat"), args);
            Process job = cluster.start(0, out.resolve("job.log"), run);
            say("job started: heat %s on %d ranks under roam run", String.join(" ", heatArgs), ranks);

            Watch watch = new Watch(this, timeline);
            Path statusLog = out.resolve("status.jsonl");   // every second's GET /api/status, for a post-mortem
            double slowAfter = Double.parseDouble(opt.getOrDefault("slow-after", "20"));
            boolean slow = !opt.containsKey("no-slowdown");
            Double firstSample = null;
            String throttled = null;
            while (job.isAlive()) {
                hostCpu.read(now());
                JsonNode status = cluster.get(cluster.api(0), "/api/status");
                if (status != null) {
                    Files.writeString(statusLog, String.format(Locale.ROOT, "{\"t\":%.3f,\"status\":%s}%n", now(), status),
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    watch.update(status, now());
                    if (firstSample == null && !timeline.samples.isEmpty()) {
                        firstSample = now();
                    }
                }
                if (slow && throttled == null && firstSample != null && now() - firstSample >= slowAfter
                        && watch.hostOfRank(0) != null) {
                    throttled = watch.hostOfRank(0);
                    atSlowdown = watch.placement();
                    cluster.cpu(addresses.indexOf(throttled), opt.getOrDefault("slow-cpu", "0.15"));
                    timeline.slowdownAt = now();
                    result.put("loadAtSlowdown", loadAverage());
                    say("SLOWDOWN: host %s (rank 0's) throttled to %s cores; no agent is told", throttled,
                            opt.getOrDefault("slow-cpu", "0.15"));
                }
                Thread.sleep(1000);
            }
            int exit = job.waitFor();
            result.put("loadAtEnd", loadAverage());
            say("job ended with exit code %d; the machine's load average (1 min) was %.2f at the slowdown and is "
                    + "%.2f now (nproc %d)", exit, result.path("loadAtSlowdown").asDouble(Double.NaN),
                    result.get("loadAtEnd").asDouble(), Runtime.getRuntime().availableProcessors());
            List<MoveEffects.Move> moves = MoveEffects.collect(http, cluster.api(0), Duration.ofSeconds(15));
            for (MoveEffects.Move m : moves) {
                say("MOVE: %s", m.describe());
            }
            result.set("moves", JSON.valueToTree(moves));
            result.put("exit", exit);
            result.put("throttledHost", throttled);
            result.set("finalPlacement", JSON.valueToTree(watch.placement()));
            summarise(timeline, result);
            delivered(timeline, result, hostCpu, hostsOf(atSlowdown, addresses), hostsOf(watch.placement(), addresses));
        }
        boolean exact = compare(bin, ranks, heatArgs, grid);
        result.put("bitExact", exact);
        timeline.writeSvg(out.resolve("iteration-time.svg"), "heat-diffusion under Roam: iteration time, slowdown ("
                + "red) and migrations (green)");
        result.set("migrations", JSON.valueToTree(timeline.migrations));
        Files.writeString(out.resolve("result.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        say("plot: %s, summary: %s", out.resolve("iteration-time.svg"), out.resolve("result.json"));
        String failed = Verdict.failure(result);
        result.put("verdict", failed == null ? "ok" : failed);
        Files.writeString(out.resolve("result.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        if (failed == null) {
            say("VERDICT: Roam did its job: %s%s", Verdict.achieved(result), movesSaid(result));
        } else {
            say("VERDICT: Roam did NOT do its job: %s%s", failed, movesSaid(result));
        }
        return failed == null ? 0 : 1;
    }

    /** The machine's load average over the last minute (/proc/loadavg), NaN where unreadable. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** "; moves as the agents measured them: rank 0 a -> b: 24.0 → 6.00 ms per iteration (0.25 x), gain". */
    private static String movesSaid(JsonNode r) {
        JsonNode moves = r.get("moves");
        if (moves == null || moves.isEmpty()) {
            return "; no move";
        }
        List<String> said = new ArrayList<>();
        moves.forEach(m -> said.add(String.format(Locale.ROOT, "rank %d %s -> %s: %s", m.get("rank").asInt(),
                m.get("source").asText(), m.get("target").asText(), m.get("effect").asText())));
        return "; " + moves.size() + " move(s) as the agents measured them: " + String.join("; ", said);
    }

    private boolean compare(Path bin, int ranks, List<String> heatArgs, String grid) throws Exception {
        return ReferenceGrid.matches(Path.of(opt.getOrDefault("repo", ".")).toAbsolutePath(), opt.get("prefix"), out,
                bin, ranks, heatArgs, Path.of(grid), s -> say("%s", s));
    }

    /** The hosts (0-based) of a placement (rank to host address). */
    private static java.util.Set<Integer> hostsOf(Map<Integer, String> placement, List<String> addresses) {
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        placement.values().forEach(h -> out.add(addresses.indexOf(h)));
        out.remove(-1);
        return out;
    }

    /** What the machine gave the job's hosts of their CPU quota before the slowdown and after rebalancing. */
    private void delivered(Timeline t, ObjectNode result, HostCpu cpu, java.util.Set<Integer> before,
                           java.util.Set<Integer> after) {
        if (t.slowdownAt == null || !result.has("afterWindow")) {
            return;
        }
        double b = cpu.delivered(before, t.slowdownAt - 15, t.slowdownAt);
        double a = cpu.delivered(after, result.get("afterWindow").asDouble(), Double.MAX_VALUE);
        result.put("deliveredBefore", b);
        result.put("deliveredAfter", a);
        say("CPU the machine gave the job's hosts, of their quota: %.0f %% before the slowdown, %.0f %% after "
                + "rebalancing (load average %.2f)", 100 * b, 100 * a, loadAverage());
    }

    private void summarise(Timeline t, ObjectNode result) {
        double end = t.samples.isEmpty() ? 0 : t.samples.get(t.samples.size() - 1).seconds();
        if (t.slowdownAt == null) {
            result.put("iterationMs", t.median(0, end + 1));
            result.set("phases", JSON.createObjectNode().set("all", JSON.valueToTree(t.phase(0, end + 1))));
            result.put("migrationsTotal", t.migrations.size());
            say("no slowdown: median iteration time %.2f ms, %d migrations", t.median(0, end + 1), t.migrations.size());
            return;
        }
        double before = t.median(t.slowdownAt - 15, t.slowdownAt);
        double firstMove = t.migrations.stream().mapToDouble(Timeline.Mark::seconds).filter(s -> s > t.slowdownAt)
                .min().orElse(Double.NaN);
        double lastMove = t.migrations.stream().mapToDouble(Timeline.Mark::seconds).max().orElse(Double.NaN);
        double during = t.median(t.slowdownAt + 2, Double.isNaN(firstMove) ? end + 1 : firstMove);
        double after = Double.isNaN(lastMove) ? Double.NaN : t.median(lastMove + 3, end + 1);
        result.put("beforeMs", before);
        result.put("duringMs", during);
        result.put("afterMs", after);
        if (!Double.isNaN(lastMove)) {
            result.put("afterWindow", lastMove + 3);
        }
        result.put("reactionSeconds", firstMove - t.slowdownAt);
        ObjectNode phases = JSON.createObjectNode();
        phases.set("before", JSON.valueToTree(t.phase(t.slowdownAt - 15, t.slowdownAt)));
        phases.set("during", JSON.valueToTree(t.phase(t.slowdownAt + 2, Double.isNaN(firstMove) ? end + 1 : firstMove)));
        phases.set("after", JSON.valueToTree(Double.isNaN(lastMove) ? t.phase(0, -1) : t.phase(lastMove + 3, end + 1)));
        result.set("phases", phases);
        result.put("migrationsBeforeSlowdown", t.migrations.stream().filter(m -> m.seconds() < t.slowdownAt).count());
        say("iteration time: before %.2f ms, slowed %.2f ms, after rebalancing %.2f ms (%.2f x before); "
                + "reaction %.1f s from slowdown to the first completed migration", before, during, after, after / before,
                firstMove - t.slowdownAt);
    }

    /** Follows the cluster's status: placements and migrations, iteration times, node loads. */
    static final class Watch {
        private final AutoDemo demo;
        private final Timeline timeline;
        private final Map<Integer, String> placement = new TreeMap<>();
        /** Per rank, the highest moves count seen: the process with fewer is the one that left. */
        private final Map<Integer, Integer> movesSeen = new java.util.HashMap<>();
        private double lastLoads = -10;

        Watch(AutoDemo demo, Timeline timeline) {
            this.demo = demo;
            this.timeline = timeline;
        }

        String hostOfRank(int r) {
            return placement.get(r);
        }

        Map<Integer, String> placement() {
            return Map.copyOf(placement);
        }

        void update(JsonNode status, double t) {
            double iterationMs = 0;
            long iteration = 0;
            StringBuilder loads = new StringBuilder();
            for (JsonNode n : status.get("nodes")) {
                String host = n.get("node").get("host").asText();
                JsonNode p = n.get("profile");
                if (p != null && !p.isNull()) {
                    loads.append(String.format(Locale.ROOT, " %s %.0f%%", host, 100 * p.get("available").asDouble()
                            / Math.max(1e-9, p.get("speedPerCore").asDouble() * p.get("cpuLimit").asDouble())));
                }
                for (JsonNode pp : n.get("profiles")) {
                    iterationMs = Math.max(iterationMs, pp.get("iterationNs").asLong() / 1e6);
                    iteration = Math.max(iteration, pp.get("iterations").asLong());
                }
                for (JsonNode pr : n.get("processes")) {
                    int rank = pr.get("rank").asInt();
                    int moves = pr.get("moves").asInt();
                    Integer seen = movesSeen.get(rank);
                    if (seen != null && moves < seen) {
                        continue;   // a departing process, still registered while its replacement runs
                    }
                    movesSeen.put(rank, moves);
                    String before = placement.put(rank, host);
                    if (before == null) {
                        demo.say("rank %d runs on %s (pid %d)", rank, host, pr.get("pid").asLong());
                    } else if (!before.equals(host)) {
                        demo.say("MIGRATION: rank %d moved %s -> %s by the agents (now pid %d, moves %d)", rank, before,
                                host, pr.get("pid").asLong(), pr.get("moves").asInt());
                        timeline.migrations.add(new Timeline.Mark(t, "rank " + rank + " -> " + host));
                    }
                }
            }
            timeline.sample(t, iterationMs, iteration);
            if (t - lastLoads >= 5) {
                lastLoads = t;
                demo.say("iteration %d, %.2f ms per iteration; available processing:%s", iteration, iterationMs, loads);
            }
        }
    }
}
