package io.roam.heat.auto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's second scenario (make demo SCENARIO=grow; scripts/auto-demo.sh --demo grow): the
 * three namespace hosts of the main demo, CPU cgroups of 0.6 cores each, but only hosts 1 and 2
 * have an agent at first (one slot each: full). The malleable C heat sample runs on 2 ranks under
 * {@code roam run}, its mpirun given all three hosts (host 3 is in its allocation, as a node of a
 * batch allocation whose agent was down). After a while host 3's agent joins; nobody tells the
 * agents anything else. The agent of rank 0 grows the job onto host 3 by itself once the gain
 * model (roam.agent.grow.gain) predicts a gain larger than the grow's cost. Work stealing is off:
 * the only way to use host 3 is to grow. The job then runs on, is stopped (heat's stop file),
 * and its final grid is compared with heat-nopcm's of as many iterations on 2 ranks, bit for
 * bit. Ends with a verdict ({@link GrowVerdict}) and writes a plot and result.json.
 *
 * <p>Options (besides --hosts-file, --prefix, --subnet, --rsh-agent, --repo, --out, --cpu):
 * --rows R, --cols C (4096 x 4096: an iteration spans several of the hosts' CPU periods), --join-after S (host 3's agent starts S seconds after the
 * job's first iteration-time sample, 20), --after S (the job runs S seconds after the grow, 30),
 * --grow-wait S (no grow within S seconds of the join: stop and fail, 180).
 */
final class GrowDemo {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DONE = Pattern.compile("heat: grid \\d+x\\d+ ranks (\\d+) iterations (\\d+) ");

    /**
     * The agents' settings: stealing off, one slot per host, growing on with the gain model
     * (reference.conf's rules) and periods short enough for a demo of two minutes.
     */
    static final List<String> AGENT_ARGS = List.of("--stealing", "off", "--set", "roam.agent.slots=1",
            "--set", "roam.profiling.period=1s", "--set", "roam.agent.grow.on-join=true",
            "--set", "roam.agent.grow.gain=true", "--set", "roam.agent.grow.settle=5s",
            "--set", "roam.agent.grow.interval=1s");

    private final Map<String, String> opt;
    private final Path out;
    private final long t0 = System.nanoTime();

    GrowDemo(Map<String, String> opt) {
        this.opt = opt;
        this.out = Path.of(opt.getOrDefault("out", "auto-demo-grow"));
    }

    private double now() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private void say(String fmt, Object... args) {
        System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", now(), String.format(Locale.ROOT, fmt, args));
        System.out.flush();
    }

    private double seconds(String key, double byDefault) {
        return Double.parseDouble(opt.getOrDefault(key, Double.toString(byDefault)));
    }

    int run() throws Exception {
        Files.createDirectories(out);
        Path repo = Path.of(opt.getOrDefault("repo", ".")).toAbsolutePath();
        List<String> addresses = Files.readAllLines(Path.of(opt.get("hosts-file"))).stream()
                .filter(l -> !l.isBlank()).map(l -> l.trim().split("\\s+")[1]).toList();
        if (addresses.size() != 3) {
            throw new IllegalArgumentException("the grow demo needs 3 hosts, got " + addresses);
        }
        String rows = opt.getOrDefault("rows", "4096");
        String cols = opt.getOrDefault("cols", "4096");
        double joinAfter = seconds("join-after", 20);
        double after = seconds("after", 30);
        double growWait = seconds("grow-wait", 180);
        Path stop = out.resolve("stop");
        Path grid = out.resolve("grid.bin").toAbsolutePath();
        Path bin = repo.resolve("samples/heat-diffusion/target/native");
        Timeline timeline = new Timeline();
        timeline.slowdownLabel = "host 3 joins";
        HostCpu cpu = new HostCpu(opt.get("prefix"), 3);
        ObjectNode result = JSON.createObjectNode().put("scenario", "grow");
        JobSamples job = null;
        Double firstSample = null;
        Double joinAt = null;
        Double growAt = null;
        Double stopAt = null;
        int sizeBefore = 0;
        int size = 0;
        int exit;
        try (AgentCluster cluster = new AgentCluster(repo, opt.get("prefix"), addresses)) {
            say("starting the agents of hosts 1 and 2 (one slot each, work stealing off, growing on with the gain "
                    + "model): %s", String.join(" ", AGENT_ARGS));
            cluster.startAgent(0, out, AGENT_ARGS);
            cluster.startAgent(1, out, AGENT_ARGS);
            cluster.awaitUp(2, Duration.ofSeconds(180), out);
            say("cluster up: 2 nodes, each limited to %s cores (a CPU cgroup per host); host 3 (%s) has no agent yet",
                    opt.getOrDefault("cpu", "0.6"), addresses.get(2));
            String allocation = addresses.get(0) + ":1," + addresses.get(1) + ":1," + addresses.get(2) + ":1";
            List<String> heat = List.of("-r", rows, "-c", cols, "-i", "1000000000", "-s", stop.toAbsolutePath()
                    .toString(), "-o", grid.toString());
            Process mpi = cluster.start(0, out.resolve("job.log"), cluster.roamRun(opt.get("rsh-agent"),
                    opt.get("subnet"), List.of(), List.of("--host", allocation), 2, bin.resolve("heat"), heat));
            say("job started: heat -r %s -c %s on 2 ranks under roam run, mpirun --host %s (host 3 in its allocation)",
                    rows, cols, allocation);
            double lastSaid = -10;
            while (mpi.isAlive()) {
                double t = now();
                cpu.read(t);
                JsonNode jobs = cluster.get(cluster.api(0), "/api/jobs");
                if (jobs != null && job == null && jobs.size() > 0) {
                    job = new JobSamples("heat", jobs.get(0).get("jobId").asText());
                    say("job %s registered", job.jobId);
                }
                JsonNode j = jobs == null || job == null ? null : JobSamples.find(jobs, job.jobId);
                if (j != null) {
                    job.update(j, t).forEach(c -> say("MIGRATION: %s (none expected: stealing is off)", c));
                    if (!job.samples.isEmpty()) {
                        JobSamples.Sample s = job.samples.get(job.samples.size() - 1);
                        timeline.sample(s.seconds(), s.iterationMs(), s.iteration());
                        firstSample = firstSample == null ? t : firstSample;
                    }
                    int current = j.get("size").asInt();
                    if (current != size) {
                        say("job size %d, ranks on %s", current, job.placement());
                        if (size > 0 && current > size && growAt == null) {
                            growAt = t;
                            sizeBefore = size;
                            timeline.migrations.add(new Timeline.Mark(t, "grew " + size + " -> " + current));
                            say("GROW: the agents grew the job %d -> %d processes %s", size, current, joinAt == null
                                    ? "BEFORE host 3 joined" : String.format(Locale.ROOT, "%.1f s after host 3 joined",
                                    t - joinAt));
                        }
                        size = current;
                    }
                    if (t - lastSaid >= 5 && !job.samples.isEmpty()) {
                        lastSaid = t;
                        JobSamples.Sample s = job.samples.get(job.samples.size() - 1);
                        say("iteration %d, %.2f ms per iteration, %d ranks", s.iteration(), s.iterationMs(), size);
                    }
                }
                if (joinAt == null && firstSample != null && t - firstSample >= joinAfter) {
                    cluster.startAgent(2, out, AGENT_ARGS);
                    joinAt = t;
                    timeline.slowdownAt = t;
                    say("JOIN: host 3's agent starts and joins the cluster with one free slot; no agent is told more");
                }
                boolean grownLongEnough = growAt != null && t - growAt >= after;
                boolean waitedInVain = joinAt != null && growAt == null && t - joinAt >= growWait;
                if (stopAt == null && (grownLongEnough || waitedInVain)) {
                    Files.writeString(stop, "");
                    stopAt = t;
                    say("stopping the job (heat's stop file)%s", waitedInVain ? String.format(Locale.ROOT,
                            ": it did not grow within %.0f s of the join", growWait) : "");
                }
                if (stopAt != null && t - stopAt > 120) {
                    say("the job did not stop within 120 s of its stop file; ending it");
                    break;
                }
                Thread.sleep(Math.max(0, 1000 - Math.round((now() - t) * 1000)));
            }
            exit = mpi.isAlive() ? -1 : mpi.exitValue();
            say("job ended with exit code %d; load average (1 min) %.2f", exit, AutoDemo.loadAverage());
        }
        String log = Files.readString(out.resolve("job.log"));
        Matcher m = DONE.matcher(log);
        long iterations = m.find() ? Long.parseLong(m.group(2)) : -1;
        result.put("exit", exit).put("iterations", iterations).put("sizeBefore", sizeBefore == 0 ? size : sizeBefore)
                .put("sizeAfter", size).put("joined", joinAt != null).put("grew", growAt != null);
        result.put("ranksAtEnd", m.find(0) ? Integer.parseInt(m.group(1)) : -1);
        result.set("finalPlacement", JSON.valueToTree(job == null ? Map.of() : job.placement()));
        result.put("joiningHost", addresses.get(2));
        if (joinAt != null && growAt != null) {
            result.put("growSeconds", growAt - joinAt);
        }
        result.put("prediction", prediction());
        summarise(timeline, result, cpu, joinAt, growAt, stopAt);
        boolean exact = iterations > 0 && ReferenceGrid.matches(repo, opt.get("prefix"), out, bin, 2,
                List.of("-r", rows, "-c", cols, "-i", Long.toString(iterations)), grid, s -> say("%s", s));
        result.put("bitExact", exact);
        timeline.writeSvg(out.resolve("iteration-time.svg"), "heat-diffusion under Roam: iteration time, host 3 "
                + "joining (red) and the grow (green)");
        String failed = GrowVerdict.failure(result);
        result.put("verdict", failed == null ? "ok" : failed);
        Files.writeString(out.resolve("result.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        say("plot: %s, summary: %s", out.resolve("iteration-time.svg"), out.resolve("result.json"));
        if (failed == null) {
            say("VERDICT: Roam did its job: %s", GrowVerdict.achieved(result));
        } else {
            say("VERDICT: Roam did NOT do its job: %s", failed);
        }
        return failed == null ? 0 : 1;
    }

    /** What rank 0's agent predicted when it ordered the grow (its log line), or "". */
    private String prediction() throws java.io.IOException {
        Path log = out.resolve("agent-1.log");
        if (!Files.exists(log)) {
            return "";
        }
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf("growing job ");
            if (at >= 0) {
                return line.substring(at);
            }
        }
        return "";
    }

    /**
     * Iteration time before the join (the 15 s up to it) and after the grow (from 5 s after it
     * to the stop), and the CPU the machine gave the job's hosts in each window.
     */
    private void summarise(Timeline t, ObjectNode result, HostCpu cpu, Double joinAt, Double growAt,
                           Double stopAt) {
        if (joinAt == null) {
            return;
        }
        double before = t.median(joinAt - 15, joinAt);
        result.put("beforeMs", before);
        result.set("phases", JSON.createObjectNode().set("before", JSON.valueToTree(t.phase(joinAt - 15, joinAt))));
        double b = cpu.delivered(Set.of(0, 1), joinAt - 15, joinAt);
        result.put("deliveredBefore", b);
        if (growAt == null) {
            say("iteration time before host 3 joined %.2f ms; the job did not grow", before);
            return;
        }
        double end = stopAt == null ? Double.MAX_VALUE : stopAt;
        double afterMs = t.median(growAt + 5, end);
        result.put("afterMs", afterMs);
        ((ObjectNode) result.get("phases")).set("after", JSON.valueToTree(t.phase(growAt + 5, end)));
        double a = cpu.delivered(Set.of(0, 1, 2), growAt + 5, end);
        result.put("deliveredAfter", a);
        say("iteration time: %.2f ms on 2 ranks before host 3 joined, %.2f ms on %d after the grow (%.2f x); CPU the "
                + "machine gave the job's hosts of their quota: %.0f %% before, %.0f %% after", before, afterMs,
                result.get("sizeAfter").asInt(), afterMs / before, 100 * b, 100 * a);
    }
}
