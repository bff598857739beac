package io.roam.agents;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.decision.Placement;
import io.roam.decision.Placement.Ranked;
import io.roam.decision.Placement.Target;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.protocol.AgentMessage.ProcessInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Plans a drain: for each process of the drained node, in job then rank order, the target
 * the decision module ranks best ({@link Placement}) among the nodes that may take work
 * (reachable, not drained, not the node itself, within {@code --onto} if given) and still
 * have a free slot. Each planned move counts against its target (a slot, the processing
 * the process uses, its traffic) before the next is chosen. A plan that cannot place every
 * process is a refusal, made before anything moves.
 */
final class DrainPlanner {
    /** Move (job, rank) to {@code target}, judged {@code gain}. */
    record Move(String jobId, int rank, NodeView target, double gain) {
    }

    /** The moves, or why there are none. */
    record Plan(List<Move> moves, String refusal) {
        boolean refused() {
            return refusal != null;
        }
    }

    private final Placement placement;

    DrainPlanner(Placement placement) {
        this.placement = placement;
    }

    /** The plan for draining {@code node}; {@code onto} limits the targets when not empty. */
    Plan plan(NodeView node, List<NodeView> all, List<NodeView> onto) {
        List<ProcessInfo> processes = new ArrayList<>(node.processes());
        processes.sort(Comparator.comparing(ProcessInfo::jobId).thenComparingInt(ProcessInfo::rank));
        List<NodeView> targets = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        for (NodeView n : onto.isEmpty() ? all : onto) {
            String why = n.node().address().equals(node.node().address()) ? null
                    : !n.reachable() || n.profile() == null ? "unreachable" : n.drained() ? "drained" : null;
            if (n.node().address().equals(node.node().address())) {
                continue;
            }
            if (why != null) {
                excluded.add(n.node().host() + " " + why);
            } else {
                targets.add(n);
            }
        }
        Map<String, Integer> free = new HashMap<>();
        Map<String, NodeProfile> profile = new HashMap<>();
        Map<String, List<ProcessProfile>> hosted = new HashMap<>();
        int room = 0;
        for (NodeView t : targets) {
            int f = Math.max(0, t.slots() - t.processes().size());
            free.put(t.node().address(), f);
            profile.put(t.node().address(), t.profile());
            hosted.put(t.node().address(), new ArrayList<>(t.profiles()));
            room += f;
        }
        if (room < processes.size()) {
            return new Plan(List.of(), String.format(Locale.ROOT, "cannot drain %s: its %d ranks need %d free slots, "
                    + "the %s have %d (%s)", node.node().host(), processes.size(), processes.size(),
                    onto.isEmpty() ? "other nodes" : "--onto nodes", room, describe(targets, excluded)));
        }
        List<ProcessProfile> local = new ArrayList<>(node.profiles());   // what stays: planned moves leave it
        List<Move> moves = new ArrayList<>();
        for (ProcessInfo p : processes) {
            ProcessProfile pp = profileOf(node, p);
            List<Target> candidates = targets.stream().filter(t -> free.get(t.node().address()) > 0)
                    .map(t -> new Target(t.node().address(), profile.get(t.node().address()),
                            hosted.get(t.node().address()))).toList();
            List<Ranked> ranked = placement.rank(pp, node.profile() != null ? node.profile()
                    : candidates.get(0).profile(), local, candidates);
            Optional<Ranked> best = ranked.stream().filter(r -> r.veto() == null).findFirst();
            if (best.isEmpty()) {
                return new Plan(List.of(), String.format(Locale.ROOT, "cannot drain %s: no node with a free slot can "
                        + "take job %s rank %d: %s", node.node().host(), p.jobId(), p.rank(),
                        ranked.stream().map(r -> r.target().profile().host() + ": " + r.veto()).toList()));
            }
            String to = best.get().target().id();
            NodeView target = targets.stream().filter(t -> t.node().address().equals(to)).findFirst().orElseThrow();
            moves.add(new Move(p.jobId(), p.rank(), target, best.get().gain()));
            free.merge(to, -1, Integer::sum);
            hosted.get(to).add(pp);
            local.remove(pp);
            profile.put(to, withLoad(profile.get(to), pp));
        }
        return new Plan(moves, null);
    }

    /** The target's profile once it runs p too: less available processing by what p uses (a core if unknown). */
    private static NodeProfile withLoad(NodeProfile n, ProcessProfile p) {
        double used = n.speedPerCore() * (p.cpuShare() >= 0 ? p.cpuShare() : 1.0);
        return new NodeProfile(n.host(), n.atMillis(), n.cores(), n.cpuLimit(), n.speedPerCore(), n.utilization(),
                Math.max(0, n.available() - used), n.memTotal(), n.memAvailable() < 0 ? -1
                : Math.max(0, n.memAvailable() - Math.max(0, p.rssBytes())), n.managedRss());
    }

    /** The process's profile, or one without measurements if its agent has none yet. */
    static ProcessProfile profileOf(NodeView node, ProcessInfo p) {
        return node.profiles().stream().filter(f -> f.pid() == p.pid() && f.rank() == p.rank()
                && f.jobId().equals(p.jobId())).findFirst().orElseGet(() -> new ProcessProfile(p.jobId(), p.rank(),
                p.pid(), p.moves(), 0, -1, -1, 0, 0, 0, 0, 0, -1, -1, List.of()));
    }

    private static String describe(List<NodeView> targets, List<String> excluded) {
        List<String> parts = new ArrayList<>();
        for (NodeView t : targets) {
            parts.add(t.node().host() + " " + t.processes().size() + " of " + t.slots() + " slots used");
        }
        parts.addAll(excluded);
        return parts.isEmpty() ? "no other node" : String.join(", ", parts);
    }
}
