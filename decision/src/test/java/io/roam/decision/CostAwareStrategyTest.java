package io.roam.decision;

import static io.roam.decision.Fixtures.GIGA;
import static io.roam.decision.Fixtures.node;
import static io.roam.decision.Fixtures.proc;
import static io.roam.decision.Fixtures.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Here 1e9 updates/s per core, the thief offers one core of 1e9. A default process uses
 * 0.5 cores (0.5e9 updates/s), computes 90 % of its 100 ms iterations: 0.09 s of compute
 * now, 0.045 s on the thief, 0.045 s saved per iteration, 9.0 s over 200.
 */
class CostAwareStrategyTest {
    private static final NodeProfile LOCAL = node("local", GIGA, 1 * GIGA);
    private static final NodeProfile THIEF = node("thief", GIGA, 3 * GIGA);
    private static final double RATE = 100e6;

    private static Decision decide(DecisionSettings settings, double rate, ProcessProfile... candidates) {
        List<ProcessProfile> here = List.of(candidates);
        return new CostAwareStrategy(settings).decide(Fixtures.steady(LOCAL, here, here, THIEF, List.of(), rate, 0.2));
    }

    @Test
    void aSmallStatePaysBack() {
        ProcessProfile p = proc("J", 0).state(10_000_000).build();
        Decision d = decide(DecisionSettings.defaults(), RATE, p);

        Evaluation e = d.evaluations().get(0);
        assertThat(e.benefitSeconds()).isCloseTo(9.0, within(1e-9));
        assertThat(e.costSeconds()).isCloseTo(0.1 + 0.3, within(1e-9));
        assertThat(e.score()).isCloseTo(8.6, within(1e-9));
        assertThat(e.gain()).isEqualTo(0.35);
        assertThat(d.choice()).hasValueSatisfying(c -> {
            assertThat(c.process()).isEqualTo(p);
            assertThat(c.score()).isCloseTo(8.6, within(1e-9));
            assertThat(c.reason()).startsWith("pays back: benefit 9.000 s over 200 iterations > 2.00 x cost 0.400 s"
                    + " (gain 0.350); here 5.00e+08 ± 0.0 (8 samples), thief 1.00e+09 ± 0.0 (8 samples) updates/s");
        });
    }

    @Test
    void aHugeStateWithAShortHorizonDoesNotPayBack() {
        ProcessProfile huge = proc("J", 0).state(8_000_000_000L).build();
        // (payback-horizon, the rule of every strategy, is set long enough to leave this to cost-aware's own)
        Decision d = decide(settings("horizon-iterations = 50, payback-horizon = 24h"), RATE, huge);

        assertThat(d.choice()).isEmpty();
        Evaluation e = d.evaluations().get(0);
        assertThat(e.benefitSeconds()).isCloseTo(2.250, within(1e-9));
        assertThat(e.costSeconds()).isCloseTo(80.3, within(1e-9));
        assertThat(e.veto()).isEqualTo("does not pay back: benefit 2.250 s over 50 iterations <= 2.00 x cost 80.300 s");

        // Over 100000 iterations the same move saves 4500 s: it pays back.
        Decision longRun = decide(settings("horizon-iterations = 100000, payback-horizon = 24h"), RATE,
                huge);
        assertThat(longRun.choice()).hasValueSatisfying(c -> assertThat(c.score()).isCloseTo(4500 - 80.3, within(1e-6)));
    }

    @Test
    void thePaybackFactorAndSpawnCostComeFromTheSettings() {
        // Cost 80.3 s, benefit 9.0 x 10 = 90 s: enough for a factor 1, not for 2.
        ProcessProfile huge = proc("J", 0).state(8_000_000_000L).build();
        assertThat(decide(settings("horizon-iterations = 2000, payback-horizon = 24h"), RATE, huge).choice()).isEmpty();
        assertThat(decide(settings("horizon-iterations = 2000, payback-factor = 1, payback-horizon = 24h"), RATE, huge)
                .choice()).isPresent();

        Evaluation noSpawn = decide(settings("spawn-cost = 0"), RATE, proc("J", 0).state(10_000_000).build())
                .evaluations().get(0);
        assertThat(noSpawn.costSeconds()).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void anUnknownTransferRateUsesTheDefault() {
        ProcessProfile p = proc("J", 0).state(100L << 20).build();
        assertThat(decide(DecisionSettings.defaults(), -1, p).evaluations().get(0).costSeconds())
                .isCloseTo(1.0 + 0.3, within(1e-12));
        assertThat(decide(DecisionSettings.defaults(), 0, p).evaluations().get(0).costSeconds())
                .isCloseTo(1.3, within(1e-12));
        assertThat(decide(settings("default-transfer-rate = 50M"), -1, p).evaluations().get(0).costSeconds())
                .isCloseTo(2.3, within(1e-12));
        // A measured rate wins over the default.
        assertThat(decide(DecisionSettings.defaults(), 200.0 * (1 << 20), p).evaluations().get(0).costSeconds())
                .isCloseTo(0.8, within(1e-12));
    }

    @Test
    void anUnknownIterationTimeIsVetoed() {
        Decision d = decide(DecisionSettings.defaults(), RATE, proc("J", 0).iterationNs(0).build());
        assertThat(d.choice()).isEmpty();
        assertThat(d.evaluations().get(0).veto()).isEqualTo("iteration time unknown: no payback estimate");
    }

    @Test
    void iosVetoesStillApply() {
        Decision d = decide(DecisionSettings.defaults(), RATE, proc("J", 0).shares(0.5, 0.4).build());
        assertThat(d.choice()).isEmpty();
        assertThat(d.evaluations().get(0).veto()).startsWith("waits more than it computes");
    }

    @Test
    void theHighestNetBenefitWinsNotTheHighestGain() {
        // Rank 2 of J talks only with rank 3 on the thief (gain 0.65) but holds 8 GB; K's rank is small.
        ProcessProfile chatty = proc("J", 2).state(8_000_000_000L).sends(3, 1000).build();
        ProcessProfile small = proc("K", 0).state(10_000_000).build();
        ProcessProfile slowIterations = proc("L", 0).state(20_000_000).iterationNs(200_000_000).build();
        List<ProcessProfile> here = List.of(chatty, small, slowIterations);
        Situation s = Fixtures.steady(LOCAL, here, here, THIEF, List.of(proc("J", 3).build()), RATE, 0.2);

        assertThat(new IosStrategy(settings("payback-horizon = 24h")).decide(s).choice())
                .hasValueSatisfying(c -> assertThat(c.process()).isEqualTo(chatty));
        // with the default payback-horizon (60 s), ios does not move 8 GB (80.3 s of stall) for 0.45 s per s
        assertThat(new IosStrategy(DecisionSettings.defaults()).decide(s).choice())
                .hasValueSatisfying(c -> assertThat(c.process()).isEqualTo(small));
        Decision d = new CostAwareStrategy(DecisionSettings.defaults()).decide(s);
        assertThat(d.evaluations()).extracting(Evaluation::score).usingElementComparator(
                (a, b) -> Math.abs(a - b) < 1e-9 ? 0 : Double.compare(a, b))
                .containsExactly(9.0 - 80.3, 9.0 - 0.4, 18.0 - 0.5);
        assertThat(d.evaluations().get(0).vetoed()).isTrue();
        assertThat(d.choice()).hasValueSatisfying(c -> assertThat(c.process()).isEqualTo(slowIterations));
    }
}
