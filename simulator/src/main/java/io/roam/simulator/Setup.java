package io.roam.simulator;

import io.roam.profiling.ProcessProfile.PeerTraffic;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/** Builds a run's starting point: nodes, jobs with their communication graphs, placement. */
final class Setup {
    private Setup() {
    }

    static Wiring build(World w) {
        Scenario s = w.scenario;
        Wiring wiring = new Wiring(w);
        for (int i = 0; i < s.nodes(); i++) {
            wiring.add(w.addNode(i % wiring.clusterCount()));
        }
        wiring.linkAll();
        Scenario.Apps a = s.applications();
        for (int j = 0; j < a.jobs(); j++) {
            Job job = new Job(j, a.work() * (1 + a.workSpread() * (2 * w.rnd.nextDouble() - 1)));
            w.jobs.add(job);
            for (int r = 0; r < a.processesPerJob(); r++) {
                SimProcess p = new SimProcess(w.processes.size(), job, r, a.stateBytes());
                job.ranks.add(p);
                w.processes.add(p);
            }
            connect(job, a, w.rnd.split());
        }
        place(w);
        return wiring;
    }

    private static void connect(Job job, Scenario.Apps a, SplittableRandom rnd) {
        int n = job.ranks.size();
        List<TreeSet<Integer>> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            peers.add(new TreeSet<>());
        }
        switch (a.graph()) {
            case "stencil" -> {
                int rows = (int) Math.floor(Math.sqrt(n));
                while (n % rows != 0) {
                    rows--;
                }
                int cols = n / rows;
                for (int i = 0; i < n; i++) {
                    int r = i / cols;
                    int c = i % cols;
                    if (c + 1 < cols) {
                        both(peers, i, i + 1);
                    }
                    if (r + 1 < rows) {
                        both(peers, i, i + cols);
                    }
                }
            }
            case "ring" -> {
                for (int i = 0; i < n && n > 1; i++) {
                    both(peers, i, (i + 1) % n);
                }
            }
            case "random" -> {
                int degree = Math.min(a.randomDegree(), n - 1);
                for (int i = 0; i < n; i++) {
                    while (peers.get(i).size() < degree) {
                        int k = rnd.nextInt(n);
                        if (k != i) {
                            both(peers, i, k);
                        }
                    }
                }
            }
            default -> {
            }
        }
        for (int i = 0; i < n; i++) {
            SimProcess p = job.ranks.get(i);
            p.peers = peers.get(i).stream().mapToInt(k -> job.ranks.get(k).id).toArray();
            p.bytesPerPeer = a.messageBytes();
            p.peerTraffic = peers.get(i).stream().map(k -> new PeerTraffic(k, 1, a.messageBytes())).toList();
        }
    }

    private static void both(List<TreeSet<Integer>> peers, int a, int b) {
        if (a != b) {
            peers.get(a).add(b);
            peers.get(b).add(a);
        }
    }

    private static void place(World w) {
        List<SimNode> nodes = w.alive();
        Scenario.Placement pl = w.scenario.placement();
        int packed = Math.max(1, (int) Math.ceil(pl.packedShare() * nodes.size()));
        int i = 0;
        for (SimProcess p : w.processes) {
            SimNode n = pl.kind().equals("packed") ? nodes.get(i++ % packed) : nodes.get(w.rnd.nextInt(nodes.size()));
            n.processes.add(p);
            p.node = n.id;
            p.arrivedAt = -w.scenario.roundMs() * 2;
        }
    }
}
