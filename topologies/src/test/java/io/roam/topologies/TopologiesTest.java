package io.roam.topologies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TopologiesTest {

    private static final NodeInfo SELF = new NodeInfo("pekko://roam@a:1", "east", "a", 1);

    @Test
    void createsByName() {
        assertThat(Topologies.create("p2p", SELF, 4, new Random(1))).isInstanceOf(P2pTopology.class)
                .satisfies(t -> assertThat(((P2pTopology) t).maxNeighbours()).isEqualTo(4));
        assertThat(Topologies.create(" C2C ", SELF, 4, new Random(1))).isInstanceOf(C2cTopology.class)
                .satisfies(t -> assertThat(t.self()).isEqualTo(SELF));
    }

    @Test
    void listsNamesWithDescriptions() {
        assertThat(Topologies.available()).containsOnlyKeys("p2p", "c2c")
                .allSatisfy((name, description) -> assertThat(description).isNotBlank());
    }

    @Test
    void unknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> Topologies.create("ring", SELF, 10, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'ring'")
                .hasMessageContaining("p2p (" + Topologies.available().get("p2p") + ")")
                .hasMessageContaining("c2c (" + Topologies.available().get("c2c") + ")");
    }

    @Test
    void badBoundFailsThroughTheRegistryToo() {
        assertThatThrownBy(() -> Topologies.create("c2c", SELF, 0, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxNeighbours");
    }
}
