package io.roam.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Roam's informed stealing and the GrapevineLB baseline on the small packed start. */
class InformedBalancingTest {
    @Test
    void informedStealingBalancesAPackedStartAtLeastAsWellAsNts() {
        Scenario s = Small.packed();
        SimulationResult informed = Simulation.run(s, "informed", 11);
        SimulationResult nts = Simulation.run(s, "nts", 11);
        double first = informed.samples().get(0).referenceRatio();
        System.out.printf("informed: max/greedy %.3f, iteration/greedy %.3f, %d migrations; nts: %.3f, %.3f, %d%n",
                informed.last().referenceRatio(), informed.last().iterationRatio(), informed.migrations(),
                nts.last().referenceRatio(), nts.last().iterationRatio(), nts.migrations());
        assertThat(informed.last().referenceRatio()).isLessThan(first / 2);
        assertThat(informed.last().iterationRatio()).isLessThanOrEqualTo(nts.last().iterationRatio() * 1.02);
        assertThat(informed.last().referenceRatio()).isLessThanOrEqualTo(nts.last().referenceRatio());
        // every node ends with two ranks: within 1.25 of greedy's largest load (NTS is not)
        assertThat(informed.firstRoundWithin(1.25)).isNotNegative();
        assertThat(informed.last().referenceRatio()).isLessThanOrEqualTo(1.25);
    }

    @Test
    void grapevineImprovesAPackedStart() {
        SimulationResult r = Simulation.run(Small.packed(), "grapevine", 11);
        double first = r.samples().get(0).referenceRatio();
        System.out.printf("grapevine: max/greedy %.3f, iteration/greedy %.3f, %d migrations%n",
                r.last().referenceRatio(), r.last().iterationRatio(), r.migrations());
        assertThat(r.last().referenceRatio()).isLessThan(first * 0.75);
        assertThat(r.migrations()).isPositive();
        // with its phases and acknowledgements (as in Charm++'s DistributedLB) the packed start is
        // spread out: every node ends with two ranks or fewer (it ended at 3.2 x greedy's before)
        assertThat(r.firstRoundWithin(1.25)).isNotNegative();
        assertThat(r.last().referenceRatio()).isLessThanOrEqualTo(1.25);
    }
}
