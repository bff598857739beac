package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.roam.agents.ClusterQueries.ClusterStatus;
import io.roam.agents.ClusterQueries.NodeView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Several agents in one JVM, on loopback with system-chosen ports. */
@Tag("system")
class AgentClusterTest {
    private static final Duration UP = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static ClusterStatus status(Agent a) throws Exception {
        return new ClusterQueries(a.system(), a.system(), Duration.ofSeconds(3)).status().toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
    }

    static void awaitNodes(Agent a, int n) {
        await().atMost(UP).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            ClusterStatus s = status(a);
            assertThat(s.nodes()).hasSize(n).allMatch(NodeView::reachable);
        });
    }

    @ParameterizedTest(name = "{0} agents")
    @ValueSource(ints = {3, 5})
    void agentsComeUpAndBuildBoundedNeighbourSets(int n) throws Exception {
        try (TestAgents agents = new TestAgents(dir)) {
            for (int i = 0; i < n; i++) {
                agents.start("h" + i, "default", "p2p");
            }
            for (Agent a : agents.agents) {
                awaitNodes(a, n);
            }
            await().atMost(UP).untilAsserted(() -> {
                ClusterStatus s = status(agents.agents.get(0));
                List<String> addresses = s.nodes().stream().map(v -> v.node().address()).toList();
                for (NodeView v : s.nodes()) {
                    assertThat(v.neighbours()).as("neighbours of %s", v.node().host())
                            .hasSize(Math.min(2, n - 1))
                            .doesNotContain(v.node().address())
                            .allMatch(addresses::contains);
                }
            });
        }
    }

    @Test
    void aLeavingNodeIsRemovedFromEveryNeighbourSet() throws Exception {
        try (TestAgents agents = new TestAgents(dir)) {
            for (int i = 0; i < 4; i++) {
                agents.start("h" + i, "default", "p2p");
            }
            Agent first = agents.agents.get(0);
            awaitNodes(first, 4);
            Agent leaving = agents.agents.remove(3);
            String gone = leaving.address();
            leaving.close();
            await().atMost(UP).untilAsserted(() -> {
                ClusterStatus s = status(first);
                assertThat(s.nodes()).hasSize(3).allMatch(NodeView::reachable);
                for (NodeView v : s.nodes()) {
                    assertThat(v.neighbours()).doesNotContain(gone).hasSize(2);
                }
            });
        }
    }

    @Test
    void theC2cManagerIsReChosenWhenItLeaves() throws Exception {
        try (TestAgents agents = new TestAgents(dir)) {
            Agent a1 = agents.start("a1", "alpha", "c2c");
            agents.start("b1", "beta", "c2c");
            Agent a2 = agents.start("a2", "alpha", "c2c");
            agents.start("b2", "beta", "c2c");
            awaitNodes(a2, 4);
            // the manager of each cluster is its oldest member (members may come Up in any order)
            String[] betaManager = new String[1];
            await().atMost(UP).untilAsserted(() -> {
                ClusterStatus s = status(a2);
                betaManager[0] = oldest(s, "beta");
                assertThat(managers(s)).containsExactlyInAnyOrder(oldest(s, "alpha"), betaManager[0]);
            });
            String alphaManager = oldest(status(a2), "alpha");
            Agent leaving = alphaManager.equals("a1") ? a1 : a2;
            Agent staying = leaving == a1 ? a2 : a1;
            agents.agents.remove(leaving);
            leaving.close();
            await().atMost(UP).untilAsserted(() -> {
                ClusterStatus s = status(staying);
                assertThat(s.nodes()).hasSize(3);
                assertThat(managers(s)).containsExactlyInAnyOrder(staying.settings().host(), betaManager[0]);
            });
        }
    }

    private static String oldest(ClusterStatus s, String cluster) {
        return s.nodes().stream().filter(v -> v.node().cluster().equals(cluster))
                .min(java.util.Comparator.comparingLong((NodeView v) -> v.node().upNumber())
                        .thenComparing(v -> v.node().address()))
                .map(v -> v.node().host()).orElseThrow();
    }

    private static List<String> managers(ClusterStatus s) {
        return s.nodes().stream().filter(NodeView::manager).map(v -> v.node().host()).toList();
    }
}
