package io.roam.topologies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class P2pTopologyTest {

    private static Set<String> addresses(List<NodeInfo> nodes) {
        Set<String> out = new HashSet<>();
        nodes.forEach(n -> out.add(n.address()));
        return out;
    }

    private static void assertWellFormed(SimCluster sim, int max) {
        Set<String> alive = addresses(sim.members());
        for (Topology view : sim.views()) {
            List<NodeInfo> nb = view.neighbours();
            assertThat(nb).hasSize(Math.min(max, alive.size() - 1))
                    .doesNotContain(view.self())
                    .doesNotHaveDuplicates()
                    .isSortedAccordingTo(NodeInfo.BY_ADDRESS);
            assertThat(addresses(nb)).isSubsetOf(alive);
            assertThat(view.localCluster()).hasSize(alive.size() - 1).doesNotContain(view.self());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5, 100})
    void neighbourSetsAreBoundedAndNeverContainSelf(int n) {
        SimCluster sim = SimCluster.p2p(10, 1).joinAll(n);
        assertWellFormed(sim, 10);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5, 100})
    void smallBoundHoldsToo(int n) {
        SimCluster sim = SimCluster.p2p(2, 11).joinAll(n);
        assertWellFormed(sim, 2);
    }

    @Test
    void refillsFromRemainingMembersAfterANeighbourLeaves() {
        SimCluster sim = SimCluster.p2p(3, 2).joinAll(5);
        P2pTopology view = (P2pTopology) sim.view(SimCluster.address(0));
        List<NodeInfo> before = view.neighbours();
        assertThat(before).hasSize(3);
        NodeInfo gone = before.get(1);
        Set<String> spare = addresses(view.localCluster());
        spare.removeAll(addresses(before));
        assertThat(spare).hasSize(1);

        sim.leave(gone.address());

        assertThat(view.neighbours()).hasSize(3).doesNotContain(gone);
        assertThat(addresses(view.neighbours())).containsAll(spare);
        assertWellFormed(sim, 3);
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5, 100})
    void aLeavingNodeIsRemovedFromEveryNeighbourSet(int n) {
        SimCluster sim = SimCluster.p2p(10, 3).joinAll(n);
        Random order = new Random(99);
        Set<String> gone = new HashSet<>();
        int leaves = n == 100 ? 60 : n - 1;
        for (int i = 0; i < leaves; i++) {
            List<NodeInfo> alive = sim.members();
            NodeInfo leaving = alive.get(order.nextInt(alive.size()));
            // it also contacted everyone, so it sits in contacted-only slots too
            sim.views().forEach(v -> v.contactedBy(leaving));
            sim.leave(leaving.address());
            gone.add(leaving.address());
            for (Topology view : sim.views()) {
                assertThat(addresses(view.neighbours())).doesNotContainAnyElementsOf(gone);
                assertThat(addresses(view.localCluster())).doesNotContainAnyElementsOf(gone);
            }
            assertWellFormed(sim, 10);
        }
    }

    @Test
    void contactedByExtendsBeyondTheBoundUpToTwiceIt() {
        SimCluster sim = SimCluster.p2p(3, 4).joinAll(12);
        P2pTopology view = (P2pTopology) sim.view(SimCluster.address(0));
        assertThat(view.neighbourCap()).isEqualTo(6);
        List<NodeInfo> chosen = view.chosenNeighbours();
        List<NodeInfo> others = new ArrayList<>(view.localCluster());
        others.removeAll(chosen);

        view.contactedBy(chosen.get(0)); // already a neighbour: nothing changes
        assertThat(view.neighbours()).hasSize(3);

        for (int i = 0; i < 3; i++) {
            view.contactedBy(others.get(i));
        }
        assertThat(view.neighbours()).hasSize(6).containsAll(chosen).containsAll(others.subList(0, 3));

        view.contactedBy(others.get(0)); // refreshes others[0]: others[1] is now least recent
        view.contactedBy(others.get(3)); // at the cap: others[1] goes
        assertThat(view.neighbours()).hasSize(6)
                .contains(others.get(0), others.get(2), others.get(3))
                .doesNotContain(others.get(1));
        assertThat(view.contactedNeighbours()).containsExactly(others.get(2), others.get(0), others.get(3));
    }

    @Test
    void aContactedOnlyAgentIsRemovedWhenItLeaves() {
        SimCluster sim = SimCluster.p2p(2, 5).joinAll(6);
        P2pTopology view = (P2pTopology) sim.view(SimCluster.address(0));
        NodeInfo stranger = new NodeInfo("pekko://roam@10.9.9.9:2552", "stranger", 77);
        NodeInfo notChosen = view.localCluster().stream()
                .filter(m -> !view.chosenNeighbours().contains(m)).findFirst().orElseThrow();
        view.contactedBy(stranger); // not (yet) a known member
        view.contactedBy(notChosen);
        assertThat(view.neighbours()).hasSize(4).contains(stranger, notChosen);
        assertThat(view.localCluster()).doesNotContain(stranger);

        view.memberRemoved(stranger.address());
        sim.leave(notChosen.address());
        assertThat(view.neighbours()).hasSize(2).doesNotContain(stranger, notChosen);
    }

    @Test
    void sameSeedSameSetsAndAnotherSeedOtherSets() {
        SimCluster a = SimCluster.p2p(10, 123).joinAll(100);
        SimCluster b = SimCluster.p2p(10, 123).joinAll(100);
        SimCluster c = SimCluster.p2p(10, 124).joinAll(100);
        for (String address : List.of(SimCluster.address(5), SimCluster.address(50))) {
            a.leave(address);
            b.leave(address);
            c.leave(address);
        }
        boolean anyDifferent = false;
        for (NodeInfo m : a.members()) {
            assertThat(b.view(m).neighbours()).isEqualTo(a.view(m).neighbours());
            anyDifferent |= !c.view(m).neighbours().equals(a.view(m).neighbours());
        }
        assertThat(anyDifferent).isTrue();
    }

    @Test
    void neighbourSetsDoNotDependOnJoinOrder() {
        // Without resampling on join every agent would keep the ten oldest members.
        SimCluster sim = SimCluster.p2p(10, 6).joinAll(100);
        Map<String, Integer> inDegree = new HashMap<>();
        sim.views().forEach(v -> v.neighbours().forEach(nb -> inDegree.merge(nb.address(), 1, Integer::sum)));
        assertThat(inDegree.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(100 * 10);
        assertThat(inDegree.values().stream().mapToInt(Integer::intValue).max().orElseThrow()).isLessThan(25);
        double oldestTen = sim.members().subList(0, 10).stream()
                .mapToInt(m -> inDegree.getOrDefault(m.address(), 0)).average().orElseThrow();
        assertThat(oldestTen).isLessThan(15);
        assertThat(inDegree).hasSizeGreaterThan(90);
    }

    @Test
    void weightedNeighbourFollowsWeightsAndSkipsZeroWeights() {
        SimCluster sim = SimCluster.p2p(10, 8).joinAll(5);
        Topology view = sim.view(SimCluster.address(0));
        List<NodeInfo> nb = view.neighbours();
        assertThat(nb).hasSize(4);
        Map<String, Double> weight = Map.of(nb.get(0).address(), 0.0, nb.get(1).address(), 1.0,
                nb.get(2).address(), 3.0, nb.get(3).address(), Double.NaN);
        Random rnd = new Random(2024);
        Map<NodeInfo, Integer> counts = new HashMap<>();
        int draws = 40_000;
        for (int i = 0; i < draws; i++) {
            counts.merge(view.weightedNeighbour(n -> weight.get(n.address()), rnd).orElseThrow(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys(nb.get(1), nb.get(2));
        assertThat(counts.get(nb.get(2)) / (double) draws).isCloseTo(0.75, within(0.01));
        assertThat(view.weightedNeighbour(n -> 0.0, rnd)).isEmpty();
    }

    @Test
    void randomNeighbourCoversTheSetAndIsEmptyWhenAlone() {
        SimCluster sim = SimCluster.p2p(10, 9).joinAll(4);
        Topology view = sim.view(SimCluster.address(1));
        Random rnd = new Random(1);
        Set<NodeInfo> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            seen.add(view.randomNeighbour(rnd).orElseThrow());
        }
        assertThat(seen).containsExactlyInAnyOrderElementsOf(view.neighbours());
        Topology alone = new P2pTopology(new NodeInfo("pekko://roam@x:1", "x", 1), new Random(1));
        assertThat(alone.randomNeighbour(rnd)).isEmpty();
        assertThat(alone.neighbours()).isEmpty();
    }

    @Test
    void hasNoManagersAndOneCluster() {
        NodeInfo self = new NodeInfo("pekko://roam@a:1", "east", "a", 1);
        P2pTopology view = new P2pTopology(self, new Random(1));
        view.memberUp(new NodeInfo("pekko://roam@b:1", "west", "b", 2));
        assertThat(view.maxNeighbours()).isEqualTo(P2pTopology.DEFAULT_MAX_NEIGHBOURS);
        assertThat(view.isManager()).isFalse();
        assertThat(view.managerOf("east")).isEmpty();
        assertThat(view.otherClusterManagers()).isEmpty();
        assertThat(view.clusters()).containsExactly("east");
        assertThat(view.localCluster()).hasSize(1);
    }

    @Test
    void eventsAboutSelfOnlyRefreshSelf() {
        NodeInfo self = new NodeInfo("pekko://roam@a:1", "a", 1000);
        P2pTopology view = new P2pTopology(self, 3, new Random(1));
        NodeInfo up = new NodeInfo("pekko://roam@a:1", "a", 4);
        view.memberUp(up);
        view.contactedBy(up);
        view.memberRemoved(up.address());
        assertThat(view.self()).isEqualTo(up);
        assertThat(view.neighbours()).isEmpty();
        assertThat(view.localCluster()).isEmpty();
        assertThatThrownBy(() -> view.memberUp(new NodeInfo("pekko://roam@a:1", "other", "a", 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other");
    }

    @Test
    void repeatedAndUnknownEventsAreHarmless() {
        SimCluster sim = SimCluster.p2p(3, 10).joinAll(6);
        Topology view = sim.view(SimCluster.address(0));
        List<NodeInfo> before = view.neighbours();
        sim.members().forEach(view::memberUp);
        view.memberRemoved("pekko://roam@nowhere:1");
        assertThat(view.neighbours()).isEqualTo(before);
    }

    @Test
    void rejectsABadBound() {
        NodeInfo self = new NodeInfo("pekko://roam@a:1", "a", 1);
        assertThatThrownBy(() -> new P2pTopology(self, 0, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxNeighbours");
        assertThatThrownBy(() -> new P2pTopology(self, -3, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new P2pTopology(self, Integer.MAX_VALUE, new Random(1)).neighbourCap())
                .isEqualTo(Integer.MAX_VALUE);
    }
}
