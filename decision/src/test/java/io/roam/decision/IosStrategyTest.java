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

class IosStrategyTest {
    private static final NodeProfile LOCAL = node("local", GIGA, 1 * GIGA);
    private static final NodeProfile THIEF = node("thief", GIGA, 3 * GIGA);

    private static Situation situation(List<ProcessProfile> candidates, NodeProfile thief) {
        return Fixtures.steady(LOCAL, candidates, candidates, thief, List.of(), -1, -1);
    }

    private static Decision decide(ProcessProfile p) {
        return new IosStrategy(DecisionSettings.defaults()).decide(situation(List.of(p), THIEF));
    }

    @Test
    void gainWeighsProcessingAndCommunication() {
        ProcessProfile p = proc("J", 0).sends(1, 100).sends(2, 300).build();
        ProcessProfile localPeer = proc("J", 1).sends(0, 100).build();
        ProcessProfile thiefPeer = proc("J", 2).sends(0, 500).build();
        Situation s = Fixtures.steady(LOCAL, List.of(p), List.of(p, localPeer), THIEF, List.of(thiefPeer), -1, -1);

        Decision d = new IosStrategy(DecisionSettings.defaults()).decide(s);

        Evaluation e = d.evaluations().get(0);
        assertThat(e.processingGain()).isEqualTo(0.5);
        assertThat(e.communicationGain()).isCloseTo(0.6, within(1e-12));
        assertThat(e.gain()).isCloseTo(0.7 * 0.5 + 0.3 * 0.6, within(1e-12));
        assertThat(e.veto()).isNull();
        assertThat(d.choice()).hasValueSatisfying(c -> {
            assertThat(c.process()).isEqualTo(p);
            assertThat(c.score()).isCloseTo(0.53, within(1e-12));
            assertThat(c.reason()).contains("gain 0.530", "above the threshold 0.100");
        });
    }

    /**
     * A rank that shares its node with a peer has IOS's communication gain -1 for any thief
     * without ranks of its job. Over a measured link the gain counts in proportion to the share
     * of the rank's time its traffic would take there (communication-full-share, 0.05): light
     * traffic barely holds it back, heavy traffic fully, an unmeasured link fully.
     */
    @Test
    void theCommunicationGainCountsInProportionToTheTimeItsTrafficWouldTakeOverTheLink() {
        // 0.09 s of run time (the fixture's compute time)
        ProcessProfile light = proc("J", 0).sends(1, 200_000).build();
        ProcessProfile lightPeer = proc("J", 1).sends(0, 200_000).build();
        // 400 kB / 1 GB/s / 0.09 s = 0.444 % of its time: 0.0889 of the full share
        Evaluation e = evaluate(light, lightPeer, 1e9, 0.05);
        assertThat(e.communicationGain()).isEqualTo(-1.0);
        assertThat(e.gain()).isCloseTo(0.7 * 0.5 - 0.3 * (0.0004 / 0.09 / 0.05), within(1e-9));
        assertThat(e.veto()).isNull();

        ProcessProfile heavy = proc("J", 0).sends(1, 100_000_000).build();
        ProcessProfile heavyPeer = proc("J", 1).sends(0, 100_000_000).build();
        Evaluation h = evaluate(heavy, heavyPeer, 1e9, 0.05);
        assertThat(h.gain()).isCloseTo(0.7 * 0.5 - 0.3, within(1e-9));
        assertThat(h.veto()).contains("not above the threshold");

        Evaluation unmeasured = evaluate(light, lightPeer, -1, -1);
        assertThat(unmeasured.gain()).isCloseTo(0.7 * 0.5 - 0.3, within(1e-9));
        assertThat(unmeasured.veto()).contains("not above the threshold");

        Evaluation asPublished = new IosStrategy(settings("communication-full-share = 0")).decide(
                Fixtures.steady(LOCAL, List.of(light), List.of(light, lightPeer), THIEF, List.of(), 1e9, 0.05))
                .evaluations().get(0);
        assertThat(asPublished.gain()).isCloseTo(0.7 * 0.5 - 0.3, within(1e-9));
    }

    private static Evaluation evaluate(ProcessProfile p, ProcessProfile localPeer, double bytesPerSec,
                                       double latencyMillis) {
        Situation s = Fixtures.steady(LOCAL, List.of(p), List.of(p, localPeer), THIEF, List.of(), bytesPerSec,
                latencyMillis);
        return new IosStrategy(DecisionSettings.defaults()).decide(s).evaluations().get(0);
    }

