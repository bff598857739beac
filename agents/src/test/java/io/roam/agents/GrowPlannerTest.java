package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.protocol.AgentMessage.ProcessInfo;
import io.roam.topologies.NodeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** When an agent grows its malleable jobs onto free slots, onto which nodes, and when it waits. */
class GrowPlannerTest {
    private static final Duration SETTLE = Duration.ofSeconds(30);
    private static final long NOW = 1_000_000_000L;
    private static final long OLD = NOW - 60_000;   // registered or up a minute ago: settled

    private static ProcessInfo p(String job, int rank, int size) {
        return new ProcessInfo(job, rank, size, 100 + rank, "h", 0, OLD).withMalleable(true);
    }

    private static NodeView node(String host, int slots, long upSince, boolean reachable, boolean drained,
                                 ProcessInfo... processes) {
        return new NodeView(new NodeInfo(address(host), "default", host, 1), reachable, false, upSince, slots,
                new ArrayList<>(List.of(processes)), List.of(), List.of(), null, null, drained, "/tmp/s");
    }

    private static String address(String host) {
        return "pekko://roam@" + host + ":2552";
    }

    private static GrowPlanner.Local local(String host) {
        return new GrowPlanner.Local(address(host), Map.of(), Map.of(), Set.of());
    }

    private static List<String> plan(List<NodeView> nodes, GrowPlanner.Local local) {
        return GrowPlanner.plan(nodes, local, NOW, SETTLE, 0).stream()
                .map(g -> g.jobId() + " " + g.oldSize() + "->" + g.newSize() + " on " + g.hosts()).toList();
    }

    @Test
    void aJoinedNodeWithFreeSlotsTakesNewProcessesOnceItHasSettled() {
        NodeView a = node("a", 1, OLD, true, false, p("j", 0, 2));
        NodeView b = node("b", 1, OLD, true, false, p("j", 1, 2));
        NodeView c = node("c", 2, OLD, true, false);
        assertThat(plan(List.of(a, b, c), local("a"))).containsExactly("j 2->4 on [c, c]");
        // just joined: not yet
        NodeView fresh = node("c", 2, NOW - 1_000, true, false);
        assertThat(plan(List.of(a, b, fresh), local("a"))).isEmpty();
        // the agent of rank 0 orders; another agent plans the same and orders nothing
        assertThat(plan(List.of(a, b, c), local("b"))).isEmpty();
    }

    @Test
    void drainedUnreachableAndFullNodesAreNoTargets() {
        NodeView a = node("a", 2, OLD, true, false, p("j", 0, 3), p("j", 1, 3));
        NodeView b = node("b", 1, OLD, true, false, p("j", 2, 3));
        NodeView c = node("c", 4, OLD, true, true);
        NodeView d = node("d", 4, OLD, false, false);
        assertThat(plan(List.of(a, b, c, d), local("a"))).isEmpty();
    }

    @Test
    void aJobThatIsNotSettledDoesNotGrow() {
        NodeView c = node("c", 2, OLD, true, false);
        // rank 0 just registered (the job started, or rank 0 just moved)
        ProcessInfo young = new ProcessInfo("j", 0, 1, 1, "h", 0, NOW - 5_000).withMalleable(true);
        assertThat(plan(List.of(node("a", 1, OLD, true, false, young), c), local("a"))).isEmpty();
        // not malleable
        ProcessInfo plain = new ProcessInfo("j", 0, 1, 1, "h", 0, OLD);
        assertThat(plan(List.of(node("a", 1, OLD, true, false, plain), c), local("a"))).isEmpty();
        // a rank of its size missing (a grow's new process not registered yet), or one too many (a leaver)
        NodeView a = node("a", 1, OLD, true, false, p("j", 0, 3));
        NodeView b = node("b", 2, OLD, true, false, p("j", 1, 3));
        assertThat(plan(List.of(a, b, c), local("a"))).isEmpty();
        NodeView b2 = node("b", 2, OLD, true, false, p("j", 1, 2), p("j", 2, 2));
        assertThat(plan(List.of(node("a", 1, OLD, true, false, p("j", 0, 2)), b2, c), local("a"))).isEmpty();
        // stalled
        NodeView bs = node("b", 1, OLD, true, false, p("j", 1, 2).withStalled("waits in MPI_Comm_spawn"));
        assertThat(plan(List.of(node("a", 1, OLD, true, false, p("j", 0, 2)), bs, c), local("a"))).isEmpty();
    }

