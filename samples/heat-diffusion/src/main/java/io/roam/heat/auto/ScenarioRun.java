package io.roam.heat.auto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.roam.heat.ProcessTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run of one scenario of benchmarks/autonomy.sh (scripts/auto-demo.sh --scenario NAME):
 * the demo's cluster (agents on namespace hosts that are CPU cgroups, demo tuning), the heat
 * job under {@code roam run}, and the scenario's {@link Schedule} of throttles, busy loops and
 * a late agent, for a fixed time; then each job's progress over time and every migration
 * (GET /api/migrations) go to result.json. The benchmark judges the runs (AutonomyMetrics).
 *
 * <p>Options besides the demo's (--hosts-file, --prefix, --subnet, --rsh-agent, --repo, --out,
 * --cpu, --ranks, --rows, --cols, --protocol, --strategy, --tuning, --slow-cpu):
 * --stealing on|off; --duration S (from the job's first iteration-time sample; then the jobs are
 * stopped); --slots N (roam run --slots); --place 2,3 or 1:2,2:1 (the job's ranks on these hosts,
 * 1-based, with slots after a colon, through mpirun --host: a fixed placement or allocation); --add-host (libpcm spawns with Open MPI's add-host
 * key: for a target outside the job's hostfile); --mpirun "ARGS" (more mpirun arguments); --second-job RANKS:ROWS:COLS (a second heat
 * job, started once the first is registered), --second-place H; and the schedule's options
 * (--throttle, --throttle-at, --restore-at, --flap, --hogs, --hog-every, --join, --join-at).
 */
