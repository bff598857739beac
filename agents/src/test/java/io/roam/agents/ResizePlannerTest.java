package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.topologies.NodeInfo;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code POST /api/resize} checks a resize and chooses a grow's hosts ({@link ResizePlanner}). */
class ResizePlannerTest {
    /** A node with {@code slots} and job j's ranks on it (the job has {@code size} processes). */
    private static NodeView node(String host, int slots, boolean reachable, boolean drained, int size, int... ranks) {
        List<ProcessInfo> processes = new ArrayList<>();
        for (int r : ranks) {
            processes.add(new ProcessInfo("j", r, size, 100 + r, host, 0, 0));
        }
        return new NodeView(new NodeInfo("pekko://roam@" + host + ":2552", "default", host, 1), reachable, false, 0,
                slots, processes, List.of(), List.of(), null, null, drained, "/tmp/" + host + ".sock");
    }

    @Test
    void aGrowFillsTheNodesWithTheMostFreeSlotsFirst() {
        NodeView a = node("a", 2, true, false, 2, 0, 1);   // full
        NodeView b = node("b", 2, true, false, 2);         // 2 free
        NodeView c = node("c", 3, true, false, 2);         // 3 free
        ResizePlanner.Plan plan = ResizePlanner.plan(List.of(a, b, c), "j", 5, List.of());
        assertThat(plan.refused()).isFalse();
        assertThat(plan.rank0()).isEqualTo(a);
        assertThat(plan.size()).isEqualTo(2);
        // c 3 free -> c (2 left), then b and c tie at 2: b first by name, then c (1 each)
        assertThat(plan.hosts()).containsExactly("c", "b", "c");
    }

    @Test
    void drainedAndUnreachableNodesTakeNothing() {
        NodeView a = node("a", 2, true, false, 2, 0, 1);
        NodeView b = node("b", 4, true, true, 2);
        NodeView c = node("c", 4, false, false, 2);
        NodeView d = node("d", 1, true, false, 2);
        assertThat(ResizePlanner.plan(List.of(a, b, c, d), "j", 3, List.of()).hosts()).containsExactly("d");
        ResizePlanner.Plan tooBig = ResizePlanner.plan(List.of(a, b, c, d), "j", 4, List.of());
        assertThat(tooBig.refused()).isTrue();
        assertThat(tooBig.refusal()).isEqualTo("cannot grow job j from 2 to 4: its 2 new processes need 2 free slots,"
                + " the nodes have 1 (a 2 of 2 slots used, b drained, c unreachable, d 0 of 1 slots used);"
                + " --on places them anyway");
    }

    @Test
    void onNamesTheHostsEvenWithoutFreeSlots() {
        NodeView a = node("a", 2, true, false, 2, 0, 1);
        NodeView b = node("b", 1, true, false, 2);
        ResizePlanner.Plan plan = ResizePlanner.plan(List.of(a, b), "j", 4, List.of("b", "pekko://roam@a:2552"));
        assertThat(plan.hosts()).containsExactly("b", "a");
        assertThat(ResizePlanner.plan(List.of(a, b), "j", 4, List.of("zz")).refusal()).startsWith("unknown node zz");
        NodeView drained = node("b", 1, true, true, 2);
        assertThat(ResizePlanner.plan(List.of(a, drained), "j", 3, List.of("b")).refusal())
                .isEqualTo("node b is drained: it takes no new work (roam undrain b)");
    }

    @Test
    void aShrinkNeedsNoHostsAndTakesNone() {
        NodeView a = node("a", 2, true, false, 4, 0, 1);
        NodeView b = node("b", 2, true, false, 4, 2, 3);
        ResizePlanner.Plan plan = ResizePlanner.plan(List.of(b, a), "j", 2, List.of());
        assertThat(plan.refused()).isFalse();
        assertThat(plan.rank0()).isEqualTo(a);
        assertThat(plan.size()).isEqualTo(4);
        assertThat(plan.hosts()).isEmpty();
        assertThat(ResizePlanner.plan(List.of(a, b), "j", 2, List.of("b")).refusal()).contains("a shrink (4 -> 2)");
    }

    @Test
    void refusalsBeforeAnythingIsDone() {
        NodeView a = node("a", 8, true, false, 2, 0, 1);
        assertThat(ResizePlanner.plan(List.of(a), "j", 2, List.of()).refusal())
                .isEqualTo("job j runs with 2 processes already: nothing to do");
        assertThat(ResizePlanner.plan(List.of(a), "other", 4, List.of()).refusal())
                .startsWith("job other has no process registered with any reachable agent");
        assertThat(ResizePlanner.plan(List.of(node("b", 8, true, false, 2, 1)), "j", 4, List.of()).refusal())
                .startsWith("rank 0 of job j is not registered with any reachable agent");
        assertThat(ResizePlanner.plan(List.of(a), "j", 0, List.of()).refusal()).isEqualTo("ranks must be at least 1, was 0");
        NodeView big = node("a", 200, true, false, 2, 0, 1);
        assertThat(ResizePlanner.plan(List.of(big), "j", 67, List.of()).refusal())
                .startsWith("a grow adds at most 64 processes at once");
    }
}
