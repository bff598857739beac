package io.roam.simulator;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealingNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The profiles a real agent would report, synthesized from the load model so that the real
 * strategies see consistent numbers: a process's CPU share is its share of the node's core
 * (1 / processes there; Open MPI polls while it waits, so waiting still uses the core), its
 * compute share is compute time / its job's iteration time; the node's utilization is the
 * computing cores of its processes (waiting counts as idle, as in NodeProfiler), its
 * available processing capacity x (1 - utilization). A process that arrived less than a
 * round ago has no rates yet (-1), and counts as computing in its node's utilization.
 */
final class Profiles {
    /** Memory of every node, bytes (the scenario does not vary it). */
    static final long MEM_TOTAL = 32L << 30;
    private static final long OS_RSS = 1L << 30;

    private Profiles() {
    }

    static ProcessProfile process(SimProcess p, int onNode, long now) {
        double cpu = p.computeShare < 0 ? -1 : 1.0 / onNode;
        long mpiNs = Math.max(0, p.iterationNs - p.computeNs);
        return new ProcessProfile(p.job.id, p.rank, p.id, p.moves, now, 0, p.rssBytes(), p.stateBytes, 0,
                p.iterationNs, p.computeNs, mpiNs, cpu, p.computeShare, p.peerTraffic);
    }

    static NodeProfile node(SimNode n, long now) {
        double used = 0;
        long rss = 0;
        int count = n.processes.size();
        for (SimProcess p : n.processes) {
            used += (p.computeShare < 0 ? 1 : p.computeShare) / count;
            rss += p.rssBytes();
        }
        used = Math.min(1, used);
        return new NodeProfile(n.info.host(), now, 1, 1, n.speed, used, n.speed * (1 - used), MEM_TOTAL,
                Math.max(0, MEM_TOTAL - OS_RSS - rss), rss);
    }

    /** The node's protocol view, rebuilt only when it changed since the last call. */
    static StealingNode.Local local(World w, SimNode n) {
        if (n.local == null || n.localEpoch != w.epoch) {
            List<ProcessProfile> own = new ArrayList<>(n.processes.size());
            for (SimProcess p : n.processes) {
                own.add(process(p, n.processes.size(), w.now()));
            }
            n.local = new StealingNode.Local(n.info, node(n, w.now()), List.copyOf(own), n.neighbourInfos,
                    n.otherManagers, n.latencyMillis, n.bytesPerSec);
            n.localEpoch = w.epoch;
        }
        return n.local;
    }
}