    @Test
    void aRecentOrRunningResizeHoldsTheJob() {
        NodeView a = node("a", 1, OLD, true, false, p("j", 0, 1));
        NodeView c = node("c", 1, OLD, true, false);
        GrowPlanner.Local recent = new GrowPlanner.Local(address("a"), Map.of(), Map.of("j", NOW - 10_000), Set.of());
        assertThat(plan(List.of(a, c), recent)).isEmpty();
        GrowPlanner.Local longAgo = new GrowPlanner.Local(address("a"), Map.of(), Map.of("j", NOW - 31_000), Set.of());
        assertThat(plan(List.of(a, c), longAgo)).containsExactly("j 1->2 on [c]");
        GrowPlanner.Local running = new GrowPlanner.Local(address("a"), Map.of(), Map.of(), Set.of("j"));
        assertThat(plan(List.of(a, c), running)).isEmpty();
    }

    @Test
    void aNodeOutsideTheJobsHostsIsNeverATarget() {
        NodeView a = node("a", 1, OLD, true, false, p("j", 0, 1));
        NodeView c = node("c", 1, OLD, true, false);
        NodeView d = node("d", 1, OLD, true, false);
        GrowPlanner.Local hosts = new GrowPlanner.Local(address("a"), Map.of("j", List.of("a", "d")), Map.of(),
                Set.of());
        assertThat(plan(List.of(a, c, d), hosts)).containsExactly("j 1->2 on [d]");
    }

    @Test
    void theFreeSlotsAreSharedAmongTheJobsInTurn() {
        // two malleable jobs, rank 0 of x on a and of y on b; c has 3 free slots
        NodeView a = node("a", 1, OLD, true, false, p("x", 0, 1));
        NodeView b = node("b", 1, OLD, true, false, p("y", 0, 1));
        NodeView c = node("c", 3, OLD, true, false);
        List<NodeView> all = List.of(a, b, c);
        List<GrowPlanner.Grow> onA = GrowPlanner.plan(all, local("a"), NOW, SETTLE, 0);
        List<GrowPlanner.Grow> onB = GrowPlanner.plan(all, local("b"), NOW, SETTLE, 0);
        assertThat(onA).singleElement().satisfies(g -> assertThat(g.jobId()).isEqualTo("x"));
        assertThat(onB).singleElement().satisfies(g -> assertThat(g.jobId()).isEqualTo("y"));
        // the two agents' shares never exceed the free slots, and differ by at most one
        int x = onA.get(0).hosts().size();
        int y = onB.get(0).hosts().size();
        assertThat(x + y).isEqualTo(3);
        assertThat(Math.abs(x - y)).isEqualTo(1);
        // the first in turn moves each settle period: the job with 2 slots alternates
        int x2 = GrowPlanner.plan(all, local("a"), NOW + SETTLE.toMillis(), SETTLE, 0).get(0).hosts().size();
        assertThat(x2).isEqualTo(y);
    }

    @Test
    void maxProcessesCapsTheGrow() {
        NodeView a = node("a", 1, OLD, true, false, p("j", 0, 2), p("j", 1, 2));
        NodeView c = node("c", 8, OLD, true, false);
        assertThat(GrowPlanner.plan(List.of(a, c), local("a"), NOW, SETTLE, 3)).singleElement()
                .satisfies(g -> assertThat(g.newSize()).isEqualTo(3));
        assertThat(GrowPlanner.plan(List.of(node("a", 1, OLD, true, false, p("j", 0, 3), p("j", 1, 3),
                p("j", 2, 3)), c), local("a"), NOW, SETTLE, 3)).isEmpty();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} = {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "roam.agent.grow.settle | 2h | 0 to 1 h",
        "roam.agent.grow.interval | 10ms | 100 ms to 1 h",
        "roam.agent.grow.max-processes | -1 | 0 to 1048576",
        "roam.agent.grow.on-join | maybe | true or false",
        "roam.agent.drain.shrink-malleable | 2 | true or false"})
    void aBadSettingStopsTheAgentNamingTheKey(String key, String value, String allowed) {
        com.typesafe.config.Config c = com.typesafe.config.ConfigFactory.parseString(key + " = " + value)
                .withFallback(com.typesafe.config.ConfigFactory.defaultReference()).resolve();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AgentConfig.from(c))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key).hasMessageContaining(allowed);
    }

    @Test
    void theDefaultsAreOff() {
        AutoGrow.Settings s = AutoGrow.Settings.from(com.typesafe.config.ConfigFactory.defaultReference());
        assertThat(s.onJoin()).isFalse();
        assertThat(s.settle()).isEqualTo(Duration.ofSeconds(30));
        assertThat(com.typesafe.config.ConfigFactory.defaultReference().getBoolean("roam.agent.drain.shrink-malleable"))
                .isFalse();
    }
}
