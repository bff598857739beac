package io.roam.agents;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.protocol.AgentMessage.ProcessInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * When a drain lacks free slots for its node's ranks ({@link DrainPlanner} refuses), the
 * shrinks that make room instead of oversubscribing (roam.agent.drain.shrink-malleable): each
 * malleable job with a rank on the drained node gives up processes, one at a time in turn
 * among the jobs, until the node's remaining ranks fit in the free slots of the nodes that
 * may take them. A shrink ends a job's highest ranks wherever they run (libpcm: rank 0 never
 * leaves, the survivors keep their numbers), so each removal is counted where it happens: a
 * rank on the drained node no longer needs a slot, a rank on a target node frees one there
 * (if that node is not oversubscribed), a rank elsewhere helps nothing. A job whose next
 * leaving rank helps is taken first; only when none helps does a job give up a rank that does
 * not (to reach ranks below it that do). No job goes below one process. If even that does not
 * make room, the plan is a refusal. Plain class: no actors.
 */
final class DrainShrinkPlanner {
    /** Shrink job {@code jobId}, whose rank 0 runs on {@code rank0}, from {@code oldSize} to {@code newSize}. */
    record Shrink(String jobId, NodeView rank0, int oldSize, int newSize) {
        String describe() {
            return "job " + jobId + " " + oldSize + " -> " + newSize + " processes";
        }
    }

    /** The shrinks (empty: none needed), or why they cannot make room. */
    record Plan(List<Shrink> shrinks, String refusal) {
        boolean refused() {
            return refusal != null;
        }
    }

    private DrainShrinkPlanner() {
    }

    /**
     * The shrinks that let {@code node} be drained onto {@code onto} (every other node that may
     * take work if empty), from the cluster's status {@code all}.
     */
    static Plan plan(NodeView node, List<NodeView> all, List<NodeView> onto) {
        String self = node.node().address();
        Map<String, NodeView> targets = new LinkedHashMap<>();
        for (NodeView n : onto.isEmpty() ? all : onto) {
            if (!n.node().address().equals(self) && n.reachable() && n.profile() != null && !n.drained()) {
                targets.put(n.node().address(), n);
            }
        }
        Map<String, Integer> used = new HashMap<>();
        targets.values().forEach(t -> used.put(t.node().address(), t.processes().size()));
        int need = node.processes().size();
        if (need - room(targets, used) <= 0) {
            return new Plan(List.of(), null);
        }
        // the malleable jobs with a rank on the node, by job id; their size is rank 0's
        List<String> jobs = new ArrayList<>();
        Map<String, NodeView> rank0 = new HashMap<>();
        Map<String, Integer> size = new HashMap<>();
        List<String> skipped = new ArrayList<>();
        for (String job : new TreeSet<>(node.processes().stream().map(ProcessInfo::jobId).toList())) {
            Optional<NodeView> holder = holder(all, job, 0);
            Optional<ProcessInfo> r0 = holder.flatMap(h -> process(h, job, 0));
            if (r0.isEmpty()) {
                skipped.add("job " + job + " (its rank 0 is not registered with a reachable agent)");
            } else if (!r0.get().malleable()) {
                skipped.add("job " + job + " (not malleable: its program calls no PCM_Malleable)");
            } else {
                jobs.add(job);
                rank0.put(job, holder.get());
                size.put(job, r0.get().size());
            }
        }
        Map<String, Integer> newSize = new HashMap<>(size);
        int deficit = need - room(targets, used);
        int turn = 0;
        while (deficit > 0) {
            // the next job in turn whose leaving rank helps; else the next that can shrink at all
            String pick = null;
            for (boolean helpfulOnly : new boolean[] {true, false}) {
                for (int i = 0; i < jobs.size() && pick == null; i++) {
                    String job = jobs.get((turn + i) % jobs.size());
                    int n = newSize.get(job);
                    if (n > 1 && (!helpfulOnly || helps(all, job, n - 1, self, targets, used))) {
                        pick = job;
                        turn = (turn + i + 1) % jobs.size();
                    }
                }
                if (pick != null) {
                    break;
                }
            }
            if (pick == null) {
                break;
            }
            int leaving = newSize.get(pick) - 1;
            newSize.put(pick, leaving);
            String where = holder(all, pick, leaving).map(h -> h.node().address()).orElse(null);
            if (self.equals(where)) {
                need--;
            } else if (where != null && used.containsKey(where)) {
                used.merge(where, -1, Integer::sum);
            }
            deficit = need - room(targets, used);
        }
        if (deficit > 0) {
            return new Plan(List.of(), "shrinking " + (jobs.isEmpty() ? "no job" : "the malleable jobs "
                    + jobs + " to one process each") + " would still leave " + deficit + " rank(s) without a slot"
                    + (skipped.isEmpty() ? "" : "; not shrunk: " + String.join(", ", skipped)));
        }
        List<Shrink> shrinks = new ArrayList<>();
        for (String job : jobs) {
            if (newSize.get(job) < size.get(job)) {
                shrinks.add(new Shrink(job, rank0.get(job), size.get(job), newSize.get(job)));
            }
        }
        return new Plan(shrinks, null);
    }

    /** Whether ending (job, rank) makes room: it runs on the drained node, or on a full-but-not-over target. */
    private static boolean helps(List<NodeView> all, String job, int rank, String self, Map<String, NodeView> targets,
                                 Map<String, Integer> used) {
        String where = holder(all, job, rank).map(h -> h.node().address()).orElse(null);
        if (self.equals(where)) {
            return true;
        }
        NodeView t = where == null ? null : targets.get(where);
        return t != null && used.get(where) <= t.slots();
    }

    private static int room(Map<String, NodeView> targets, Map<String, Integer> used) {
        int room = 0;
        for (NodeView t : targets.values()) {
            room += Math.max(0, t.slots() - used.get(t.node().address()));
        }
        return room;
    }

    /**
     * The node running (job, rank): the newest incarnation (most moves) among the reachable
     * nodes, since a departed process stays registered until its connection closes.
     */
    static Optional<NodeView> holder(List<NodeView> all, String job, int rank) {
        NodeView best = null;
        int moves = -1;
        for (NodeView n : all) {
            for (ProcessInfo p : n.processes()) {
                if (p.jobId().equals(job) && p.rank() == rank && p.moves() > moves) {
                    best = n;
                    moves = p.moves();
                }
            }
        }
        return Optional.ofNullable(best);
    }

    private static Optional<ProcessInfo> process(NodeView n, String job, int rank) {
        return n.processes().stream().filter(p -> p.jobId().equals(job) && p.rank() == rank)
                .max(java.util.Comparator.comparingInt(ProcessInfo::moves));
    }
}
