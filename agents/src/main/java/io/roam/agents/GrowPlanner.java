package io.roam.agents;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.decision.GrowGain;
import io.roam.profiling.ProcessProfile;
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
 * process there. With the gain model on (roam.agent.grow.gain, {@link GrowGain}) a job takes a
 * slot only when the grow with it, as a whole, predicts a gain larger than its cost, and the slot
 * lowers the predicted iteration time further; the processing the slot's node offers is its
 * available processing, less what the slots planned before on it take. Plain class: no actors.
 */
final class GrowPlanner {
    /**
     * Grow {@code jobId} from {@code oldSize} to {@code oldSize + hosts.size()}, the new processes on
     * {@code hosts}; {@code estimate} is the gain model's prediction (null with the model off).
     */
    record Grow(String jobId, int oldSize, List<String> hosts, GrowGain.Estimate estimate) {
        int newSize() {
            return oldSize + hosts.size();
        }

        String describe() {
            return "job " + jobId + " " + oldSize + " -> " + newSize() + " processes, the new ones on "
                    + String.join(",", hosts) + (estimate == null ? "" : " (" + estimate.describe() + ")");
        }
    }

    /**
     * The grows; the jobs of this agent that had a free slot they may run on but whose grow does
     * not pay; and the jobs of this agent not judged because the status lacks some of their ranks
     * (a node that did not answer in time: such a check neither counts for a change nor against it).
     */
    record Plan(List<Grow> grows, Map<String, GrowGain.Estimate> declined, Map<String, String> unjudged) {
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
        return plan(nodes, local, nowMillis, settle, maxProcesses, null).grows();
    }

