package io.roam.agents.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The nodes {@code roam run} gives a job: every reachable, undrained node of the agents'
 * cluster; inside a Slurm allocation only those among the allocation's nodes, with the
 * allocation's slots, so that the job's hosts (and so its migration targets) stay inside it.
 *
 * @param hosts the job's hosts, the agents' host names, in hostfile order
 * @param hostfile the mpirun hostfile, one "HOST slots=N" line per host (Slurm's node names inside an
 *     allocation: Open MPI's Slurm support knows the nodes by them)
 * @param sockets the PCM socket pattern each agent reports, with its hosts ("" = not said)
 * @param notes lines for the user: allocation nodes left out, and why
 */
record RunHosts(List<String> hosts, String hostfile, Map<String, List<String>> sockets, List<String> notes) {

    /**
     * Chooses from the cluster status ({@code /api/status}); {@code slots} overrides each node's
     * roam.agent.slots (outside an allocation only). Throws IllegalArgumentException with the
     * reason when no node is left.
     */
    static RunHosts choose(JsonNode status, Optional<SlurmAllocation> allocation, Integer slots) {
        List<String> hosts = new ArrayList<>();
        StringBuilder hostfile = new StringBuilder();
        Map<String, List<String>> sockets = new TreeMap<>();
        List<String> notes = new ArrayList<>();
        Map<String, JsonNode> usable = new java.util.LinkedHashMap<>();
        for (JsonNode n : status.get("nodes")) {
            // a drained node takes no new ranks (roam drain: it is being emptied)
            if (n.get("reachable").asBoolean() && !n.path("drained").asBoolean(false)) {
                usable.put(n.get("node").get("host").asText(), n);
            }
        }
        if (allocation.isEmpty()) {
            for (var e : usable.entrySet()) {
                add(e.getKey(), e.getKey(), slots != null ? slots : e.getValue().get("slots").asInt(), e.getValue(),
                        hosts, hostfile, sockets);
            }
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("no node to run on: every node of the cluster is unreachable or"
                        + " drained (roam undrain NODE gives one back)");
            }
            return new RunHosts(hosts, hostfile.toString(), sockets, notes);
        }
        SlurmAllocation a = allocation.get();
        if (slots != null) {
            throw new IllegalArgumentException("--slots does not apply inside Slurm job " + a.jobId() + ": Open MPI"
                    + " takes each node's slots from the allocation (ask salloc or sbatch for --ntasks-per-node)");
        }
        for (int i = 0; i < a.nodes().size(); i++) {
            String node = a.nodes().get(i);
            String host = usable.keySet().stream().filter(h -> sameHost(h, node)).findFirst().orElse(null);
            if (host == null) {
                notes.add("node " + node + " of Slurm job " + a.jobId() + " has no reachable, undrained agent in the"
                        + " cluster: left out (start one there: srun --ntasks-per-node=1 roam agent ...)");
            } else {
                add(host, node, a.tasks().get(i), usable.get(host), hosts, hostfile, sockets);
            }
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("no node to run on: none of Slurm job " + a.jobId() + "'s nodes ("
                    + String.join(", ", a.nodes()) + ") has a reachable, undrained agent in the cluster ("
                    + (usable.isEmpty() ? "none" : String.join(", ", usable.keySet())) + ")");
        }
        return new RunHosts(hosts, hostfile.toString(), sockets, notes);
    }

    /**
     * Whether an agent's host name names a Slurm node: the same name, or the same short name
     * (before the first dot: node1.cluster.org is Slurm's node1), unless either is an address.
     */
    static boolean sameHost(String agentHost, String slurmNode) {
        if (agentHost.equals(slurmNode)) {
            return true;
        }
        if (isAddress(agentHost) || isAddress(slurmNode)) {
            return false;
        }
        return shortName(agentHost).equals(shortName(slurmNode));
    }

    private static boolean isAddress(String h) {
        return h.contains(":") || h.matches("[0-9.]+");
    }

    private static String shortName(String h) {
        int dot = h.indexOf('.');
        return dot < 0 ? h : h.substring(0, dot);
    }

    /** Adds an agent's host to the job: in the hostfile by {@code mpiName} (Slurm's name of it, inside an allocation). */
    private static void add(String host, String mpiName, int slots, JsonNode node, List<String> hosts,
            StringBuilder hostfile, Map<String, List<String>> sockets) {
        hosts.add(host);
        hostfile.append(mpiName).append(" slots=").append(slots).append('\n');
        sockets.computeIfAbsent(node.path("pcmSocket").asText(""), k -> new ArrayList<>()).add(host);
    }
}
