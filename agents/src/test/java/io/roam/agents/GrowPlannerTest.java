package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.agents.ClusterQueries.NodeView;
import io.roam.decision.GrowGain;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
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

    // --- the gain model (roam.agent.grow.gain) ---
    private static final GrowGain.Settings GAIN = new GrowGain.Settings(1.1, Duration.ofSeconds(1), 40L << 20,
            Duration.ofSeconds(60));
    private static final double SPEED = 1e9;   // updates/s per core on every node

    /** Rank {@code rank} of job j (size 2) as profiled: 0.6 cores, computing {@code computeShare} of 4 ms. */
    private static ProcessProfile profile(int rank, double computeShare) {
        return new ProcessProfile("j", rank, 100 + rank, 0, NOW, 0, 1 << 26, 16L << 20, 1000, 4_000_000, 0, 0, 0.6,
                computeShare, List.of());
    }

    /** Node host with 0.6 cores of quota, {@code available} updates/s available, rank r of j (or none). */
    private static NodeView measured(String host, int slots, double available, Integer rank, double computeShare) {
        return measured(host, slots, available, SPEED, rank, computeShare);
    }

    private static NodeView measured(String host, int slots, double available, double speed, Integer rank,
                                     double computeShare) {
        NodeProfile np = new NodeProfile(host, NOW, 2, 0.6, speed, 0.5, available, 1L << 33, 1L << 32, 0);
        List<ProcessInfo> ps = rank == null ? List.of() : List.of(p("j", rank, 2));
        List<ProcessProfile> prof = rank == null ? List.of() : List.of(profile(rank, computeShare));
        return new NodeView(new NodeInfo(address(host), "default", host, 1), true, false, OLD, slots,
                new ArrayList<>(ps), List.of(), prof, np, null, false, "/tmp/s");
    }

    private static GrowPlanner.Plan gainPlan(String self, NodeView... nodes) {
        return GrowPlanner.plan(List.of(nodes), local(self), NOW, SETTLE, 0, GAIN);
    }

    @Test
    void withTheGainModelAComputeBoundJobGrowsOntoANodeThatOffersACore() {
        GrowPlanner.Plan plan = gainPlan("a", measured("a", 1, 0, 0, 0.9), measured("b", 1, 0, 1, 0.9),
                measured("c", 1, 0.6 * SPEED, null, 0));
        assertThat(plan.grows()).singleElement().satisfies(g -> {
            assertThat(g.hosts()).containsExactly("c");
            // W = 2 x 0.9 x 4 ms x 0.6e9; a third at 0.6e9 = 2.4 ms, + 0.4 ms not computing
            assertThat(g.estimate().afterSeconds()).isCloseTo(0.0028, org.assertj.core.api.Assertions.within(1e-9));
            assertThat(g.estimate().pays()).isTrue();
            assertThat(g.describe()).contains("job j 2 -> 3 processes, the new ones on c (2 -> 3 processes: "
                    + "predicted 4.00 -> 2.80 ms per iteration");
        });
        assertThat(plan.declined()).isEmpty();
        // the agent of rank 1 plans the same and orders nothing, nor declines anything of its own
        GrowPlanner.Plan onB = gainPlan("b", measured("a", 1, 0, 0, 0.9), measured("b", 1, 0, 1, 0.9),
                measured("c", 1, 0.6 * SPEED, null, 0));
        assertThat(onB.grows()).isEmpty();
        assertThat(onB.declined()).isEmpty();
    }

    @Test
    void withTheGainModelASlowNodeOrAJobThatMostlyWaitsDoesNotGrow() {
        // the free node offers a tenth of a core: the new rank would be the slowest by far
        GrowPlanner.Plan slow = gainPlan("a", measured("a", 1, 0, 0, 0.9), measured("b", 1, 0, 1, 0.9),
                measured("c", 1, 0.1 * SPEED, null, 0));
        assertThat(slow.grows()).isEmpty();
        assertThat(slow.declined().get("j").veto()).startsWith("no speedup");
        // the job computes 10 % of its time: a third less of that is no gain
        GrowPlanner.Plan waits = gainPlan("a", measured("a", 1, 0, 0, 0.1), measured("b", 1, 0, 1, 0.1),
                measured("c", 1, 0.6 * SPEED, null, 0));
        assertThat(waits.grows()).isEmpty();
        assertThat(waits.declined().get("j").veto()).startsWith("no speedup: 1.03 x");
        // without the model the same status grows the job
        assertThat(plan(List.of(measured("a", 1, 0, 0, 0.1), measured("b", 1, 0, 1, 0.1),
                measured("c", 1, 0.6 * SPEED, null, 0)), local("a"))).containsExactly("j 2->3 on [c]");
    }

    @Test
    void withTheGainModelASlotTheNodeHasNoProcessingForIsLeft() {
        // c has 2 slots but 0.6 cores available: the first new process takes them, a second would get nothing
        GrowPlanner.Plan plan = gainPlan("a", measured("a", 1, 0, 0, 0.9), measured("b", 1, 0, 1, 0.9),
                measured("c", 2, 0.6 * SPEED, null, 0));
        assertThat(plan.grows()).singleElement().satisfies(g -> assertThat(g.hosts()).containsExactly("c"));
        // cores of 0.6e9 updates/s and two of them available: both slots, a quarter of the work each (1.8 + 0.4 ms)
        GrowPlanner.Plan two = gainPlan("a", measured("a", 1, 0, 0, 0.9), measured("b", 1, 0, 1, 0.9),
                measured("c", 2, 1.2e9, 0.6e9, null, 0));
        assertThat(two.grows()).singleElement().satisfies(g -> {
            assertThat(g.hosts()).containsExactly("c", "c");
            assertThat(g.estimate().afterSeconds()).isCloseTo(0.0022, org.assertj.core.api.Assertions.within(1e-9));
        });
    }

    @Test
    void withTheGainModelAJobNotProfiledYetWaits() {
        GrowPlanner.Plan plan = GrowPlanner.plan(List.of(node("a", 1, OLD, true, false, p("j", 0, 2)),
                node("b", 1, OLD, true, false, p("j", 1, 2)), measured("c", 1, 0.6 * SPEED, null, 0)), local("a"),
                NOW, SETTLE, 0, GAIN);
        assertThat(plan.grows()).isEmpty();
        assertThat(plan.declined().get("j").veto()).isEqualTo("profiles of fewer than the 2 ranks");
    }

    // --- shrinking a job whose highest rank is slow (roam.agent.grow.shrink-slow) ---

    /** Node host (0.6 cores of quota, nothing available) running rank r of job j of size 3. */
    private static NodeView ranked(String host, int rank, double cores, double computeShare) {
        NodeProfile np = new NodeProfile(host, NOW, 2, 0.6, SPEED, 1, 0, 1L << 33, 1L << 32, 0);
        ProcessProfile pp = new ProcessProfile("j", rank, 100 + rank, 0, NOW, 0, 1 << 26, 16L << 20, 1000, 9_200_000,
                0, 0, cores, computeShare, List.of());
        return new NodeView(new NodeInfo(address(host), "default", host, 1), true, false, OLD, 1,
                new ArrayList<>(List.of(p("j", rank, 3))), List.of(), List.of(pp), np, null, false, "/tmp/s");
    }

    @Test
    void aJobWhoseHighestRankIsSlowShrinksByIt() {
        // rank 2 gets 0.15 cores and computes 97 % of 9.2 ms; ranks 0 and 1 wait for it
        List<NodeView> nodes = List.of(ranked("a", 0, 0.6, 0.24), ranked("b", 1, 0.6, 0.24),
                ranked("c", 2, 0.15, 0.97));
        GrowPlanner.ShrinkPlan plan = GrowPlanner.shrinks(nodes, local("a"), NOW, SETTLE, GAIN);
        assertThat(plan.shrinks()).singleElement().satisfies(k -> {
            assertThat(k.newSize()).isEqualTo(2);
            // each rank's work the typical one (0.24 x 9.2 ms x 0.6e9 = 1.3248e6 updates): three in
            // halves at 0.6e9 = 3.31 ms, + what rank 2 does not compute of its 9.2 ms (0.37 ms)
            double w = 0.24 * 0.0092 * 0.6e9;
            assertThat(k.estimate().afterSeconds()).isCloseTo(3 * w / 2 / 0.6e9 + (0.0092 - w / 0.15e9),
                    org.assertj.core.api.Assertions.within(1e-9));
            assertThat(k.describe()).startsWith("job j 3 -> 2 processes, rank 2 and up leaving (3 -> 2 processes: "
                    + "predicted 9.20 -> 3.68 ms per iteration");
        });
        // only the agent of rank 0 orders it
        assertThat(GrowPlanner.shrinks(nodes, local("c"), NOW, SETTLE, GAIN).shrinks()).isEmpty();
        // not settled (rank 0 registered 5 s ago): nothing
        assertThat(GrowPlanner.shrinks(nodes, local("a"), OLD + 5_000, SETTLE, GAIN).shrinks()).isEmpty();
    }

    @Test
    void aCheckWhoseStatusLacksARankJudgesNothingAndSaysWhichNode() {
        // rank 2's node did not answer the status query in time (listed unreachable, no processes)
        NodeView c = ranked("c", 2, 0.15, 0.97);
        NodeView silent = new NodeView(c.node(), false, false, 0, 0, List.of(), List.of(), List.of(), null, null,
                false, "/tmp/s");
        List<NodeView> nodes = List.of(ranked("a", 0, 0.6, 0.24), ranked("b", 1, 0.6, 0.24), silent);
        GrowPlanner.ShrinkPlan plan = GrowPlanner.shrinks(nodes, local("a"), NOW, SETTLE, GAIN);
        assertThat(plan.shrinks()).isEmpty();
        assertThat(plan.declined()).isEmpty();
        assertThat(plan.unjudged()).containsOnlyKeys("j");
        assertThat(plan.unjudged().get("j")).isEqualTo(GrowPlanner.MISSING + ": ranks [2] (nodes not answering: [c])");
        // the grow planner says the same of its own job, and nothing of another agent's
        assertThat(GrowPlanner.plan(nodes, local("a"), NOW, SETTLE, 0, GAIN).unjudged()).containsOnlyKeys("j");
        assertThat(GrowPlanner.plan(nodes, local("b"), NOW, SETTLE, 0, GAIN).unjudged()).isEmpty();
        // a job that is merely settling is not "unjudged": its row of paying checks starts anew
        assertThat(GrowPlanner.shrinks(nodes, local("a"), OLD + 5_000, SETTLE, GAIN).unjudged()).isEmpty();
    }

    @Test
    void aSlowRankBelowTheHighestOrABalancedJobDoesNotShrink() {
        // rank 0 is the slow one: a shrink would end rank 2 and leave rank 0 with more work
        GrowPlanner.ShrinkPlan slow0 = GrowPlanner.shrinks(List.of(ranked("a", 0, 0.15, 0.97),
                ranked("b", 1, 0.6, 0.24), ranked("c", 2, 0.6, 0.24)), local("a"), NOW, SETTLE, GAIN);
        assertThat(slow0.shrinks()).isEmpty();
        assertThat(slow0.declined().get("j").veto()).startsWith("no speedup");
        GrowPlanner.ShrinkPlan even = GrowPlanner.shrinks(List.of(ranked("a", 0, 0.6, 0.9),
                ranked("b", 1, 0.6, 0.9), ranked("c", 2, 0.6, 0.9)), local("a"), NOW, SETTLE, GAIN);
        assertThat(even.shrinks()).isEmpty();
        assertThat(even.declined().get("j").veto()).startsWith("no speedup");
    }

    @Test
    void shrinkSlowNeedsTheGainModel() {
        com.typesafe.config.Config c = com.typesafe.config.ConfigFactory.parseString(
                "roam.agent.grow { shrink-slow = true, gain = false }")
                .withFallback(com.typesafe.config.ConfigFactory.defaultReference()).resolve();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AgentConfig.from(c))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("roam.agent.grow.shrink-slow")
                .hasMessageContaining("true only with roam.agent.grow.gain = true");
        assertThat(AutoGrow.Settings.from(com.typesafe.config.ConfigFactory.defaultReference()).shrinkSlow()).isFalse();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} = {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "roam.agent.grow.settle | 2h | 0 to 1 h",
        "roam.agent.grow.interval | 10ms | 100 ms to 1 h",
        "roam.agent.grow.max-processes | -1 | 0 to 1048576",
        "roam.agent.grow.on-join | maybe | true or false",
        "roam.agent.grow.gain | 1.5 | true or false",
        "roam.agent.grow.min-speedup | 0.9 | 1 to 100",
        "roam.agent.grow.resize-cost | 11m | 0 to 10 min",
        "roam.agent.grow.redistribution-rate | 1000 | 1 KiB to 100 GiB",
        "roam.agent.grow.payback-horizon | 25h | 1 s to 24 h",
        "roam.agent.grow.checks | 0 | 1 to 100",
        "roam.agent.grow.shrink-slow | 2 | true or false",
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
        // the gain model is on once growing is: 1.1 x, 1 s + the data at 40 MiB/s, paid back within 60 s, 3 checks
        assertThat(s.gain()).isEqualTo(new GrowGain.Settings(1.1, Duration.ofSeconds(1), 40L << 20,
                Duration.ofSeconds(60)));
        assertThat(s.checks()).isEqualTo(3);
        assertThat(com.typesafe.config.ConfigFactory.defaultReference().getBoolean("roam.agent.drain.shrink-malleable"))
                .isFalse();
    }
}