    /** As {@link #plan(List, Local, long, Duration, int)}, with the gain model's rules ({@code gain}; null: off). */
    static Plan plan(List<NodeView> nodes, Local local, long nowMillis, Duration settle, int maxProcesses,
                     GrowGain.Settings gain) {
        long settleMs = settle.toMillis();
        int limit = maxProcesses > 0 ? maxProcesses : Integer.MAX_VALUE;
        // the settled malleable jobs of the cluster, by job id
        Map<String, ProcessInfo> rank0 = new TreeMap<>();
        Map<String, String> rank0Node = new HashMap<>();
        rank0s(nodes, rank0, rank0Node);
        List<String> jobs = new ArrayList<>();
        Map<String, String> unjudged = new TreeMap<>();
        for (ProcessInfo p : rank0.values()) {
            String why = unsettled(nodes, p, rank0Node.get(p.jobId()), local, nowMillis, settleMs);
            if (why == null) {
                jobs.add(p.jobId());
            } else if (why.startsWith(MISSING) && local.selfAddress().equals(rank0Node.get(p.jobId()))) {
                unjudged.put(p.jobId(), why);
            }
        }
        if (jobs.isEmpty()) {
            return new Plan(List.of(), Map.of(), unjudged);
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
        Map<String, NodeView> byHost = new HashMap<>();
        nodes.forEach(n -> byHost.put(n.node().host(), n));
        Map<String, Double> remaining = new HashMap<>();   // processing each node still offers
        Map<String, List<Double>> offered = new HashMap<>();
        Map<String, GrowGain.Estimate> estimates = new HashMap<>();
        Map<String, GrowGain.Estimate> declined = new TreeMap<>();
        int turn = (int) Math.floorMod(nowMillis / Math.max(1, settleMs), (long) jobs.size());
        for (Map.Entry<String, Integer> e : free.entrySet()) {
            for (int slot = 0; slot < e.getValue(); slot++) {
                String taker = null;
                for (int i = 0; i < jobs.size() && taker == null; i++) {
                    String job = jobs.get((turn + i) % jobs.size());
                    if (mayRunOn(job, e.getKey(), rank0Node.get(job), local)
                            && rank0.get(job).size() + hosts.getOrDefault(job, List.of()).size() < limit) {
                        if (gain != null) {
                            NodeView target = byHost.get(e.getKey());
                            double p = Math.min(remaining.computeIfAbsent(e.getKey(), h -> target.profile() == null ? 0
                                    : target.profile().available()), target.profile() == null ? 0
                                    : target.profile().speedPerCore());
                            List<Double> with = new ArrayList<>(offered.getOrDefault(job, List.of()));
                            with.add(p);
                            GrowGain.Estimate est = estimate(nodes, rank0.get(job), with, gain);
                            GrowGain.Estimate before = estimates.get(job);
                            if (!est.pays() || (before != null && !(est.afterSeconds() < before.afterSeconds()))) {
                                if (before == null) {
                                    declined.put(job, est);
                                }
                                continue;
                            }
                            declined.remove(job);
                            estimates.put(job, est);
                            offered.put(job, with);
                            remaining.merge(e.getKey(), -p, Double::sum);
                        }
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
                GrowGain.Estimate est = estimates.get(job);
                if (gain != null && own.size() < h.size()) {
                    est = estimate(nodes, rank0.get(job), offered.get(job).subList(0, own.size()), gain);
                }
                grows.add(new Grow(job, rank0.get(job).size(), List.copyOf(own), est));
            }
        }
        declined.keySet().removeIf(job -> !local.selfAddress().equals(rank0Node.get(job)));
        return new Plan(grows, declined, unjudged);
    }

    /** Shrink {@code jobId} from {@code oldSize} to {@code newSize}: its highest ranks leave (gain model's {@code estimate}). */
    record Shrink(String jobId, int oldSize, int newSize, GrowGain.Estimate estimate) {
        String describe() {
            return "job " + jobId + " " + oldSize + " -> " + newSize + " processes, rank " + newSize + " and up leaving ("
                    + estimate.describe() + ")";
        }
    }

    /** The shrinks, the jobs of this agent whose shrink does not pay, and those not judged ({@link Plan#unjudged}). */
    record ShrinkPlan(List<Shrink> shrinks, Map<String, GrowGain.Estimate> declined, Map<String, String> unjudged) {
    }

    /**
     * The shrinks this agent orders now (roam.agent.grow.shrink-slow): each settled malleable job
     * of 2 processes or more whose rank 0 runs here loses its highest rank (what a shrink ends)
     * when the gain model predicts that the others without it are at least min-speedup faster
     * and that the shrink pays back its cost: the highest rank ran on a slow node. A slow rank
     * below it is no case for a shrink (it would keep its node and get more work).
     */
    static ShrinkPlan shrinks(List<NodeView> nodes, Local local, long nowMillis, Duration settle,
                              GrowGain.Settings gain) {
        List<Shrink> shrinks = new ArrayList<>();
        Map<String, GrowGain.Estimate> declined = new TreeMap<>();
        Map<String, String> unjudged = new TreeMap<>();
        Map<String, ProcessInfo> rank0 = new TreeMap<>();
        Map<String, String> rank0Node = new HashMap<>();
        rank0s(nodes, rank0, rank0Node);
        for (ProcessInfo r0 : rank0.values()) {
            if (r0.size() < 2 || !local.selfAddress().equals(rank0Node.get(r0.jobId()))) {
                continue;
            }
            String why = unsettled(nodes, r0, rank0Node.get(r0.jobId()), local, nowMillis, settle.toMillis());
            if (why != null) {
                if (why.startsWith(MISSING)) {
                    unjudged.put(r0.jobId(), why);
                }
                continue;
            }
            List<GrowGain.Rank> ranks = measured(nodes, r0);
            GrowGain.Estimate est = ranks == null ? GrowGain.unknown(r0.size(), r0.size() - 1, "profiles of "
                    + "fewer than the " + r0.size() + " ranks") : GrowGain.shrink(ranks, 1, gain);
            if (est.pays()) {
                shrinks.add(new Shrink(r0.jobId(), r0.size(), r0.size() - 1, est));
            } else {
                declined.put(r0.jobId(), est);
            }
        }
        return new ShrinkPlan(shrinks, declined, unjudged);
    }

    /**
     * The gain model's prediction for growing {@code r0}'s job by one process per entry of
     * {@code offered}, from the profiles of its ranks in the status ({@link #measured}).
     */
    static GrowGain.Estimate estimate(List<NodeView> nodes, ProcessInfo r0, List<Double> offered,
                                      GrowGain.Settings gain) {
        List<GrowGain.Rank> ranks = measured(nodes, r0);
        if (ranks == null) {
            return GrowGain.unknown(r0.size(), r0.size() + offered.size(), "profiles of fewer than the " + r0.size()
                    + " ranks");
        }
        return GrowGain.grow(ranks, offered, gain);
    }

    /**
     * The ranks 0 .. size-1 of {@code r0}'s job as the model takes them, in rank order, from the
     * profiles in the status (per rank the process with the most moves: a departing one is still
     * listed beside its replacement): processing = the cores the rank used x its node's speed
     * per core; null unless every rank has a profile.
     */
    static List<GrowGain.Rank> measured(List<NodeView> nodes, ProcessInfo r0) {
        Map<Integer, ProcessProfile> latest = new TreeMap<>();
        Map<Integer, Double> speed = new HashMap<>();
        for (NodeView n : nodes) {
            for (ProcessProfile p : n.profiles()) {
                ProcessProfile known = latest.get(p.rank());
                if (p.jobId().equals(r0.jobId()) && p.rank() < r0.size()
                        && (known == null || p.moves() > known.moves())) {
                    latest.put(p.rank(), p);
                    speed.put(p.rank(), n.profile() == null ? 0 : n.profile().speedPerCore());
                }
            }
        }
        if (latest.size() != r0.size()) {
            return null;
        }
        List<GrowGain.Rank> ranks = new ArrayList<>();
        latest.forEach((rank, p) -> ranks.add(new GrowGain.Rank(rank, p.cpuShare() * speed.get(rank),
                p.computeShare(), p.iterationNs() / 1e9, p.stateBytes())));
        return ranks;
    }

    /** The rank 0 of each malleable job on a reachable node (the one with the most moves), and its node's address. */
    private static void rank0s(List<NodeView> nodes, Map<String, ProcessInfo> rank0, Map<String, String> rank0Node) {
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
    }

    /** Whether the job may start a process on host: its own job's hosts when known; another agent's: assumed. */
    private static boolean mayRunOn(String job, String host, String rank0Address, Local local) {
        if (!local.selfAddress().equals(rank0Address)) {
            return true;
        }
        List<String> allowed = local.jobHosts().get(job);
        return allowed == null || allowed.isEmpty() || allowed.contains(host);
    }

    /** How {@link #unsettled} begins when the status lacks ranks of the job (a node that did not answer). */
    static final String MISSING = "not in the cluster's status";

    /**
     * Null when the job is settled: rank 0 registered at least the settle time ago; on this node
     * (whose resizes are known) no resize under way nor ended within it; ranks 0 .. size-1 all
     * registered, none stalled. Otherwise why not.
     */
    private static String unsettled(List<NodeView> nodes, ProcessInfo r0, String address, Local local, long now,
                                    long settleMs) {
        if (now - r0.registeredAtMillis() < settleMs) {
            return "rank 0 registered less than the settle time ago";
        }
        if (local.selfAddress().equals(address) && (local.resizing().contains(r0.jobId())
                || now - local.lastResizeMillis().getOrDefault(r0.jobId(), Long.MIN_VALUE / 2) < settleMs)) {
            return "a resize under way or ended less than the settle time ago";
        }
        Set<Integer> ranks = new HashSet<>();
        for (NodeView n : nodes) {
            for (ProcessInfo p : n.processes()) {
                if (p.jobId().equals(r0.jobId())) {
                    if (!p.stalled().isEmpty()) {
                        return "rank " + p.rank() + " stalled";
                    }
                    ranks.add(p.rank());
                }
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < r0.size(); r++) {
            if (!ranks.contains(r)) {
                missing.add(r);
            }
        }
        if (!missing.isEmpty()) {
            List<String> silent = nodes.stream().filter(n -> !n.reachable()).map(n -> n.node().host()).sorted().toList();
            return MISSING + ": ranks " + missing + (silent.isEmpty() ? "" : " (nodes not answering: " + silent + ")");
        }
        return ranks.size() == r0.size() ? null : "more ranks registered than the job's " + r0.size();
    }
}
