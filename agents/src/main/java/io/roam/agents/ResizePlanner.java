package io.roam.agents;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.protocol.AgentMessage.ProcessInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a resize asked of the control API and, for a grow, chooses the new processes' hosts:
 * those given ({@code --on}, each a known node that is reachable and not drained), or else
 * the nodes with free slots ({@code roam.agent.slots} less the PCM processes registered
 * there), the node with the most free first, one process at a time. A grow that does not fit
 * in the free slots is refused before anything is done, with each node's slots.
 */
final class ResizePlanner {
    /** libpcm adds at most this many processes in one grow (PCM_RESIZE_MAX_GROW). */
    static final int MAX_GROW = 64;

    /** The node of rank 0 (where the order goes), the job's size, the new processes' hosts; or why not. */
    record Plan(NodeView rank0, int size, List<String> hosts, String refusal) {
        boolean refused() {
            return refusal != null;
        }

        static Plan refuse(String why) {
            return new Plan(null, 0, List.of(), why);
        }
    }

    private ResizePlanner() {
    }

    static Plan plan(List<NodeView> nodes, String job, int ranks, List<String> on) {
        if (ranks < 1) {
            return Plan.refuse("ranks must be at least 1, was " + ranks);
        }
        Optional<NodeView> holder = nodes.stream().filter(n -> n.processes().stream()
                .anyMatch(p -> p.jobId().equals(job) && p.rank() == 0)).findFirst();
        if (holder.isEmpty()) {
            boolean any = nodes.stream().anyMatch(n -> n.processes().stream().anyMatch(p -> p.jobId().equals(job)));
            return Plan.refuse(any ? "rank 0 of job " + job + " is not registered with any reachable agent: its"
                    + " agent orders the resize; try again when roam status shows it"
                    : "job " + job + " has no process registered with any reachable agent: it has finished, or it"
                    + " is not a job of this cluster; nothing to resize");
        }
        int size = holder.get().processes().stream().filter(p -> p.jobId().equals(job) && p.rank() == 0)
                .mapToInt(ProcessInfo::size).findFirst().orElse(0);
        if (ranks == size) {
            return Plan.refuse("job " + job + " runs with " + size + " processes already: nothing to do");
        }
        if (ranks < size) {
            return on.isEmpty() ? new Plan(holder.get(), size, List.of(), null)
                    : Plan.refuse("--on names the hosts of a grow's new processes; a shrink (" + size + " -> " + ranks
                    + ") ends the highest ranks wherever they run");
        }
        int k = ranks - size;
        if (k > MAX_GROW) {
            return Plan.refuse("a grow adds at most " + MAX_GROW + " processes at once (libpcm); " + size + " -> "
                    + ranks + " adds " + k);
        }
        if (!on.isEmpty()) {
            List<String> hosts = new ArrayList<>();
            for (String name : on) {
                Optional<NodeView> n = nodes.stream().filter(v -> v.node().host().equals(name)
                        || v.node().address().equals(name)).findFirst();
                if (n.isEmpty()) {
                    return Plan.refuse("unknown node " + name + "; known: " + nodes.stream().map(v -> v.node().host())
                            .toList());
                }
                if (!n.get().reachable()) {
                    return Plan.refuse("node " + name + " is unreachable");
                }
                if (n.get().drained()) {
                    return Plan.refuse("node " + name + " is drained: it takes no new work (roam undrain " + name + ")");
                }
                hosts.add(n.get().node().host());
            }
            return new Plan(holder.get(), size, hosts, null);
        }
        Map<String, Integer> free = new LinkedHashMap<>();
        List<String> described = new ArrayList<>();
        nodes.stream().sorted(Comparator.comparing((NodeView n) -> n.node().host())).forEach(n -> {
            int f = n.reachable() && !n.drained() ? Math.max(0, n.slots() - n.processes().size()) : 0;
            free.put(n.node().host(), f);
            described.add(n.node().host() + (!n.reachable() ? " unreachable" : n.drained() ? " drained"
                    : " " + n.processes().size() + " of " + n.slots() + " slots used"));
        });
        int room = free.values().stream().mapToInt(Integer::intValue).sum();
        if (room < k) {
            return Plan.refuse("cannot grow job " + job + " from " + size + " to " + ranks + ": its " + k
                    + " new processes need " + k + " free slots, the nodes have " + room + " (" + String.join(", ",
                    described) + "); --on places them anyway");
        }
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            String best = free.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            hosts.add(best);
            free.merge(best, -1, Integer::sum);
        }
        return new Plan(holder.get(), size, hosts, null);
    }
}
