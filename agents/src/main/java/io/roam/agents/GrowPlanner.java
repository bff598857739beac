package io.roam.agents;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.protocol.AgentMessage.ProcessInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which malleable jobs whose rank 0 runs on this node grow, and onto which nodes
 * (roam.agent.grow.on-join): the free slots of the nodes that may take work (reachable, not
 * drained, up for at least the settle time: a node that just joined is watched that long
 * first) go to the cluster's settled malleable jobs, one slot at a time in turn among the jobs
 * (by job id, the first in turn moving each settle period so that every job gets its turn).
 * A job is settled when rank 0 has been registered for the settle time, none of its resizes
 * ended within it and none is under way, every one of its ranks is registered and none
 * stalled. Nor does a job grow beyond roam.agent.grow.max-processes. Each agent plans the same way from the same status and orders only its own jobs'
 * share, so two agents do not grow two jobs onto the same slot; a job of another agent whose
 * hosts this agent does not know is assumed to take any node. A node outside a job's hosts
 * (mpirun's allocation, from REGISTER) is never one of its targets: Open MPI 4.1 cannot start a
 * process there. Plain class: no actors.
 */
final class GrowPlanner {
    /** Grow {@code jobId} from {@code oldSize} to {@code oldSize + hosts.size()}, the new processes on {@code hosts}. */
    record Grow(String jobId, int oldSize, List<String> hosts) {
        int newSize() {
            return oldSize + hosts.size();
        }

        String describe() {
            return "job " + jobId + " " + oldSize + " -> " + newSize() + " processes, the new ones on "
                    + String.join(",", hosts);
        }
    }

    /** What this agent knows of its own jobs beyond the cluster's status. */
    record Local(String selfAddress, Map<String, List<String>> jobHosts, Map<String, Long> lastResizeMillis,
                 Set<String> resizing) {
    }

    private GrowPlanner() {
    }

    /**
     * The grows this agent orders now ({@code nowMillis}), from the cluster's status; no job
     * grows beyond {@code maxProcesses} processes (0: no limit but the free slots).
     */
    static List<Grow> plan(List<NodeView> nodes, Local local, long nowMillis, Duration settle, int maxProcesses) {
        long settleMs = settle.toMillis();
        int limit = maxProcesses > 0 ? maxProcesses : Integer.MAX_VALUE;
        // the settled malleable jobs of the cluster, by job id
        Map<String, ProcessInfo> rank0 = new TreeMap<>();
        Map<String, String> rank0Node = new HashMap<>();
        for (NodeView n : nodes) {
            if (!n.reachable()) {
                continue;
            }
            for (ProcessInfo p : n.processes()) {
                if (p.rank() == 0 && p.malleable()) {
                    ProcessInfo known = rank0.get(p.jobId());
                    if (known == null || p.moves() > known.moves()) {
                        rank0.put(p.jobId(), p);
                        rank0Node.put(p.jobId(), n.node().address());
                    }
                }
            }
        }
        List<String> jobs = new ArrayList<>();
        for (ProcessInfo p : rank0.values()) {
            if (settled(nodes, p, rank0Node.get(p.jobId()), local, nowMillis, settleMs)) {
                jobs.add(p.jobId());
            }
        }
        if (jobs.isEmpty()) {
            return List.of();
        }
        // the free slots, node by node (host order)
        Map<String, Integer> free = new LinkedHashMap<>();
        nodes.stream().sorted(Comparator.comparing((NodeView n) -> n.node().host())).forEach(n -> {
            int f = n.slots() - n.processes().size();
            if (n.reachable() && !n.drained() && f > 0 && nowMillis - n.upSinceMillis() >= settleMs) {
                free.put(n.node().host(), f);
            }
        });
        Map<String, List<String>> hosts = new HashMap<>();
        int turn = (int) Math.floorMod(nowMillis / Math.max(1, settleMs), (long) jobs.size());
        for (Map.Entry<String, Integer> e : free.entrySet()) {
            for (int slot = 0; slot < e.getValue(); slot++) {
                String taker = null;
                for (int i = 0; i < jobs.size() && taker == null; i++) {
                    String job = jobs.get((turn + i) % jobs.size());
                    if (mayRunOn(job, e.getKey(), rank0Node.get(job), local)
                            && rank0.get(job).size() + hosts.getOrDefault(job, List.of()).size() < limit) {
                        taker = job;
                        turn = (turn + i + 1) % jobs.size();
                    }
                }
                if (taker == null) {
                    break;
                }
                hosts.computeIfAbsent(taker, j -> new ArrayList<>()).add(e.getKey());
            }
        }
        List<Grow> grows = new ArrayList<>();
        for (String job : jobs) {
            List<String> h = hosts.get(job);
            if (h != null && local.selfAddress().equals(rank0Node.get(job))) {
                List<String> own = h.size() > ResizePlanner.MAX_GROW ? h.subList(0, ResizePlanner.MAX_GROW) : h;
                grows.add(new Grow(job, rank0.get(job).size(), List.copyOf(own)));
            }
        }
        return grows;
    }

    /** Whether the job may start a process on host: its own job's hosts when known; another agent's: assumed. */
    private static boolean mayRunOn(String job, String host, String rank0Address, Local local) {
        if (!local.selfAddress().equals(rank0Address)) {
            return true;
        }
        List<String> allowed = local.jobHosts().get(job);
        return allowed == null || allowed.isEmpty() || allowed.contains(host);
    }

    /**
     * Settled: rank 0 registered at least the settle time ago; on this node (whose resizes are
     * known) no resize under way nor ended within it; ranks 0 .. size-1 all registered, none stalled.
     */
    private static boolean settled(List<NodeView> nodes, ProcessInfo r0, String address, Local local, long now,
                                   long settleMs) {
        if (now - r0.registeredAtMillis() < settleMs) {
            return false;
        }
        if (local.selfAddress().equals(address) && (local.resizing().contains(r0.jobId())
                || now - local.lastResizeMillis().getOrDefault(r0.jobId(), Long.MIN_VALUE / 2) < settleMs)) {
            return false;
        }
        Set<Integer> ranks = new HashSet<>();
        for (NodeView n : nodes) {
            for (ProcessInfo p : n.processes()) {
                if (p.jobId().equals(r0.jobId())) {
                    if (!p.stalled().isEmpty()) {
                        return false;
                    }
                    ranks.add(p.rank());
                }
            }
        }
        for (int r = 0; r < r0.size(); r++) {
            if (!ranks.contains(r)) {
                return false;
            }
        }
        return ranks.size() == r0.size();
    }
}
