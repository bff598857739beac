package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.profiling.NodeProfile;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which malleable jobs a drain without room shrinks, by how much, and when even that is refused. */
class DrainShrinkPlannerTest {
    /** A process of job {@code job} (size {@code size}), rank {@code rank}; malleable if {@code m}. */
    private static ProcessInfo p(String job, int rank, int size, boolean m) {
        return new ProcessInfo(job, rank, size, 100 + rank, "h", 0, 0).withMalleable(m);
    }

    private static NodeView node(String host, int slots, boolean drained, ProcessInfo... processes) {
        NodeProfile profile = new NodeProfile(host, 0, 2, 2, 1e9, 0.5, 1e9, 8L << 30, 4L << 30, 0);
        return new NodeView(new NodeInfo("pekko://roam@" + host + ":2552", "default", host, 1), true, false, 0,
                slots, new ArrayList<>(List.of(processes)), List.of(), List.of(), profile, null, drained,
                "/tmp/" + host + ".sock");
    }

    private static List<String> shrinks(DrainShrinkPlanner.Plan plan) {
        return plan.shrinks().stream().map(s -> s.jobId() + " " + s.oldSize() + "->" + s.newSize() + " via "
                + s.rank0().node().host()).toList();
    }

    @Test
    void theRankOnTheDrainedNodeLeavesWhenItIsTheHighest() {
        // a 3-rank job, one rank per node, every node full: draining c ends rank 2 (on c itself)
        NodeView a = node("a", 1, false, p("j", 0, 3, true));
        NodeView b = node("b", 1, false, p("j", 1, 3, true));
        NodeView c = node("c", 1, false, p("j", 2, 3, true));
        DrainShrinkPlanner.Plan plan = DrainShrinkPlanner.plan(c, List.of(a, b, c), List.of());
        assertThat(plan.refused()).isFalse();
        assertThat(shrinks(plan)).containsExactly("j 3->2 via a");
    }

    @Test
    void aLeavingRankElsewhereFreesTheSlotTheDrainedRankMovesTo() {
        // draining b (rank 1): rank 2 on c leaves, and c's slot then takes rank 1
        NodeView a = node("a", 1, false, p("j", 0, 3, true));
        NodeView b = node("b", 1, false, p("j", 1, 3, true));
        NodeView c = node("c", 1, false, p("j", 2, 3, true));
        assertThat(shrinks(DrainShrinkPlanner.plan(b, List.of(a, b, c), List.of()))).containsExactly("j 3->2 via a");
    }

    @Test
    void noShrinkWhenTheOthersHaveRoom() {
        NodeView a = node("a", 2, false, p("j", 0, 2, true));
        NodeView b = node("b", 1, false, p("j", 1, 2, true));
        DrainShrinkPlanner.Plan plan = DrainShrinkPlanner.plan(b, List.of(a, b), List.of());
        assertThat(plan.refused()).isFalse();
        assertThat(plan.shrinks()).isEmpty();
    }

    @Test
    void theMissingSlotsAreTakenFromTheJobsInTurn() {
        // d holds two ranks of each of two jobs; a, b, c are full: 4 missing slots, 2 from each job
        NodeView a = node("a", 1, false, p("x", 0, 4, true));
        NodeView b = node("b", 1, false, p("y", 0, 4, true));
        NodeView c = node("c", 2, false, p("x", 1, 4, true), p("y", 1, 4, true));
        NodeView d = node("d", 4, false, p("x", 2, 4, true), p("x", 3, 4, true), p("y", 2, 4, true),
                p("y", 3, 4, true));
        DrainShrinkPlanner.Plan plan = DrainShrinkPlanner.plan(d, List.of(a, b, c, d), List.of());
        assertThat(shrinks(plan)).containsExactly("x 4->2 via a", "y 4->2 via b");
    }

    @Test
    void aJobWhoseLeavingRankHelpsGoesFirst() {
        // draining c: job x's rank 2 runs on e (drained: ending it frees nothing usable), job y's
        // rank 1 runs on c itself: y shrinks, x keeps its size
        NodeView a = node("a", 1, false, p("x", 0, 3, true));
        NodeView b = node("b", 1, false, p("y", 0, 2, true));
        NodeView c = node("c", 2, false, p("x", 1, 3, true), p("y", 1, 2, true));
        NodeView e = node("e", 1, true, p("x", 2, 3, true));
        NodeView f = node("f", 1, false);
        DrainShrinkPlanner.Plan plan = DrainShrinkPlanner.plan(c, List.of(a, b, c, e, f), List.of());
        assertThat(shrinks(plan)).containsExactly("y 2->1 via b");
    }

    @Test
    void aJobThatIsNotMalleableIsNotShrunkAndTheDrainIsRefused() {
        NodeView a = node("a", 1, false, p("j", 0, 2, false));
        NodeView b = node("b", 1, false, p("j", 1, 2, false));
        DrainShrinkPlanner.Plan plan = DrainShrinkPlanner.plan(b, List.of(a, b), List.of());
        assertThat(plan.refused()).isTrue();
        assertThat(plan.refusal()).contains("no job", "1 rank(s) without a slot", "job j (not malleable");
    }

    @Test
    void aJobNeverGoesBelowOneProcess() {
        // rank 0 itself on the drained node, the only other node full with another job's rank
        NodeView a = node("a", 1, false, p("other", 0, 1, false));
        NodeView b = node("b", 1, false, p("j", 0, 2, true), p("j", 1, 2, true));
        DrainShrinkPlanner.Plan plan = DrainShrinkPlanner.plan(b, List.of(a, b), List.of());
        assertThat(plan.refused()).isTrue();
        assertThat(plan.refusal()).contains("malleable jobs [j] to one process each", "1 rank(s) without a slot");
        // with one free slot elsewhere, j goes to 1 process and rank 0 moves there
        NodeView c = node("c", 1, false);
        assertThat(shrinks(DrainShrinkPlanner.plan(b, List.of(a, b, c), List.of()))).containsExactly("j 2->1 via b");
    }

    @Test
    void anOversubscribedNodeGainsNoSlotFromALeaver() {
        // c runs 2 ranks in 1 slot: ending rank 3 there frees no slot; rank 2 on d (full) does
        NodeView a = node("a", 1, false, p("j", 0, 4, true));
        NodeView b = node("b", 1, false, p("j", 1, 4, true));
        NodeView c = node("c", 1, false, p("j", 3, 4, true), p("k", 0, 1, false));
        NodeView d = node("d", 1, false, p("j", 2, 4, true));
        DrainShrinkPlanner.Plan plan = DrainShrinkPlanner.plan(b, List.of(a, b, c, d), List.of());
        assertThat(shrinks(plan)).containsExactly("j 4->2 via a");
    }

    @Test
    void ontoLimitsWhereTheSlotsCount() {
        // rank 2 runs on c, which is not among --onto: ending it does not help; d is the only target
        NodeView a = node("a", 1, false, p("j", 0, 3, true));
        NodeView b = node("b", 1, false, p("j", 1, 3, true));
        NodeView c = node("c", 1, false, p("j", 2, 3, true));
        NodeView d = node("d", 1, false, p("k", 0, 1, true));
        DrainShrinkPlanner.Plan plan = DrainShrinkPlanner.plan(b, List.of(a, b, c, d), List.of(d));
        // j shrinks to 1 (rank 2 on c frees nothing on d, rank 1 is b's own), k to nothing below 1
        assertThat(shrinks(plan)).containsExactly("j 3->1 via a");
    }
}
