package io.roam.decision;

import static io.roam.decision.Fixtures.GIGA;
import static io.roam.decision.Fixtures.proc;
import static io.roam.decision.Fixtures.settings;
import static org.assertj.core.api.Assertions.assertThat;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The rules on the evidence, fed deterministic sample sequences the way a victim's windows
 * fill: one sample of the rank's processing here and one of the thief's offer per period,
 * and a decision at every period (as if a thief asked each time). Nodes of 0.6 cores at
 * 1e9 updates/s per core, as the demo's namespace hosts.
 */
class EvidenceRulesTest {
    private static final NodeProfile HERE = new NodeProfile("here", 0, 2, 0.6, GIGA, 1, 0, -1, -1, 0);
    private static final NodeProfile THIEF = new NodeProfile("thief", 0, 2, 0.6, GIGA, 0, 0.6 * GIGA, -1, -1, 0);
    private static final ProcessProfile RANK = proc("J", 0).shares(0.6, 0.95).build();

    /** The periods (0-based) at which the strategy offered the rank. */
    private static List<Integer> moves(DecisionSettings settings, int periods, IntToDoubleFunction here,
                                       IntToDoubleFunction thief) {
        Strategy ios = new IosStrategy(settings);
        Window h = new Window(settings.window());
        Window t = new Window(settings.window());
        java.util.ArrayList<Integer> moved = new java.util.ArrayList<>();
        for (int i = 0; i < periods; i++) {
            h.add(here.applyAsDouble(i));
            t.add(thief.applyAsDouble(i));
            Evidence e = new Evidence(Map.of(Evidence.key("J", 0), h.summary()), t.summary());
            Decision d = ios.decide(new Situation(HERE, List.of(RANK), List.of(RANK), THIEF, List.of(), -1, -1, e));
            if (d.choice().isPresent()) {
                moved.add(i);
            }
        }
        return moved;
    }

    /** 0.6 cores x (1 +- noise), uniform, one draw per call. */
    private static IntToDoubleFunction noisy(SplittableRandom rnd, double cores, double noise) {
        return i -> cores * GIGA * (1 + rnd.nextDouble(-noise, noise));
    }

    @Test
    void noisyEqualNodesNeverMove() {
        for (long seed = 1; seed <= 5; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            assertThat(moves(DecisionSettings.defaults(), 1000, noisy(rnd, 0.6, 0.3), noisy(rnd, 0.6, 0.3)))
                    .as("seed %d", seed).isEmpty();
        }
        // the same samples decided without the noise rule (only min-speedup on the medians) do move
        SplittableRandom rnd = new SplittableRandom(1);
        assertThat(moves(settings("noise-factor = 0"), 1000, noisy(rnd, 0.6, 0.3), noisy(rnd, 0.6, 0.3)))
                .isNotEmpty();
    }

    @Test
    void aFourTimesThrottleMovesWithinAFewPeriods() {
        for (long seed = 1; seed <= 5; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            IntToDoubleFunction before = noisy(rnd, 0.6, 0.3);
            IntToDoubleFunction after = noisy(rnd, 0.15, 0.3);
            List<Integer> moved = moves(DecisionSettings.defaults(), 200, i -> i < 100 ? before.applyAsDouble(i)
                    : after.applyAsDouble(i), noisy(rnd, 0.6, 0.3));
            assertThat(moved).as("seed %d", seed).isNotEmpty();
            assertThat(moved.get(0)).as("seed %d: first move", seed).isBetween(100, 100 + 9);
        }
    }

    @Test
    void tooFewSamplesIsNoMoveAndSaysSo() {
        List<Integer> moved = moves(DecisionSettings.defaults(), 4, i -> 0.15 * GIGA, i -> 0.6 * GIGA);
        assertThat(moved).isEmpty();
        Window h = new Window(8);
        Window t = new Window(8);
        for (int i = 0; i < 4; i++) {
            h.add(0.15 * GIGA);
            t.add(0.6 * GIGA);
        }
        Decision d = new IosStrategy(DecisionSettings.defaults()).decide(new Situation(HERE, List.of(RANK),
                List.of(RANK), THIEF, List.of(), -1, -1, new Evidence(Map.of("J/0", h.summary()), t.summary())));
        assertThat(d.evaluations().get(0).veto())
                .isEqualTo("not enough samples yet: 4 of the 5 needed of the rank's processing here");
        t.add(0.6 * GIGA);
        h.add(0.15 * GIGA);
        assertThat(moves(DecisionSettings.defaults(), 5, i -> 0.15 * GIGA, i -> 0.6 * GIGA)).containsExactly(4);
    }

    @Test
    void aHugeStateOnASlowLinkIsNotMovedForASmallGain() {
        // 0.6 cores here, 0.8 offered: 1.33 x, 0.95 x (1 - 0.75) = 0.24 s saved per second of run
        ProcessProfile huge = proc("J", 0).shares(0.6, 0.95).state(4L << 30).build();
        ProcessProfile small = proc("J", 0).shares(0.6, 0.95).state(10L << 20).build();
        Evidence e = new Evidence(Map.of("J/0", Summary.steady(0.6 * GIGA, 8)), Summary.steady(0.8 * GIGA, 8));
        double slow = 10e6;   // measured: 10 MB/s to the thief -> 4 GiB take 429 s
        Decision d = new IosStrategy(DecisionSettings.defaults()).decide(new Situation(HERE, List.of(huge),
                List.of(huge), THIEF, List.of(), slow, 1, e));
        assertThat(d.choice()).isEmpty();
        assertThat(d.evaluations().get(0).veto()).startsWith("does not pay back within 60 s: cost 429.797 s")
                .contains("saves 0.238 s per second of run (payback 1810 s)");
        // the same gain for a small state, or for the huge one on a fast link, pays back
        assertThat(new IosStrategy(DecisionSettings.defaults()).decide(new Situation(HERE, List.of(small),
                List.of(small), THIEF, List.of(), slow, 1, e)).choice()).isPresent();
        assertThat(new IosStrategy(DecisionSettings.defaults()).decide(new Situation(HERE, List.of(huge),
                List.of(huge), THIEF, List.of(), 1e9, 1, e)).choice()).isPresent();
        // and a long enough horizon accepts the slow move
        assertThat(new IosStrategy(settings("payback-horizon = 1h")).decide(new Situation(HERE, List.of(huge),
                List.of(huge), THIEF, List.of(), slow, 1, e)).choice()).isPresent();
    }
}
