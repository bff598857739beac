package io.roam.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.decision.CostAwareStrategy;
import io.roam.decision.Decision;
import io.roam.decision.IosStrategy;
import io.roam.decision.Situation;
import io.roam.decision.Strategies;
import io.roam.decision.Strategy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SameStrategyTest {
    @Test
    void theSimulatedVictimsGetTheirStrategyFromTheRegistryTheAgentUses() {
        Scenario ios = Small.packed();
        assertThat(Balancers.strategyFor(ios)).isInstanceOf(IosStrategy.class)
                .hasSameClassAs(Strategies.create(ios.decision()));
        Scenario cost = Scenario.parse(Small.PACKED + "roam.decision.strategy = cost-aware\n");
        assertThat(Balancers.strategyFor(cost)).isInstanceOf(CostAwareStrategy.class);
    }

    /** Wraps the real strategy and counts its decisions. */
    static final class Recording implements Strategy {
        final Strategy real;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger offers = new AtomicInteger();

        Recording(Strategy real) {
            this.real = real;
        }

        @Override
        public String name() {
            return real.name();
        }

        @Override
        public String description() {
            return real.description();
        }

        @Override
        public io.roam.decision.DecisionSettings settings() {
            return real.settings();
        }

        @Override
        public Decision decide(Situation s) {
            calls.incrementAndGet();
            Decision d = real.decide(s);
            d.choice().ifPresent(c -> offers.incrementAndGet());
            return d;
        }
    }

    @Test
    void theStrategyPassedInIsTheOneTheVictimsCall() {
        Scenario s = Small.packed();
        Recording rec = new Recording(Balancers.strategyFor(s));
        SimulationResult r = Simulation.run(s, "ats", 5, rec);
        assertThat(rec.calls.get()).isPositive();
        assertThat(rec.offers.get()).isPositive();
        // every steal migration started from an offer the strategy made
        assertThat(r.migrations()).isPositive().isLessThanOrEqualTo(rec.offers.get());
    }
}
