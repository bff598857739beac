package io.roam.topologies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class C2cTopologyTest {

    private static final List<String> ABC = List.of("a", "b", "c");

    /** n agents joined in turn into clusters a, b, c, a, b, c, ... */
    private static SimCluster threeClusters(int n, int max, long seed) {
        SimCluster sim = SimCluster.c2c(max, seed);
        for (int i = 0; i < n; i++) {
            sim.join(ABC.get(i % 3));
        }
        return sim;
    }

    private static NodeInfo oldest(SimCluster sim, String cluster) {
        return sim.members().stream().filter(m -> m.cluster().equals(cluster))
                .min(NodeInfo.BY_AGE).orElseThrow();
    }

    private static void assertManagersAreOldestEverywhere(SimCluster sim) {
        List<String> clusters = sim.members().stream().map(NodeInfo::cluster).distinct().sorted().toList();
        for (Topology view : sim.views()) {
            assertThat(view.clusters()).isEqualTo(clusters);
            for (String c : clusters) {
                assertThat(view.managerOf(c)).hasValue(oldest(sim, c));
            }
            assertThat(view.isManager()).isEqualTo(oldest(sim, view.self().cluster()).equals(view.self()));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 5, 100})
    void managerIsTheOldestMemberInEveryView(int n) {
        SimCluster sim = threeClusters(n, 10, 1);
        assertManagersAreOldestEverywhere(sim);
        assertThat(sim.views().stream().filter(Topology::isManager).count()).isEqualTo(Math.min(n, 3));
    }

    @Test
    void managerIsReChosenWhenItLeavesInEveryView() {
        SimCluster sim = threeClusters(30, 10, 2);
        for (int round = 0; round < 5; round++) {
            NodeInfo old = oldest(sim, "a");
            sim.leave(old.address());
            NodeInfo next = oldest(sim, "a");
            assertThat(next).isNotEqualTo(old);
            assertManagersAreOldestEverywhere(sim);
            assertThat(sim.view(next).isManager()).isTrue();
            for (Topology view : sim.views()) {
                assertThat(view.neighbours()).doesNotContain(old);
                assertThat(view.otherClusterManagers()).doesNotContain(old);
                if (view.self().cluster().equals("a") && !view.isManager()) {
                    assertThat(view.otherClusterManagers()).containsExactly(next);
                }
                if (view.isManager() && !view.self().cluster().equals("a")) {
                    assertThat(view.otherClusterManagers()).contains(next); // only 2 other managers
                }
            }
        }
    }

    @Test
    void managersFormABoundedP2pNetworkAmongThemselves() {
        SimCluster sim = SimCluster.c2c(3, 3);
        for (int i = 0; i < 45; i++) {
            sim.join("c" + (i % 15));
        }
        Map<String, NodeInfo> managers = ((C2cTopology) sim.views().get(0)).managers();
        assertThat(managers).hasSize(15);
        for (Topology view : sim.views()) {
            if (view.isManager()) {
                List<NodeInfo> out = view.otherClusterManagers();
                assertThat(out).hasSize(3).doesNotContain(view.self());
                assertThat(managers.values()).containsAll(out);
                assertThat(out).noneMatch(m -> m.cluster().equals(view.self().cluster()));
                // a manager's neighbours: its local set plus its manager-neighbours
                List<NodeInfo> expected = new ArrayList<>(((C2cTopology) view).localNetwork().neighbours());
                expected.addAll(out);
                assertThat(view.neighbours()).containsExactlyInAnyOrderElementsOf(expected);
            } else {
                assertThat(view.otherClusterManagers()).containsExactly(managers.get(view.self().cluster()));
                assertThat(view.neighbours()).allMatch(n -> n.cluster().equals(view.self().cluster()));
            }
        }
    }

    @Test
    void nonManagerNeighboursAreItsLocalClusterBoundedLikeP2p() {
        SimCluster sim = threeClusters(60, 4, 4);
        for (Topology view : sim.views()) {
            assertThat(view.localCluster()).hasSize(19)
                    .allMatch(n -> n.cluster().equals(view.self().cluster()))
                    .doesNotContain(view.self());
            if (!view.isManager()) {
                assertThat(view.neighbours()).hasSize(4).isSubsetOf(view.localCluster());
            } else {
                assertThat(view.neighbours()).hasSize(4 + 2).doesNotContain(view.self());
            }
        }
    }

    @Test
    void aLeavingNodeIsRemovedFromEveryView() {
        SimCluster sim = threeClusters(100, 10, 5);
        Random order = new Random(7);
        for (int i = 0; i < 40; i++) {
            List<NodeInfo> alive = sim.members();
            NodeInfo leaving = alive.get(order.nextInt(alive.size()));
            sim.leave(leaving.address());
            for (Topology view : sim.views()) {
                assertThat(view.neighbours()).doesNotContain(leaving);
                assertThat(view.localCluster()).doesNotContain(leaving);
                assertThat(view.otherClusterManagers()).doesNotContain(leaving);
            }
            assertManagersAreOldestEverywhere(sim);
        }
    }

    @Test
    void aClusterThatBecomesEmptyDisappears() {
        SimCluster sim = threeClusters(9, 10, 6);
        NodeInfo solo = sim.join("solo");
        assertThat(sim.view(solo).isManager()).isTrue();
        assertThat(sim.view(solo).otherClusterManagers()).hasSize(3);
        for (Topology view : sim.views()) {
            assertThat(view.clusters()).containsExactly("a", "b", "c", "solo");
        }
        sim.leave(solo.address());
        for (Topology view : sim.views()) {
            assertThat(view.clusters()).containsExactly("a", "b", "c");
            assertThat(view.managerOf("solo")).isEmpty();
            assertThat(view.otherClusterManagers()).doesNotContain(solo);
        }
    }

    @Test
    void aLoneClustersManagerHasNoWayOut() {
        SimCluster sim = SimCluster.c2c(10, 7).joinAll(3);
        Topology first = sim.view(SimCluster.address(0));
        assertThat(first.isManager()).isTrue();
        assertThat(first.otherClusterManagers()).isEmpty();
        assertThat(first.clusters()).containsExactly("default");
        assertThat(sim.view(SimCluster.address(1)).otherClusterManagers()).containsExactly(first.self());
    }

    @Test
    void managersDoNotDependOnEventOrderAndTiesGoByAddress() {
        NodeInfo self = new NodeInfo("pekko://roam@z:1", "x", "z", 1);
        List<NodeInfo> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            others.add(new NodeInfo("pekko://roam@n" + (char) ('a' + i) + ":1", i % 2 == 0 ? "x" : "y", "h" + i, 1));
        }
        Collections.shuffle(others, new Random(3));
        C2cTopology view = new C2cTopology(self, new Random(1));
        others.forEach(view::memberUp);
        // all upNumbers tie at 1: the lowest address wins
        assertThat(view.managerOf("x")).hasValueSatisfying(m -> assertThat(m.address()).isEqualTo("pekko://roam@na:1"));
        assertThat(view.managerOf("y")).hasValueSatisfying(m -> assertThat(m.address()).isEqualTo("pekko://roam@nb:1"));
        assertThat(view.isManager()).isFalse();
    }

    @Test
    void selfBecomesManagerOnceItsUpNumberIsKnown() {
        NodeInfo provisional = new NodeInfo("pekko://roam@s:1", "x", "s", Integer.MAX_VALUE);
        C2cTopology view = new C2cTopology(provisional, new Random(1));
        NodeInfo other = new NodeInfo("pekko://roam@o:1", "x", "o", 5);
        view.memberUp(other);
        assertThat(view.isManager()).isFalse();
        view.memberUp(new NodeInfo("pekko://roam@s:1", "x", "s", 2));
        assertThat(view.isManager()).isTrue();
        assertThat(view.self().upNumber()).isEqualTo(2);
        assertThat(view.neighbours()).containsExactly(other);
        assertThatThrownBy(() -> view.memberUp(new NodeInfo("pekko://roam@s:1", "y", "s", 2)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void contactsExtendTheLocalSetOrTheManagerNetworkOnly() {
        SimCluster sim = SimCluster.c2c(2, 8);
        for (int i = 0; i < 40; i++) {
            sim.join("c" + (i % 8));
        }
        C2cTopology manager = (C2cTopology) sim.views().stream().filter(v -> v.self().cluster().equals("c0"))
                .filter(Topology::isManager).findFirst().orElseThrow();
        C2cTopology worker = (C2cTopology) sim.views().stream().filter(v -> v.self().cluster().equals("c0"))
                .filter(v -> !v.isManager()).findFirst().orElseThrow();
        Map<String, NodeInfo> managers = manager.managers();

        NodeInfo otherManager = managers.values().stream()
                .filter(m -> !m.cluster().equals("c0") && !manager.otherClusterManagers().contains(m))
                .findFirst().orElseThrow();
        NodeInfo otherWorker = sim.members().stream()
                .filter(m -> !m.cluster().equals("c0") && !managers.containsValue(m)).findFirst().orElseThrow();
        NodeInfo localWorker = worker.localCluster().stream()
                .filter(m -> !worker.neighbours().contains(m) && !m.equals(manager.self())).findFirst().orElseThrow();

        manager.contactedBy(otherManager);
        manager.contactedBy(otherWorker);
        assertThat(manager.otherClusterManagers()).hasSize(3).contains(otherManager);
        assertThat(manager.neighbours()).contains(otherManager).doesNotContain(otherWorker);

        worker.contactedBy(otherManager);
        worker.contactedBy(localWorker);
        assertThat(worker.neighbours()).hasSize(3).contains(localWorker).doesNotContain(otherManager);

        sim.leave(otherManager.address());
        sim.leave(localWorker.address());
        assertThat(manager.otherClusterManagers()).hasSize(2).doesNotContain(otherManager);
        assertThat(worker.neighbours()).hasSize(2).doesNotContain(localWorker);
    }

    @Test
    void sameSeedSameViews() {
        SimCluster a = threeClusters(60, 3, 9);
        SimCluster b = threeClusters(60, 3, 9);
        a.leave(SimCluster.address(0));
        b.leave(SimCluster.address(0));
        for (NodeInfo m : a.members()) {
            assertThat(b.view(m).neighbours()).isEqualTo(a.view(m).neighbours());
            assertThat(b.view(m).otherClusterManagers()).isEqualTo(a.view(m).otherClusterManagers());
        }
    }
}