final class ScenarioRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, String> opt;
    private final Path out;
    private final long t0 = System.nanoTime();
    private final List<Process> hogs = new ArrayList<>();

    ScenarioRun(Map<String, String> opt) {
        this.opt = opt;
        this.out = Path.of(opt.getOrDefault("out", "scenario"));
    }

    private double now() {
        return (System.nanoTime() - t0) / 1e9;
    }

    private void say(String fmt, Object... args) {
        System.out.printf(Locale.ROOT, "[%6.1f s] %s%n", now(), String.format(Locale.ROOT, fmt, args));
        System.out.flush();
    }

    int run() throws Exception {
        Files.createDirectories(out);
        Path repo = Path.of(opt.getOrDefault("repo", ".")).toAbsolutePath();
        List<String> addresses = Files.readAllLines(Path.of(opt.get("hosts-file"))).stream()
                .filter(l -> !l.isBlank()).map(l -> l.trim().split("\\s+")[1]).toList();
        double duration = Double.parseDouble(opt.getOrDefault("duration", "60"));
        Schedule schedule = Schedule.of(opt, addresses.size(), duration);
        List<String> agentArgs = agentArgs();
        ObjectNode result = JSON.createObjectNode();
        result.put("scenario", opt.get("scenario"));
        result.set("options", JSON.valueToTree(opt));
        List<JobSamples> jobs = new ArrayList<>();
        double zero = Double.NaN;
        long zeroEpochMillis = 0;
        ArrayNode events = JSON.createArrayNode();
        try (AgentCluster cluster = new AgentCluster(repo, opt.get("prefix"), addresses)) {
            int joining = schedule.joining();
            say("scenario %s: agents %s on %s, events %s", opt.get("scenario"), agentArgs, addresses, schedule.all());
            for (int i = 0; i < addresses.size(); i++) {
                if (i != joining) {
                    cluster.startAgent(i, out, agentArgs);
                }
            }
            cluster.awaitUp(addresses.size() - (joining >= 0 ? 1 : 0), Duration.ofSeconds(180), out);
            say("cluster up");
            Process jobA = cluster.start(0, out.resolve("job-A.log"), job(cluster, Integer.parseInt(
                    opt.getOrDefault("ranks", "2")), opt.getOrDefault("rows", "2048"), opt.getOrDefault("cols", "2048"),
                    opt.get("place"), opt.get("slots")));
            String[] second = opt.containsKey("second-job") ? opt.get("second-job").split(":") : null;
            Process jobB = null;
            while (jobA.isAlive()) {
                JsonNode listed = cluster.get(cluster.api(0), "/api/jobs");
                double t = now();
                if (listed != null) {
                    for (JsonNode j : listed) {
                        String id = j.get("jobId").asText();
                        if (jobs.stream().noneMatch(s -> s.jobId.equals(id))) {
                            jobs.add(new JobSamples(jobs.isEmpty() ? "A" : "B", id));
                            say("job %s registered: %s", jobs.get(jobs.size() - 1).name, id);
                        }
                    }
                    for (JobSamples s : jobs) {
                        JsonNode j = JobSamples.find(listed, s.jobId);
                        if (j != null) {
                            s.update(j, t).forEach(c -> say("MIGRATION of job %s: %s", s.name, c));
                        }
                    }
                }
                if (second != null && jobB == null && !jobs.isEmpty()) {
                    jobB = cluster.start(0, out.resolve("job-B.log"), job(cluster, Integer.parseInt(second[0]),
                            second[1], second[2], opt.get("second-place"), null));
                    say("second job started");
                }
                if (Double.isNaN(zero) && !jobs.isEmpty() && !jobs.get(0).samples.isEmpty()) {
                    zero = jobs.get(0).samples.get(0).seconds();
                    zeroEpochMillis = System.currentTimeMillis() - Math.round((t - zero) * 1000);
                    say("time zero: job A's first iteration-time sample");
                }
                if (!Double.isNaN(zero)) {
                    for (Schedule.Event e : schedule.due(t - zero)) {
                        act(cluster, e, agentArgs);
                        events.add(JSON.createObjectNode().put("t", now() - zero).put("kind", e.kind().name())
                                .put("host", addresses.get(e.host())).put("what", e.describe(slowCpu(), cpu())));
                    }
                    if (t - zero >= duration) {
                        break;
                    }
                } else if (t > 180) {
                    throw new IllegalStateException("no iteration-time sample of the job within 180 s; see " + out);
                }
                Thread.sleep(Math.max(0, 1000 - Math.round((now() - t) * 1000)));
            }
            result.put("jobAEndedEarly", !jobA.isAlive());
            JsonNode migrations = cluster.get(cluster.api(0), "/api/migrations");
            result.set("migrations", migrations == null ? JSON.createArrayNode() : migrations);
            say("%d migration record(s); stopping the jobs and the agents", result.get("migrations").size());
            hogs.forEach(ProcessTrees::kill);
            ProcessTrees.stop(jobA, Duration.ofSeconds(5));
            ProcessTrees.stop(jobB, Duration.ofSeconds(5));
        }
        if (Double.isNaN(zero)) {
            zero = 0;   // no sample: the run failed; its samples (none) stay as they are
        }
        result.put("zeroEpochMillis", zeroEpochMillis);
        result.put("duration", duration);
        result.set("events", events);
        ArrayNode js = result.putArray("jobs");
        for (JobSamples s : jobs) {
            ObjectNode j = js.addObject().put("name", s.name).put("jobId", s.jobId);
            j.set("initialPlacement", JSON.valueToTree(s.initialPlacement()));
            j.set("finalPlacement", JSON.valueToTree(s.placement()));
            ArrayNode samples = j.putArray("samples");
            for (JobSamples.Sample x : s.samples) {
                samples.addArray().add(x.seconds() - zero).add(x.iteration()).add(x.iterationMs());
            }
        }
        Files.writeString(out.resolve("result.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        say("wrote %s", out.resolve("result.json"));
        return Double.isNaN(zero) ? 1 : 0;
    }

    private String cpu() {
        return opt.getOrDefault("cpu", "0.6");
    }

    private String slowCpu() {
        return opt.getOrDefault("slow-cpu", "0.15");
    }

    /** The demo's agent settings, with stealing on (--protocol, default nts) or off. */
    private List<String> agentArgs() {
        String stealing = opt.getOrDefault("stealing", "on");
        List<String> args = new ArrayList<>(List.of("--stealing", stealing.equals("off") ? "off"
                : opt.getOrDefault("protocol", "nts"), "--strategy", opt.getOrDefault("strategy", "ios"),
                "--set", "roam.agent.slots=1"));
        if (opt.getOrDefault("tuning", "demo").equals("demo")) {
            args.addAll(AutoDemo.DEMO_TUNING);
        }
        return args;
    }

    /**
     * roam run of a heat job; {@code place} "2,3" pins its ranks to those hosts (1-based), "1:2,3:1"
     * gives the hosts slots (mpirun --host after roam run's hostfile adds a host the agents do
     * not list yet to the job's allocation).
     */
    private List<String> job(AgentCluster cluster, int ranks, String rows, String cols, String place,
                             String slots) {
        List<String> mpirun = new ArrayList<>();
        if (place != null) {
            mpirun.addAll(List.of("--host", String.join(",", Arrays.stream(place.split(",")).map(h -> {
                String[] hs = h.trim().split(":");   // host index, and slots after a colon
                return cluster.addresses.get(Integer.parseInt(hs[0]) - 1) + (hs.length > 1 ? ":" + hs[1] : "");
            }).toList())));
        }
        if (opt.containsKey("mpirun")) {
            mpirun.addAll(List.of(opt.get("mpirun").trim().split("\\s+")));
        }
        List<String> cmd = new ArrayList<>();
        if (opt.containsKey("add-host")) {
            cmd.addAll(List.of("env", "ROAM_PCM_ADD_HOST=1"));
            mpirun.addAll(List.of("-x", "ROAM_PCM_ADD_HOST"));
        }
        cmd.addAll(cluster.roamRun(opt.get("rsh-agent"), opt.get("subnet"),
                slots == null ? List.of() : List.of("--slots", slots), mpirun, ranks,
                cluster.repo().resolve("samples/heat-diffusion/target/native/heat"),
                List.of("-r", rows, "-c", cols, "-i", opt.getOrDefault("iterations", "1000000"))));
        say("job: %s", String.join(" ", cmd));
        return cmd;
    }

    private void act(AgentCluster cluster, Schedule.Event e, List<String> agentArgs) throws Exception {
        say("EVENT: %s", e.describe(slowCpu(), cpu()));
        switch (e.kind()) {
            case THROTTLE -> cluster.cpu(e.host(), slowCpu());
            case RESTORE -> cluster.cpu(e.host(), cpu());
            case JOIN -> cluster.startAgent(e.host(), out, agentArgs);
            case HOG -> {
                List<String> cmd = new ArrayList<>(cluster.on(e.host()));
                cmd.addAll(List.of("timeout", String.format(Locale.ROOT, "%.1f", e.seconds()), "sh", "-c",
                        "while :; do :; done"));
                hogs.add(new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
        }
    }
}
