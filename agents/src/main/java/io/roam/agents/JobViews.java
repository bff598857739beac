package io.roam.agents;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.profiling.CommunicationGraph;
import io.roam.profiling.ProcessProfile;
import io.roam.protocol.AgentMessage.ProcessInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every job of the cluster as one picture: where each rank runs, the job's communication
 * graph rank to rank, and for each rank the bytes it exchanges with ranks on its own node
 * (C_local of the IOS gain) and on each other node (C_remote). Built from the nodes' status
 * answers, so it spans all agents. A rank's counters are those of its current process: a
 * replacement started after a migration counts from zero.
 */
public final class JobViews {
    private JobViews() {
    }

    /**
     * One job: its size (rank 0's: it follows resizes), its ranks and the edges of its communication graph (bytes sent, from to);
     * {@code stalled}: what its processes reported of a stalled reconfiguration (empty if none).
     */
    public record JobView(String jobId, int size, List<RankView> ranks, List<Edge> edges, List<String> stalled) {
    }

    /** One rank: where it runs, its progress, and its traffic by node. */
    public record RankView(int rank, String host, long pid, int moves, long iterations, double iterationMs,
                           long localBytes, Map<String, Long> bytesByNode) {
    }

    /** Messages and bytes rank {@code from} sent to rank {@code to}. */
    public record Edge(int from, int to, long messages, long bytes) {
    }

    /** The jobs seen in {@code nodes}, by job id. */
    public static List<JobView> of(List<NodeView> nodes) {
        Map<String, List<Placed>> byJob = new TreeMap<>();
        for (NodeView n : nodes) {
            for (ProcessInfo p : n.processes()) {
                ProcessProfile profile = n.profiles().stream().filter(f -> f.pid() == p.pid()
                        && f.jobId().equals(p.jobId()) && f.rank() == p.rank()).findFirst().orElse(null);
                byJob.computeIfAbsent(p.jobId(), j -> new ArrayList<>()).add(new Placed(n.node().host(), p, profile));
            }
        }
        List<JobView> jobs = new ArrayList<>();
        byJob.forEach((job, placed) -> jobs.add(view(job, placed)));
        return jobs;
    }

    private record Placed(String host, ProcessInfo process, ProcessProfile profile) {
    }

    private static JobView view(String job, List<Placed> placed) {
        CommunicationGraph graph = new CommunicationGraph();
        // rank 0's size is the job's: its agent orders the resizes and updates it at each one;
        // other ranks keep the size they registered with (libpcm tells the agents nothing else)
        int size = placed.stream().filter(p -> p.process().rank() == 0).mapToInt(p -> p.process().size()).findFirst()
                .orElse(0);
        boolean known = size > 0;
        for (Placed p : placed) {
            size = known ? size : Math.max(size, p.process().size());
            graph.placed(p.process().rank(), p.host());
            if (p.profile() != null) {
                Map<Integer, CommunicationGraph.Edge> sent = new TreeMap<>();
                p.profile().peers().forEach(t -> sent.put(t.rank(), new CommunicationGraph.Edge(t.messages(), t.bytes())));
                graph.report(p.process().rank(), p.process().moves(), sent);
            }
        }
        List<RankView> ranks = new ArrayList<>();
        for (Placed p : placed) {
            int r = p.process().rank();
            ProcessProfile f = p.profile();
            ranks.add(new RankView(r, p.host(), p.process().pid(), p.process().moves(), f == null ? 0 : f.iterations(),
                    f == null ? 0 : f.iterationNs() / 1e6, graph.localBytes(r), graph.bytesByNode(r)));
        }
        ranks.sort(Comparator.comparingInt(RankView::rank));
        List<Edge> edges = new ArrayList<>();
        for (int a : graph.ranks()) {
            for (int b : graph.ranks()) {
                CommunicationGraph.Edge e = graph.sent(a, b);
                if (a != b && e.messages() > 0) {
                    edges.add(new Edge(a, b, e.messages(), e.bytes()));
                }
            }
        }
        List<String> stalled = placed.stream().map(p -> p.process().stalled()).filter(s -> !s.isEmpty())
                .sorted().toList();
        return new JobView(job, size, ranks, edges, stalled);
    }
}
