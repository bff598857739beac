package io.roam.decision;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.List;

/**
 * The work of a rank and the load of a node, as the swap protocol weighs them (not IOS's
 * processing figures: a swap leaves every node with as many processes as before, so what
 * each process gets of its core does not change; what changes is how long a node computes
 * per iteration when its ranks block while they wait).
 * <ul>
 * <li>a rank's <b>weight</b>: its work per iteration, in updates (the CPU speed probe's unit):
 * its compute time per iteration (compute share x the job's iteration time) at the processing
 * it gets (the cores it uses x the node's speed per core). It does not depend on the node the
 * rank runs on, so one node can weigh another node's ranks from their profiles;</li>
 * <li>a node's <b>load</b>: the weights of its ranks over its capacity, seconds of computing
 * per iteration (the simulator's node load).</li>
 * </ul>
 */
public final class Weights {
    private Weights() {
    }

    /** The weight of {@code p}, which runs on {@code node}: updates per iteration; -1 while its rates are unknown. */
    public static double of(ProcessProfile p, NodeProfile node) {
        if (p.cpuShare() < 0 || p.computeShare() < 0 || p.iterationNs() <= 0) {
            return -1;
        }
        return p.cpuShare() * node.speedPerCore() * p.computeShare() * p.iterationNs() / 1e9;
    }

    /** The summed weights of {@code processes} on {@code node}; -1 if any is unknown. */
    public static double work(List<ProcessProfile> processes, NodeProfile node) {
        double sum = 0;
        for (ProcessProfile p : processes) {
            double w = of(p, node);
            if (w < 0) {
                return -1;
            }
            sum += w;
        }
        return sum;
    }

    /** The load of {@code node} running {@code processes}: seconds of computing per iteration; -1 if unknown. */
    public static double load(List<ProcessProfile> processes, NodeProfile node) {
        double w = work(processes, node);
        return w < 0 || !(node.capacity() > 0) ? -1 : w / node.capacity();
    }
}
