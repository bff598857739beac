package io.roam.simulator;

import java.util.List;

/**
 * The load model (docs/simulation.md). Each node has one core at its speed, shared equally
 * by its processes; one iteration of a job is BSP-like: every rank computes its work at its
 * share of its node's speed, then exchanges messages with its peers (per peer on another
 * node: bytes / bandwidth + latency; peers on the same node cost nothing), and the job's
 * iteration time is the maximum over its ranks of compute + communication.
 */
final class LoadModel {
    /** The model's numbers for one placement. */
    record Result(double[] nodeLoad, double[] computeSec, double[] jobSec) {
        /** Sum over jobs of their iteration time, s. */
        double totalJobSec() {
            double t = 0;
            for (double j : jobSec) {
                t += j;
            }
            return t;
        }
    }

    private LoadModel() {
    }

    /** The current placement. */
    static int[] placement(World w) {
        int[] nodeOf = new int[w.processes.size()];
        for (SimProcess p : w.processes) {
            nodeOf[p.id] = p.node;
        }
        return nodeOf;
    }

    /** The model for the placement {@code nodeOf} (process id -> node id). */
    static Result evaluate(World w, int[] nodeOf) {
        List<SimNode> nodes = w.nodes;
        int[] count = new int[nodes.size()];
        double[] work = new double[nodes.size()];
        for (SimProcess p : w.processes) {
            count[nodeOf[p.id]]++;
            work[nodeOf[p.id]] += p.job.work;
        }
        double[] load = new double[nodes.size()];
        for (int i = 0; i < load.length; i++) {
            load[i] = work[i] / nodes.get(i).speed;
        }
        double[] compute = new double[w.processes.size()];
        double[] job = new double[w.jobs.size()];
        for (SimProcess p : w.processes) {
            SimNode here = nodes.get(nodeOf[p.id]);
            double c = p.job.work * count[here.id] / here.speed;
            double comm = 0;
            for (int peer : p.peers) {
                int there = nodeOf[peer];
                if (there != here.id) {
                    SimNode t = nodes.get(there);
                    comm += p.bytesPerPeer / w.bandwidth(here, t) + w.latencyMs(here, t) / 1000.0;
                }
            }
            compute[p.id] = c;
            job[p.job.index] = Math.max(job[p.job.index], c + comm);
        }
        return new Result(load, compute, job);
    }

    /** Stores the current placement's rates in the processes (as the next profiling sample would show them). */
    static Result apply(World w) {
        Result r = evaluate(w, placement(w));
        long now = w.now();
        for (SimProcess p : w.processes) {
            double t = r.jobSec()[p.job.index];
            p.iterationNs = Math.round(t * 1e9);
            p.computeNs = Math.round(r.computeSec()[p.id] * 1e9);
            boolean fresh = now - p.arrivedAt < w.scenario.roundMs();
            p.computeShare = fresh || t <= 0 ? -1 : Math.min(1, r.computeSec()[p.id] / t);
        }
        w.epoch++;
        return r;
    }
}