    @Test
    void weightsComeFromTheSettings() {
        Decision d = new IosStrategy(settings("processing-weight = 0.2, communication-weight = 0"))
                .decide(situation(List.of(proc("J", 0).build()), THIEF));
        assertThat(d.evaluations().get(0).gain()).isCloseTo(0.1, within(1e-12));
        assertThat(d.choice()).isEmpty(); // 0.1 is not above the 0.1 threshold
    }

    @Test
    void unknownRatesAreVetoed() {
        Decision d = decide(proc("J", 0).shares(-1, -1).build());
        assertThat(d.choice()).isEmpty();
        assertThat(d.evaluations().get(0).veto()).startsWith("no data yet");
        assertThat(decide(proc("J", 0).shares(0.5, -1).build()).evaluations().get(0).veto()).startsWith("no data yet");
    }

    @Test
    void aProcessWaitingMoreThanItComputesStays() {
        Decision d = decide(proc("J", 0).shares(0.5, 0.4).build());
        assertThat(d.choice()).isEmpty();
        assertThat(d.evaluations().get(0).veto()).startsWith("waits more than it computes: compute share 0.40 < 0.50");
        assertThat(decide(proc("J", 0).shares(0.5, 0.5).build()).choice()).isPresent();
    }

    @Test
    void aBalancedClusterWithAnIdleNodeDoesNotMoveFullCoreProcesses() {
        // Each rank uses a whole core here (1e9 updates/s); the idle thief offers one core of 1e9.
        NodeProfile busy = node("local", GIGA, 0.2 * GIGA);
        NodeProfile idle = node("thief", GIGA, 4 * GIGA);
        List<ProcessProfile> ranks = List.of(proc("J", 0).shares(1, 0.95).build(), proc("J", 1).shares(1, 0.95).build());
        Decision d = new IosStrategy(DecisionSettings.defaults())
                .decide(Fixtures.steady(busy, ranks, ranks, idle, List.of(), -1, -1));

        assertThat(d.choice()).isEmpty();
        assertThat(d.evaluations()).allSatisfy(e -> {
            assertThat(e.processingGain()).isCloseTo(3.8 / 4.2, within(1e-12));
            assertThat(e.veto()).startsWith("no speedup: median 1.00e+09 ± 0.0 (8 samples) updates/s on the thief"
                    + " < 1.25 x median 1.00e+09");
        });

        // Twice as fast cores on the thief: 2e9 >= 1.25 x 1e9, it moves.
        NodeProfile fast = node("thief", 2 * GIGA, 8 * GIGA);
        assertThat(new IosStrategy(DecisionSettings.defaults())
                .decide(Fixtures.steady(busy, ranks, ranks, fast, List.of(), -1, -1)).choice()).isPresent();
    }

    @Test
    void theThiefMustHaveTheMemoryWhenBothAreKnown() {
        ProcessProfile big = proc("J", 0).rss(2L << 30).build();
        Decision d = new IosStrategy(DecisionSettings.defaults())
                .decide(situation(List.of(big), node("thief", GIGA, 3 * GIGA, 1L << 30)));
        assertThat(d.choice()).isEmpty();
        assertThat(d.evaluations().get(0).veto())
                .isEqualTo("not enough memory on the thief: 1073741824 bytes available < 2147483648 bytes resident");

        ProcessProfile unknownRss = proc("J", 0).build();
        assertThat(new IosStrategy(DecisionSettings.defaults())
                .decide(situation(List.of(unknownRss), node("thief", GIGA, 3 * GIGA, 1L << 30))).choice()).isPresent();
        assertThat(decide(big).choice()).isPresent(); // the thief's memory unknown
    }

    @Test
    void theGainMustBeAboveTheThreshold() {
        // Gain 0.7 x 0.5 = 0.35 without traffic.
        List<ProcessProfile> one = List.of(proc("J", 0).build());
        Decision refused = new IosStrategy(settings("threshold = 0.36")).decide(situation(one, THIEF));
        assertThat(refused.choice()).isEmpty();
        assertThat(refused.evaluations().get(0).veto()).contains("gain 0.350", "not above the threshold 0.360");
        assertThat(new IosStrategy(settings("threshold = 0.34")).decide(situation(one, THIEF)).choice()).isPresent();

        // A thief with less processing than here: negative gain, refused at the default threshold.
        Decision slower = new IosStrategy(DecisionSettings.defaults())
                .decide(situation(one, node("thief", 2 * GIGA, 0.5 * GIGA)));
        assertThat(slower.evaluations().get(0).gain()).isCloseTo(0.7 * (-1.0 / 3), within(1e-12));
        assertThat(slower.choice()).isEmpty();
    }

