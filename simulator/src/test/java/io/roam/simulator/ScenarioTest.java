package io.roam.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URISyntaxException;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    @Test
    void theReferenceIsValid() {
        Scenario s = Scenario.parse("");
        assertThat(s.nodes()).isEqualTo(1000);
        assertThat(s.topology().neighbours()).isEqualTo(10);
        assertThat(s.spawnMs()).isEqualTo(300);
        assertThat(s.processes()).isEqualTo(2000);
    }

    @Test
    void badValuesNameTheirKey() {
        expect("roam.simulation.nodes = 1", "roam.simulation.nodes = 1");
        expect("roam.simulation.topology.kind = star", "roam.simulation.topology.kind = star");
        expect("roam.simulation.network.loss = 0.9", "roam.simulation.network.loss");
        expect("roam.simulation.cpu.distribution = normal", "roam.simulation.cpu.distribution");
        expect("roam.simulation.cpu { min = 2, max = 1 }", "roam.simulation.cpu.max");
        expect("roam.simulation.churn { joins = 1, start = 100s, end = 50s }", "roam.simulation.churn.end");
        expect("roam.simulation { nodes = 10, topology.clusters = 20 }", "roam.simulation.topology.clusters");
        expect("roam.simulation.applications.graph = tree", "roam.simulation.applications.graph");
        expect("roam.simulation.nodes = many", "nodes");
        expect("roam.stealing.ttl = 99", "roam.stealing.ttl");
    }

    private static void expect(String hocon, String inMessage) {
        assertThatThrownBy(() -> Scenario.parse(hocon)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(inMessage);
    }

    @Test
    void theExampleScenariosLoad() throws URISyntaxException {
        File dir = new File(Objects.requireNonNull(getClass().getResource("/scenarios")).toURI());
        File[] files = dir.listFiles((d, n) -> n.endsWith(".conf"));
        assertThat(files).hasSizeGreaterThanOrEqualTo(4);
        for (File f : files) {
            Scenario s = Scenario.load(f);
            assertThat(s.name()).isEqualTo(f.getName().replace(".conf", ""));
        }
        assertThat(Scenario.load(new File(dir, "p2p-10000.conf")).nodes()).isEqualTo(10_000);
    }
}
