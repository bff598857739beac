package io.roam.simulator;

import io.roam.stealing.StealingNode;
import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One simulated node: one core at {@code speed} updates/s, the processes it runs, its
 * neighbours (symmetric links), what it knows of its links, its own random generator
 * (split from the run's) and, under a work-stealing balancer, the real {@link StealingNode}.
 */
final class SimNode {
    final int id;
    final String address;
    final NodeInfo info;
    final int cluster;
    final SplittableRandom rnd;
    double speed;
    boolean alive = true;
    final List<SimProcess> processes = new ArrayList<>();
    final List<SimNode> neighbours = new ArrayList<>();

    /** Derived from the neighbours and managers by {@link Wiring}: what the protocol sees. */
    List<NodeInfo> neighbourInfos = List.of();
    List<NodeInfo> otherManagers = List.of();
    Map<String, Double> latencyMillis = Map.of();
    Map<String, Double> bytesPerSec = Map.of();

    StealingNode stealing;
    long messagesSent;
    /** Cached protocol view of this node; rebuilt when its processes, links or the model change. */
    StealingNode.Local local;
    long localEpoch = -1;

    SimNode(int id, int cluster, double speed, long upNumber, SplittableRandom rnd) {
        this.id = id;
        this.address = "sim://n" + id;
        this.cluster = cluster;
        this.info = new NodeInfo(address, "c" + cluster, "n" + id, upNumber);
        this.speed = speed;
        this.rnd = rnd;
    }

    /** Seconds of computing per iteration of all its processes' work. */
    double load() {
        double w = 0;
        for (SimProcess p : processes) {
            w += p.job.work;
        }
        return w / speed;
    }

    boolean linkedTo(SimNode other) {
        for (SimNode n : neighbours) {
            if (n == other) {
                return true;
            }
        }
        return false;
    }
}
