package io.roam.agents;

import io.roam.protocol.NodeHistory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The cluster's history as {@code GET /api/history} and the web view show it, from what every
 * agent kept ({@link NodeHistory}): for each node its available processing over time; for
 * each job its iteration time over time (at each step, the mean over the nodes that ran ranks
 * of it then) and its moves, oldest first. Points are {@code [millis, value]}; steps without a
 * sample are left out.
 */
public final class HistoryViews {
    private HistoryViews() {
    }

    /** The whole answer: the step of the points, and the nodes and jobs by name. */
    public record ClusterHistory(long stepMillis, long atMillis, List<NodeSeries> nodes, List<JobHistory> jobs) {
    }

    /** One node's available processing, updates per second. */
    public record NodeSeries(String host, List<double[]> available) {
    }

    /** One job: its iteration time in milliseconds, the moves of its ranks, and its resizes (its size over time). */
    public record JobHistory(String jobId, List<double[]> iterationMs, List<NodeHistory.Move> moves,
                             List<NodeHistory.Resize> resizes) {
    }

    public static ClusterHistory of(List<NodeHistory> histories, long nowMillis) {
        long step = histories.stream().mapToLong(NodeHistory::stepMillis).max().orElse(0);
        List<NodeSeries> nodes = new ArrayList<>();
        Map<String, TreeMap<Long, double[]>> sums = new TreeMap<>();   // job -> step start -> {sum, count}
        Map<String, List<NodeHistory.Move>> moves = new TreeMap<>();
        Map<String, List<NodeHistory.Resize>> resizes = new TreeMap<>();
        for (NodeHistory h : histories) {
            nodes.add(new NodeSeries(h.host(), points(h.available(), h.stepMillis())));
            for (NodeHistory.JobSeries j : h.jobs()) {
                TreeMap<Long, double[]> bySteps = sums.computeIfAbsent(j.jobId(), k -> new TreeMap<>());
                for (double[] p : points(j.iterationMs(), h.stepMillis())) {
                    double[] s = bySteps.computeIfAbsent((long) p[0], k -> new double[2]);
                    s[0] += p[1];
                    s[1]++;
                }
            }
            for (NodeHistory.Move m : h.moves()) {
                moves.computeIfAbsent(m.jobId(), k -> new ArrayList<>()).add(m);
            }
            for (NodeHistory.Resize r : h.resizes()) {
                resizes.computeIfAbsent(r.jobId(), k -> new ArrayList<>()).add(r);
            }
        }
        nodes.sort(Comparator.comparing(NodeSeries::host));
        List<JobHistory> jobs = new ArrayList<>();
        java.util.Set<String> ids = new java.util.TreeSet<>(sums.keySet());
        ids.addAll(moves.keySet());
        ids.addAll(resizes.keySet());
        for (String job : ids) {
            List<double[]> points = new ArrayList<>();
            sums.getOrDefault(job, new TreeMap<>()).forEach((t, s) -> points.add(new double[]{t, s[0] / s[1]}));
            List<NodeHistory.Move> ms = new ArrayList<>(moves.getOrDefault(job, List.of()));
            ms.sort(Comparator.comparingLong(NodeHistory.Move::atMillis));
            List<NodeHistory.Resize> rs = new ArrayList<>(resizes.getOrDefault(job, List.of()));
            rs.sort(Comparator.comparingLong(NodeHistory.Resize::atMillis));
            jobs.add(new JobHistory(job, points, ms, rs));
        }
        return new ClusterHistory(step, nowMillis, nodes, jobs);
    }

    /** The points of a series that have a sample. */
    static List<double[]> points(NodeHistory.Series s, long stepMillis) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            float v = s.value(i);
            if (!Float.isNaN(v)) {
                out.add(new double[]{s.firstMillis() + (long) i * stepMillis, v});
            }
        }
        return out;
    }
}