    @Test
    void theHighestGainWinsAmongSeveral() {
        // Ranks 0..2 of J here, rank 3 on the thief: rank 2 talks most with rank 3, rank 0 only locally.
        ProcessProfile r0 = proc("J", 0).sends(1, 1000).build();
        ProcessProfile r1 = proc("J", 1).sends(0, 1000).sends(3, 1000).build();
        ProcessProfile r2 = proc("J", 2).sends(3, 4000).build();
        ProcessProfile waiting = proc("J", 4).shares(0.5, 0.1).sends(3, 1_000_000).build();
        ProcessProfile r3 = proc("J", 3).sends(2, 4000).sends(1, 1000).sends(4, 1_000_000).build();
        List<ProcessProfile> here = List.of(r0, r1, r2, waiting);
        Decision d = new IosStrategy(DecisionSettings.defaults())
                .decide(Fixtures.steady(LOCAL, here, here, THIEF, List.of(r3), -1, -1));

        assertThat(d.evaluations()).extracting(Evaluation::communicationGain)
                .containsExactly(-1.0, 0.0, 1.0, 1.0);
        assertThat(d.evaluations().get(3).vetoed()).isTrue();
        assertThat(d.choice()).hasValueSatisfying(c -> assertThat(c.process()).isEqualTo(r2));
    }

    @Test
    void tiesGoToTheSmallestStateThenTheLowestRank() {
        ProcessProfile a = proc("A", 3).state(5_000_000).build();
        ProcessProfile b = proc("B", 7).state(2_000_000).build();
        ProcessProfile c = proc("C", 5).state(2_000_000).build();
        IosStrategy ios = new IosStrategy(DecisionSettings.defaults());
        for (List<ProcessProfile> order : List.of(List.of(a, b, c), List.of(c, b, a), List.of(b, a, c))) {
            Decision d = ios.decide(situation(order, THIEF));
            assertThat(d.evaluations()).extracting(Evaluation::gain).containsOnly(0.35);
            assertThat(d.choice()).hasValueSatisfying(x -> assertThat(x.process()).isEqualTo(c));
        }
    }

    @Test
    void noCandidatesNoChoice() {
        Decision d = new IosStrategy(DecisionSettings.defaults()).decide(situation(List.of(), THIEF));
        assertThat(d.choice()).isEmpty();
        assertThat(d.evaluations()).isEmpty();
    }

    @Test
    void aThiefThatAlreadyRunsProcessesOffersOnlyAFairShareOfItsCapacity() {
        // The thief has 0.5 cores free of 1 (its own rank waits in MPI), but once the job speeds
        // up its rank computes again: a newcomer gets at most half of its capacity.
        NodeProfile slow = node("local", GIGA, 0);
        NodeProfile halfBusy = new NodeProfile("thief", 0, 1, 1.0, GIGA, 0.5, 0.5 * GIGA, -1, -1, 0);
        ProcessProfile throttled = proc("J", 0).shares(0.3, 1).build();    // 0.3e9 updates/s here
        ProcessProfile theirs = proc("J", 1).shares(1, 0.3).build();
        assertThat(IosModel.shareThere(halfBusy, 1)).isEqualTo(0.5 * GIGA);
        assertThat(IosModel.shareThere(halfBusy, 3)).isEqualTo(0.25 * GIGA);
        Decision d = new IosStrategy(DecisionSettings.defaults())
                .decide(Fixtures.steady(slow, List.of(throttled), List.of(throttled), halfBusy, List.of(theirs, theirs, theirs), -1, -1));
        assertThat(d.choice()).isEmpty();                                   // 0.25e9 < 1.25 x 0.3e9
        assertThat(d.evaluations().get(0).veto()).startsWith("no speedup: median 2.50e+08");
        assertThat(new IosStrategy(DecisionSettings.defaults())
                .decide(Fixtures.steady(slow, List.of(throttled), List.of(throttled), halfBusy, List.of(theirs), -1, -1))
                .choice()).isPresent();                                      // 0.5e9 >= 1.25 x 0.3e9
    }
}
