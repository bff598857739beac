package io.roam.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DeterminismTest {
    @Test
    void sameSeedGivesTheSameRun() {
        for (String b : new String[] {"nts", "gossip"}) {
            SimulationResult a = Simulation.run(Small.churn(), b, 42);
            SimulationResult c = Simulation.run(Small.churn(), b, 42);
            assertThat(c.trace()).as(b).isEqualTo(a.trace());
            assertThat(c.samples()).as(b).isEqualTo(a.samples());
            assertThat(c.migrations()).as(b).isEqualTo(a.migrations());
            assertThat(c.messages()).as(b).isEqualTo(a.messages());
            assertThat(a.migrations()).as(b).isPositive();
        }
    }

    @Test
    void anotherSeedGivesAnotherTrace() {
        SimulationResult a = Simulation.run(Small.packed(), "rs", 1);
        SimulationResult c = Simulation.run(Small.packed(), "rs", 2);
        assertThat(c.trace()).isNotEqualTo(a.trace());
    }
}
