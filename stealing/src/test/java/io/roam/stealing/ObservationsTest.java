package io.roam.stealing;

import static io.roam.stealing.Fixtures.info;
import static io.roam.stealing.Fixtures.node;
import static io.roam.stealing.Fixtures.process;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.roam.decision.DecisionSettings;
import io.roam.decision.Strategies;
import io.roam.decision.Summary;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.stealing.StealMessage.StealOffer;
import io.roam.stealing.StealMessage.StealRefused;
import io.roam.stealing.StealMessage.StealRequest;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ObservationsTest {
    private final StealSettings settings = Fixtures.settings("roam.stealing { period = 1s, protocol = rs }");

    private Observations observations() {
        return new Observations(DecisionSettings.defaults(), settings);
    }

    private static ProcessProfile moved(int rank, long pid, int moves) {
        return new ProcessProfile("j", rank, pid, moves, 0, 1000, 1L << 20, 1L << 20, 10, 10_000_000, 9_000_000,
                1_000_000, 0.5, 0.9, List.of());
    }

    @Test
    void aProfileIsOneSampleHoweverOftenItIsGiven() {
        Observations o = observations();
        NodeProfile p = node("v", 0.2);
        List<ProcessProfile> own = List.of(process("j", 0, 0.5, 0.9, List.of()));
        for (int i = 0; i < 3; i++) {
            o.local(i, p, own);   // the same profile (same time) three times
        }
        assertThat(o.speedHere("j", 0).samples()).isEqualTo(1);
        assertThat(o.speedHere("j", 0).median()).isEqualTo(0.5e9);
        NeighbourView v = new NeighbourView("t", node("t", 0.8), List.of(), List.of());
        o.neighbour(v);
        o.neighbour(v);
        o.neighbour(Fixtures.at(v, 5));
        assertThat(o.offerOf("t")).isEqualTo(Summary.of(0.8e9, 0.8e9));
        assertThat(o.offerOf("u")).isEqualTo(Summary.NONE);
        o.forget("t");
        assertThat(o.offerOf("t")).isEqualTo(Summary.NONE);
    }

    @Test
    void ranksOfOneJobOnTheNodeAreJudgedOnTheirSumNotOnTheirSwingsAgainstEachOther() {
        Observations o = observations();
        for (int i = 0; i < 8; i++) {
            double a = i % 2 == 0 ? 0.3 : 0.1;   // two ranks of job j take turns on 0.4 of a core
            o.local(i * 1000L, Fixtures.at(node("v", 0.0), i * 1000L), List.of(process("j", 0, a, 0.9, List.of()),
                    process("j", 1, 0.4 - a, 0.9, List.of()), process("k", 0, a + 0.2, 0.9, List.of())));
        }
        for (int rank = 0; rank < 2; rank++) {
            Summary s = o.speedHere("j", rank);
            assertThat(s.samples()).isEqualTo(8);
            assertThat(s.median()).isCloseTo(0.2e9, within(1e3));   // what the node gives each of them
            assertThat(s.spread()).isCloseTo(0, within(1e3));       // alone, each swings by +-0.1e9
        }
        // the only rank of its job on the node keeps its own samples
        assertThat(o.speedHere("k", 0).median()).isCloseTo(0.4e9, within(1e3));
        assertThat(o.speedHere("k", 0).spread()).isGreaterThan(0.1e9);
    }

    @Test
    void aRankThatGetsMoreThanItsJobsOtherRankHereKeepsItsOwnLevel() {
        Observations o = observations();
        SplittableRandom noise = new SplittableRandom(3);
        for (int i = 0; i < 8; i++) {
            double big = 0.3 + noise.nextDouble(-0.05, 0.05);
            o.local(i * 1000L, Fixtures.at(node("v", 0.0), i * 1000L), List.of(process("j", 0, big, 0.9, List.of()),
                    process("j", 1, 0.1, 0.9, List.of())));
        }
        assertThat(o.speedHere("j", 0).median()).isCloseTo(0.3e9, within(0.03e9));
        assertThat(o.speedHere("j", 1).median()).isCloseTo(0.1e9, within(0.01e9));
    }

    @Test
    void aRankWithANewPidThatMovedBeforeHasArrived() {
        Observations o = observations();
        o.local(1000, Fixtures.at(node("v", 0.2), 1000), List.of(moved(0, 100, 2)));   // known at the start: stays
        assertThat(o.arrivedAt("j", 0)).isEmpty();
        o.local(2000, Fixtures.at(node("v", 0.2), 2000), List.of(moved(0, 100, 2), moved(1, 101, 0)));
        assertThat(o.arrivedAt("j", 1)).isEmpty();                                     // a new job's rank
        o.local(3000, Fixtures.at(node("v", 0.2), 3000), List.of(moved(0, 200, 3), moved(1, 101, 0)));
        assertThat(o.arrivedAt("j", 0)).hasValue(3000);                               // came back: roam migrate
        assertThat(o.speedHere("j", 0).samples()).isEqualTo(1);                       // a new process, a new window
        // a steal's outcome right after names where it came from, and keeps the time
        o.arrived(3500, "j", 0, "a");
        assertThat(o.arrivedAt("j", 0)).hasValue(3000);
        assertThat(o.heldBack(moved(0, 200, 3), "a", 4000)).contains("arrived 1 s ago (min-residence 10 s)");
        assertThat(o.heldBack(moved(0, 200, 3), "a", 40_000))
                .startsWith("left a 37 s ago: it goes back there no sooner than return-hold (60 s) after");
        assertThat(o.heldBack(moved(0, 200, 3), "a", 80_000)).startsWith("left a 77 s ago (return-cooldown 120 s)");
        assertThat(o.heldBack(moved(0, 200, 3), "b", 40_000)).isNull();
        assertThat(o.heldBack(moved(0, 200, 3), "a", 123_000)).isNull();
    }

    @Test
    void aThiefsRequestCarriesItsOwnWindow() {
        StealingNode thief = new StealingNode("t", settings, Strategies.create("ios", DecisionSettings.defaults()),
                new SplittableRandom(1));
        for (int i = 1; i <= 6; i++) {
            thief.observe(i, new StealingNode.Local(info("t"), Fixtures.at(node("t", 0.9), i), List.of(),
                    List.of(info("v")), List.of(), Map.of(), Map.of()));
        }
        List<Outgoing> out = thief.tick(10, new StealingNode.Local(info("t"), Fixtures.at(node("t", 0.9), 10),
                List.of(), List.of(info("v")), List.of(), Map.of(), Map.of()));
        StealRequest r = (StealRequest) out.get(out.size() - 1).message();
        assertThat(r.offer()).isEqualTo(Summary.steady(0.9e9, 7));
        assertThat(r.forwardedBy("v").offer()).isEqualTo(r.offer());
    }

    @Test
    void aVictimThatNeverHeardFromTheThiefDecidesOnTheWindowItSent() {
        NodeProfile loaded = node("w", 0.0);
        ProcessProfile busy = process("j", 0, 0.25, 0.98, List.of());
        StealRequest forwarded = new StealRequest(1, "t", node("t", 1.0), List.of(), 0, List.of("v"));
        Victim far = new Victim("w", settings, Strategies.create("ios", DecisionSettings.defaults()),
                new SplittableRandom(3));
        Fixtures.warm(far.observations(), loaded, List.of(busy));
        Victim.Reaction blind = far.onRequest(forwarded, 10, loaded, List.of(busy),
                Fixtures.around("w", List.of("v"), Map.of()), -1, -1);
        assertThat(blind.outgoing().message()).isInstanceOf(StealRefused.class);
        assertThat(((StealRefused) blind.outgoing().message()).pending()).isTrue();   // the thief asks again soon
        assertThat(blind.decision().evaluations().get(0).veto())
                .isEqualTo("not enough samples yet: 0 of the 5 needed of the thief's processing for one more process");

        Victim.Reaction told = far.onRequest(forwarded.withOffer(Summary.steady(1e9, 8)), 20, loaded, List.of(busy),
                Fixtures.around("w", List.of("v"), Map.of()), -1, -1);
        assertThat(told.outgoing().message()).isInstanceOf(StealOffer.class);
    }
}
