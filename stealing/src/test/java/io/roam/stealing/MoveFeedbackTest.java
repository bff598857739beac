package io.roam.stealing;

import static io.roam.stealing.Fixtures.node;
import static io.roam.stealing.Fixtures.process;
import static org.assertj.core.api.Assertions.assertThat;

import io.roam.decision.DecisionSettings;
import io.roam.decision.MoveEffect;
import io.roam.decision.Strategies;
import io.roam.decision.Summary;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.stealing.StealMessage.StealOffer;
import io.roam.stealing.StealMessage.StealRefused;
import io.roam.stealing.StealMessage.StealRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The measured effect of each move feeds back into the next decisions: a loaded node v with
 * one busy rank of job j and two idle thieves t and u that ask for it.
 */
class MoveFeedbackTest {
    private static final double MS = 1e6;
    private static final MoveEffect NO_GAIN = new MoveEffect(Summary.steady(5.3 * MS, 8), Summary.steady(5.5 * MS, 8),
            MoveEffect.Verdict.NO_GAIN);
    private static final MoveEffect WORSE = new MoveEffect(Summary.steady(5.7 * MS, 8), Summary.steady(17.3 * MS, 8),
            MoveEffect.Verdict.WORSE);
    private static final MoveEffect GAIN = new MoveEffect(Summary.steady(24 * MS, 8), Summary.steady(5.9 * MS, 8),
            MoveEffect.Verdict.GAIN);
    private static final MoveEffect UNMEASURED = new MoveEffect(Summary.NONE, Summary.steady(5.9 * MS, 8),
            MoveEffect.Verdict.UNMEASURED);

    private final NodeProfile loaded = node("v", 0.0);
    private final List<ProcessProfile> own = List.of(process("j", 0, 0.25, 0.98, List.of()));   // a quarter of a busy core
    private final Victim v = new Victim("v", Fixtures.settings("roam.stealing { no-gain-hold = 120s,"
            + " no-gain-hold-max = 300s }"), Strategies.create("ios", DecisionSettings.defaults()),
            new SplittableRandom(3));
    private long id;

    MoveFeedbackTest() {
        Fixtures.warm(v.observations(), loaded, own, new NeighbourView("t", node("t", 1.0), List.of(), List.of()),
                new NeighbourView("u", node("u", 1.0), List.of(), List.of()));
    }

    /** Whether v offers rank 0 to {@code thief} at {@code now}; the refusal's reason goes to {@code why}. */
    private boolean offers(String thief, long now, StringBuilder why) {
        StealRequest r = new StealRequest(++id, thief, node(thief, 1.0), List.of(), 0, List.of());
        Victim.Reaction re = v.onRequest(r, now, loaded, own, Fixtures.around("v", List.of("t", "u"), Map.of()), -1,
                -1);
        v.expire(Long.MAX_VALUE);   // the offer is withdrawn: the next request finds the rank free
        if (re.outgoing().message() instanceof StealRefused no) {
            why.setLength(0);
            why.append(no.reason());
            return false;
        }
        return re.outgoing().message() instanceof StealOffer;
    }

    @Test
    void aMoveThatDidNotHelpIsHeldBackLongerEachTimeInARowAndAGainEndsTheStreak() {
        StringBuilder why = new StringBuilder();
        assertThat(offers("t", 10_000, why)).as("before any feedback: %s", why).isTrue();

        v.observations().movedFromHere("j", 0, "t", NO_GAIN, 10_000);
        assertThat(offers("t", 11_000, why)).isFalse();
        assertThat(why.toString()).contains("its last move to t did not help (5.30 → 5.50 ms per iteration (1.04 x),"
                + " no gain; 1 time(s) in a row): not tried again for 119 s");
        assertThat(offers("u", 11_000, why)).as("another target is not held").isTrue();
        assertThat(offers("t", 10_000 + 119_999, why)).isFalse();
        assertThat(offers("t", 10_000 + 120_000, why)).as("the hold is over").isTrue();

        v.observations().movedFromHere("j", 0, "t", WORSE, 200_000);   // second in a row: 240 s
        assertThat(offers("t", 200_000 + 239_000, why)).isFalse();
        assertThat(why.toString()).contains("worse; 2 time(s) in a row");
        assertThat(offers("t", 200_000 + 240_000, why)).isTrue();

        v.observations().movedFromHere("j", 0, "t", NO_GAIN, 500_000);   // third: 480 s, capped at 300 s
        assertThat(offers("t", 500_000 + 299_000, why)).isFalse();
        assertThat(offers("t", 500_000 + 300_000, why)).isTrue();

        v.observations().movedFromHere("j", 0, "t", GAIN, 900_000);
        assertThat(offers("t", 900_001, why)).as("a gain holds nothing back").isTrue();
        v.observations().movedFromHere("j", 0, "t", NO_GAIN, 1_000_000);   // the streak starts again: 120 s
        assertThat(offers("t", 1_000_000 + 119_000, why)).isFalse();
        assertThat(offers("t", 1_000_000 + 120_000, why)).isTrue();

        v.observations().movedFromHere("j", 0, "u", UNMEASURED, 1_200_000);
        assertThat(offers("u", 1_200_001, why)).as("an unmeasured move holds nothing back").isTrue();
    }

    @Test
    void aRankWhoseMoveHereMadeItsJobSlowerMayGoBackAtOnce() {
        Observations o = new Observations(DecisionSettings.defaults(), Fixtures.settings(""));
        Fixtures.warm(o, loaded, own);
        o.arrived(20_000, "j", 0, "a");
        ProcessProfile p = own.get(0);
        assertThat(o.heldBack(p, "a", 25_000)).as("min-residence").contains("min-residence");
        assertThat(o.heldBack(p, "a", 40_000)).as("return-hold").contains("return-hold");
        assertThat(o.heldBack(p, "a", 90_000)).as("return-cooldown").contains("return-cooldown");
        o.movedHere("j", 0, NO_GAIN);
        assertThat(o.heldBack(p, "a", 40_000)).as("no gain is no reason to go back").contains("return-hold");
        o.movedHere("j", 0, WORSE);
        assertThat(o.heldBack(p, "a", 25_000)).isNull();
        assertThat(o.heldBack(p, "a", 40_000)).isNull();
    }

    @Test
    void theHoldGrowsByDoublingUpToItsMaximum() {
        StealSettings s = Fixtures.settings("roam.stealing { no-gain-hold = 2m, no-gain-hold-max = 1h }");
        assertThat(s.noGainHold(0)).isZero();
        assertThat(s.noGainHold(1)).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.noGainHold(2)).isEqualTo(Duration.ofMinutes(4));
        assertThat(s.noGainHold(5)).isEqualTo(Duration.ofMinutes(32));
        assertThat(s.noGainHold(6)).isEqualTo(Duration.ofHours(1));
        assertThat(s.noGainHold(1000)).isEqualTo(Duration.ofHours(1));
        assertThat(Fixtures.settings("").noGainHold(1)).isEqualTo(Duration.ofSeconds(120));
    }
}
