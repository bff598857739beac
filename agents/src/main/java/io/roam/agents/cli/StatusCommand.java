package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code roam status}: the cluster as any agent sees it. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print the cluster: nodes (address, cluster, manager, up since, reachability), their processes and "
                + "the links each node measured to its neighbours.")
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    AgentOption agent = new AgentOption();

    @Option(names = "--json", description = "Print the agent's JSON answer, for scripts.")
    boolean json;

    @Option(names = "--graph", description = "Also print each job's communication graph, rank to rank.")
    boolean graph;

    @Override
    public Integer call() throws Exception {
        var fetched = agent.status("status");
        if (fetched.isEmpty()) {
            return 1;
        }
        JsonNode status = fetched.get();
        if (json) {
            System.out.println(status.toPrettyString());
            return 0;
        }
        System.out.printf("%-22s %-12s %-8s %-9s %-8s %-20s %s%n", "NODE", "CLUSTER", "MANAGER", "REACHABLE",
                "DRAINED", "UP SINCE", "ADDRESS");
        for (JsonNode n : status.get("nodes")) {
            JsonNode node = n.get("node");
            long up = n.get("upSinceMillis").asLong();
            System.out.printf("%-22s %-12s %-8s %-9s %-8s %-20s %s%n", node.get("host").asText(),
                    node.get("cluster").asText(), n.get("manager").asBoolean() ? "yes" : "-",
                    n.get("reachable").asBoolean() ? "yes" : "NO", n.get("drained").asBoolean() ? "yes" : "-",
                    up == 0 ? "-" : Instant.ofEpochMilli(up)
                            .toString().substring(0, 19), node.get("address").asText());
        }
        System.out.printf("%n%-22s %-28s %5s %5s %8s %5s %10s %9s %9s%n", "NODE", "JOB", "RANK", "SIZE", "PID",
                "MOVES", "ITERATION", "CPU s", "SENT MB");
        java.util.Map<String, Integer> sizes = new java.util.HashMap<>();   // the job's size (rank 0's), not the rank's
        for (JsonNode job : status.get("jobs") == null ? List.<JsonNode>of() : status.get("jobs")) {
            sizes.put(job.get("jobId").asText(), job.get("size").asInt());
        }
        for (JsonNode n : status.get("nodes")) {
            for (JsonNode p : n.get("processes")) {
                JsonNode prof = profileOf(n, p.get("pid").asLong());
                System.out.printf("%-22s %-28s %5d %5d %8d %5d %10s %9s %9s%n", n.get("node").get("host").asText(),
                        p.get("jobId").asText(), p.get("rank").asInt(),
                        sizes.getOrDefault(p.get("jobId").asText(), p.get("size").asInt()), p.get("pid").asLong(),
                        p.get("moves").asInt(), prof == null ? "-" : prof.get("iterations").asText(),
                        prof == null || prof.get("cpuMillis").asLong() < 0 ? "-"
                                : String.format("%.1f", prof.get("cpuMillis").asLong() / 1000.0),
                        prof == null ? "-" : String.format("%.1f", bytes(prof) / 1e6));
            }
        }
        jobs(status.get("jobs"), graph);
        System.out.print(stalled(status.get("jobs")));
        migrations();
        links(status);
        return 0;
    }

    /** The newest migrations of the cluster (GET /api/migrations), if the agent serves them. */
    private void migrations() throws InterruptedException {
        JsonNode all;
        try {
            all = agent.client().migrations();
        } catch (java.io.IOException e) {
            return;   // an agent without the route: the rest of the status stands
        }
        if (all == null || all.isEmpty()) {
            return;
        }
        System.out.printf("%n%-28s %5s %-16s %-16s %-9s %-8s %9s %11s %9s  %s%n", "MIGRATION OF JOB", "RANK", "FROM",
                "TO", "PHASE", "STARTED", "TOTAL ms", "TRANSFER ms", "STATE MB", "EFFECT ON THE JOB");
        int shown = 0;
        for (JsonNode m : all) {
            if (shown++ == MAX_MIGRATIONS) {
                System.out.printf("(%d more: roam status --json, or GET /api/migrations)%n", all.size() - MAX_MIGRATIONS);
                break;
            }
            JsonNode ms = m.get("phaseMillis");
            System.out.printf("%-28s %5d %-16s %-16s %-9s %-8s %9s %11s %9s  %s%n", m.get("jobId").asText(),
                    m.get("rank").asInt(), m.get("source").asText(), m.get("target").asText(), m.get("phase").asText(),
                    java.time.LocalTime.ofInstant(Instant.ofEpochMilli(m.get("startedAtMillis").asLong()),
                            java.time.ZoneId.systemDefault()).withNano(0),
                    ms.has("total") ? String.format("%.1f", ms.get("total").asDouble()) : "-",
                    ms.has("transfer") ? String.format("%.1f", ms.get("transfer").asDouble()) : "-",
                    m.get("stateBytes").asLong() > 0 ? String.format("%.1f", m.get("stateBytes").asLong() / 1e6) : "-",
                    effect(m));
        }
    }

    private static final int MAX_MIGRATIONS = 10;

    /** What a move did to its job, once measured: "5.30 → 5.70 ms per iteration (1.08 x), no gain". */
    static String effect(JsonNode m) {
        JsonNode e = m.get("effect");
        if (e != null && !e.isNull()) {
            return e.get("text").asText();
        }
        return "DONE".equals(m.get("phase").asText()) ? "measuring" : "-";
    }

    /** Per rank of each job: its node and the bytes it exchanges with each node (C_local, C_remote). */
    private static void jobs(JsonNode jobs, boolean graph) {
        if (jobs == null || jobs.isEmpty()) {
            return;
        }
        for (JsonNode job : jobs) {
            System.out.printf("%nJOB %s: %d processes on %d node(s)%n", job.get("jobId").asText(),
                    job.get("size").asInt(), job.get("ranks").findValuesAsText("host").stream().distinct().count());
        }
        System.out.printf("%n%-28s %5s %-22s %10s  %s%n", "JOB", "RANK", "NODE", "LOCAL MB", "REMOTE MB BY NODE");
        for (JsonNode job : jobs) {
            for (JsonNode r : job.get("ranks")) {
                StringBuilder remote = new StringBuilder();
                r.get("bytesByNode").fields().forEachRemaining(e -> {
                    if (!e.getKey().equals(r.get("host").asText())) {
                        remote.append(String.format("%s %.1f  ", e.getKey(), e.getValue().asLong() / 1e6));
                    }
                });
                System.out.printf("%-28s %5d %-22s %10.1f  %s%n", job.get("jobId").asText(), r.get("rank").asInt(),
                        r.get("host").asText(), r.get("localBytes").asLong() / 1e6,
                        remote.length() == 0 ? "-" : remote.toString().trim());
            }
            if (graph) {
                for (JsonNode e : job.get("edges")) {
                    System.out.printf("  %s: rank %d -> rank %d  %d messages, %.1f MB%n", job.get("jobId").asText(),
                            e.get("from").asInt(), e.get("to").asInt(), e.get("messages").asLong(),
                            e.get("bytes").asLong() / 1e6);
                }
            }
        }
    }

    /**
     * Jobs whose reconfiguration stalled (libpcm ends them shortly after), each with what its
     * processes reported; empty if none.
     */
    public static String stalled(JsonNode jobs) {
        StringBuilder out = new StringBuilder();
        for (JsonNode job : jobs == null ? List.<JsonNode>of() : jobs) {
            JsonNode stalled = job.get("stalled");
            if (stalled != null && !stalled.isEmpty()) {
                out.append(String.format("%nJOB %s STALLED: its reconfiguration made no progress; libpcm ends the job%n",
                        job.get("jobId").asText()));
                stalled.forEach(d -> out.append("  ").append(d.asText()).append(System.lineSeparator()));
            }
        }
        return out.toString();
    }

    private static void links(JsonNode status) {
        System.out.printf("%n%-22s %-22s %10s %14s %8s%n", "NODE", "PEER", "RTT", "BANDWIDTH", "SAMPLES");
        for (JsonNode n : status.get("nodes")) {
            JsonNode network = n.get("network");
            if (network == null || network.isNull()) {
                continue;
            }
            for (JsonNode l : network.get("links")) {
                System.out.printf("%-22s %-22s %10s %14s %8d%n", n.get("node").get("host").asText(),
                        l.get("peerHost").asText(), NetworkText.rtt(l), NetworkText.bandwidth(l),
                        l.get("samples").asLong());
            }
        }
    }

    private static JsonNode profileOf(JsonNode node, long pid) {
        JsonNode profiles = node.get("profiles");
        if (profiles != null) {
            for (JsonNode p : profiles) {
                if (p.get("pid").asLong() == pid) {
                    return p;
                }
            }
        }
        return null;
    }

    private static long bytes(JsonNode profile) {
        long sum = 0;
        for (JsonNode peer : profile.get("peers")) {
            sum += peer.get("bytes").asLong();
        }
        return sum;
    }
}
