package io.roam.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ConservationTest {
    @Test
    void noBalancerLosesOrDuplicatesAProcessWithNodesJoiningAndLeaving() {
        for (String b : Balancers.NAMES) {
            SimulationResult r = Simulation.run(Small.churn(), b, 7);
            // checkConservation throws at the first round where a process is lost or duplicated
            assertThat(r.conservationChecks()).as(b).isEqualTo(r.samples().size()).isGreaterThan(50);
            assertThat(r.nodes()).as(b).isEqualTo(60 + 15 - 25);
            assertThat(r.migrations()).as(b).isPositive();
        }
    }

    @Test
    void theCheckDetectsADuplicateAndALoss() {
        World w = new World(Small.packed(), 3);
        Setup.build(w);
        w.checkConservation();
        SimProcess p = w.processes.get(5);
        SimNode other = w.alive().stream().filter(n -> n.id != p.node).findFirst().orElseThrow();
        other.processes.add(p);
        assertThatThrownBy(w::checkConservation).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("201 processes");
        other.processes.remove(p);
        w.nodes.get(p.node).processes.remove(p);
        assertThatThrownBy(w::checkConservation).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("process 5");
    }
}
