package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.decision.DecisionSettings;
import io.roam.decision.Placement;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.profiling.ProcessProfile.PeerTraffic;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where a drain sends each rank, and when it refuses. */
class DrainPlannerTest {
    private final DrainPlanner planner = new DrainPlanner(new Placement(DecisionSettings.defaults()));

    private static NodeView node(String host, int slots, double available, boolean reachable, boolean drained,
                                 int... ranks) {
        List<ProcessInfo> processes = new ArrayList<>();
        List<ProcessProfile> profiles = new ArrayList<>();
        for (int r : ranks) {
            processes.add(new ProcessInfo("j", r, 8, 100 + r, host, 0, 0));
            List<PeerTraffic> peers = new ArrayList<>();
            if (r > 0) {
                peers.add(new PeerTraffic(r - 1, 10, 1000));
            }
            peers.add(new PeerTraffic(r + 1, 10, 1000));
            profiles.add(new ProcessProfile("j", r, 100 + r, 0, 0, 10, 1 << 20, 0, 10, 1_000_000, 1, 1, 0.5, 0.9, peers));
        }
        NodeProfile profile = new NodeProfile(host, 0, 2, 2, 1e9, 0.5, available * 1e9, 8L << 30, 4L << 30, 0);
        return new NodeView(new NodeInfo("pekko://roam@" + host + ":2552", "default", host, 1), reachable, false, 0,
                slots, processes, List.of(), profiles, profile, null, drained, "/tmp/" + host + ".sock");
    }

    @Test
    void everyRankGoesToAFreeSlotAndTheBestNodeFillsFirst() {
        NodeView a = node("a", 2, 0.1, true, false, 0, 1);
        NodeView b = node("b", 2, 0.2, true, false, 2);
        NodeView c = node("c", 2, 1.8, true, false);
        DrainPlanner.Plan plan = planner.plan(a, List.of(a, b, c), List.of());

        assertThat(plan.refused()).isFalse();
        assertThat(plan.moves()).extracting(DrainPlanner.Move::rank).containsExactly(0, 1);
        // c has by far the most processing: rank 0 goes there; c then shows less, and rank 1
        // (which talks to rank 2 on b) can go either way, but b has one free slot only
        assertThat(plan.moves().get(0).target().node().host()).isEqualTo("c");
        long toB = plan.moves().stream().filter(m -> m.target().node().host().equals("b")).count();
        assertThat(toB).isLessThanOrEqualTo(1);
    }

    @Test
    void refusedWhenTheOthersAreFullNamingEachNode() {
        NodeView a = node("a", 2, 0.1, true, false, 0, 1);
        NodeView b = node("b", 2, 0.2, true, false, 2, 3);
        NodeView c = node("c", 2, 1.8, true, true);
        NodeView d = node("d", 2, 1.8, false, false);
        DrainPlanner.Plan plan = planner.plan(a, List.of(a, b, c, d), List.of());

        assertThat(plan.refused()).isTrue();
        assertThat(plan.refusal()).contains("cannot drain a", "2 ranks need 2 free slots", "have 0",
                "b 2 of 2 slots used", "c drained", "d unreachable");
        assertThat(plan.moves()).isEmpty();
    }

    @Test
    void ontoLimitsTheTargets() {
        NodeView a = node("a", 2, 0.1, true, false, 0);
        NodeView b = node("b", 2, 0.2, true, false);
        NodeView c = node("c", 2, 1.8, true, false);
        DrainPlanner.Plan plan = planner.plan(a, List.of(a, b, c), List.of(b));

        assertThat(plan.moves()).singleElement().satisfies(m -> assertThat(m.target().node().host()).isEqualTo("b"));
        DrainPlanner.Plan none = planner.plan(node("a", 2, 0.1, true, false, 0, 1), List.of(a, b, c), List.of(a));
        assertThat(none.refusal()).contains("--onto nodes have 0", "no other node");
    }

    @Test
    void anEmptyNodeHasAnEmptyPlan() {
        NodeView a = node("a", 2, 0.1, true, false);
        assertThat(planner.plan(a, List.of(a), List.of()).moves()).isEmpty();
        assertThat(planner.plan(a, List.of(a), List.of()).refused()).isFalse();
    }
}
