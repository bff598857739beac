package io.roam.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The swap's judgement of a pair of moves on the two nodes' loads ({@link SwapJudge}, {@link Weights}). */
class SwapJudgeTest {
    private static final double SPEED = 1e8;
    private final Strategy ios = Strategies.create("ios", DecisionSettings.defaults());

    /** A node of one core at 1e8 updates/s with {@code memAvailable} bytes free. */
    private static NodeProfile node(String host, long memAvailable) {
        return new NodeProfile(host, 0, 1, 1.0, SPEED, 1, 0, 32L << 30, memAvailable, 0);
    }

    /**
     * Rank {@code rank} of {@code job}, one of {@code count} on its node, whose work per
     * iteration is {@code weight} x 10^8 updates: it computes all the time at 1 / count of the core.
     */
    private static ProcessProfile rank(String job, int rank, double weight, int count) {
        long iterationNs = Math.round(weight * SPEED * count / SPEED * 1e9);
        return new ProcessProfile(job, rank, 100 + rank, 0, 0, 0, 96L << 20, 64L << 20, 10, iterationNs, iterationNs,
                0, 1.0 / count, 1.0, List.of());
    }

    private static List<ProcessProfile> ranks(String job, double... weights) {
        List<ProcessProfile> out = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            out.add(rank(job, i, weights[i], weights.length));
        }
        return out;
    }

    private SwapDecision judge(List<ProcessProfile> here, List<ProcessProfile> there, double average) {
        return ios.decideSwap(new SwapSituation(node("v", 16L << 30), here, here, 0, node("i", 16L << 30), there,
                there, 1e8, average, 1.04, 0.02));
    }

    @Test
    void aRanksWeightIsItsWorkPerIterationWhateverItsNode() {
        assertThat(Weights.of(rank("a", 0, 1.2, 2), node("v", 0))).isCloseTo(1.2 * SPEED, offset(1.0));
        assertThat(Weights.of(rank("a", 0, 1.2, 3), node("v", 0))).isCloseTo(1.2 * SPEED, offset(1.0));
        assertThat(Weights.load(ranks("a", 1.2, 0.8), node("v", 0))).isCloseTo(2.0, offset(1e-6));
        ProcessProfile fresh = new ProcessProfile("a", 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, List.of());
        assertThat(Weights.of(fresh, node("v", 0))).isEqualTo(-1);
        assertThat(Weights.load(List.of(fresh), node("v", 0))).isEqualTo(-1);
    }

    @Test
    void twoLargeRanksAreSwappedWithTwoSmallOnesSoBothNodesEndAtTheAverage() {
        List<ProcessProfile> here = ranks("big", 1.2, 1.19);
        List<ProcessProfile> there = ranks("small", 0.8, 0.81);
        SwapDecision d = judge(here, there, 2.0);
        assertThat(d.choice()).isPresent();
        SwapDecision.Pair p = d.choice().get();
        assertThat(p.give().jobId()).isEqualTo("big");
        assertThat(p.take()).isNotNull();
        assertThat(p.take().jobId()).isEqualTo("small");
        assertThat(p.before()).isCloseTo(2.39, offset(1e-6));
        // the best pair: 1.2 for 0.81 or 1.19 for 0.8 (2.0 and 2.0 either way, within 0.01)
        assertThat(p.after()).isLessThanOrEqualTo(2.0 + 1e-6);
        assertThat(Math.abs(p.localAfter() - p.initiatorAfter())).isLessThan(0.03);
        assertThat(d.reason()).contains("back");
    }

    @Test
    void aNodeWithARankTooManyGivesOneAndTakesNothingBack() {
        SwapDecision d = judge(ranks("three", 1.0, 1.0, 1.0), ranks("one", 1.0), 2.0);
        assertThat(d.choice()).isPresent();
        assertThat(d.choice().get().take()).isNull();
        assertThat(d.choice().get().after()).isCloseTo(2.0, offset(1e-6));
        assertThat(d.reason()).contains("nothing back");
    }

    @Test
    void noPairIsMadeThatDoesNotLowerTheLargerLoadEnough() {
        // 2.0 against 1.99: at best 2.0 -> 1.99, less than swap-min-gain (2 %)
        SwapDecision d = judge(ranks("a", 1.0, 1.0), ranks("b", 0.99, 1.0), 2.0);
        assertThat(d.choice()).isEmpty();
        assertThat(d.reason()).contains("not below by 2 %");
    }

    @Test
    void noPairRaisesANodeAboveTheBound() {
        // 3.6 against 2.0: every pair that lowers 3.6 raises the initiator to 2.2 or more, above 1.04 x 2.0
        SwapDecision d = judge(ranks("a", 1.2, 1.2, 1.2), ranks("b", 1.0, 1.0), 2.0);
        assertThat(d.choice()).isEmpty();
        assertThat(d.reason()).contains("above the bound");
        // without an estimate of the average, lowering the larger load is enough
        assertThat(judge(ranks("a", 1.2, 1.2, 1.2), ranks("b", 1.0, 1.0), -1).choice()).isPresent();
        // between nodes of as many ranks, the node that gives may stay above the bound: 2.4 and 1.5 become 2.2 and 1.7
        SwapDecision partial = judge(ranks("a", 1.2, 1.2), ranks("b", 1.0, 0.5), 2.0);
        assertThat(partial.choice()).isPresent();
        assertThat(partial.choice().get().localAfter()).isCloseTo(2.2, offset(1e-6));
        assertThat(partial.choice().get().initiatorAfter()).isCloseTo(1.7, offset(1e-6));
        // but a node with more ranks than the initiator exchanges only to settle both: 2.4 and 1.0 alone stay
        assertThat(judge(ranks("a", 1.2, 1.2), ranks("b", 1.0), 2.0).reason())
                .contains("more ranks than the initiator");
    }

    @Test
    void aPullThatEvensTheRankCountsMayLeaveTheInitiatorAboveTheBoundWhenNothingElseIsAllowed() {
        // 3 ranks of 1.2 and 1 of 1.2: no pair fits under 2.08, but the pull makes 2.4 and 2.4 of 3.6 and 1.2
        SwapDecision d = judge(ranks("a", 1.2, 1.2, 1.2), ranks("b", 1.2), 2.0);
        assertThat(d.choice()).isPresent();
        assertThat(d.choice().get().take()).isNull();
        assertThat(d.choice().get().after()).isCloseTo(2.4, offset(1e-6));
    }

    @Test
    void unknownWeightsMeanNoDataYetAndMemoryIsChecked() {
        List<ProcessProfile> here = new ArrayList<>(ranks("a", 1.2, 1.2));
        here.add(new ProcessProfile("new", 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, List.of()));
        assertThat(judge(here, ranks("b", 0.8, 0.8), 2.0).reason()).startsWith("no data yet");

        // a pull that would balance 3 + 1 ranks, but the initiator has no memory free
        List<ProcessProfile> three = ranks("a", 1.0, 1.0, 1.0);
        SwapDecision full = ios.decideSwap(new SwapSituation(node("v", 16L << 30), three, three, 0, node("i", 0),
                ranks("b", 1.0), List.of(), 1e8, 2.0, 1.04, 0.02));
        assertThat(full.choice()).isEmpty();
        assertThat(full.reason()).contains("memory");
    }

    @Test
    void promisedMovesCountInTheLoadHere() {
        // 3 x 1.0 here, but a rank of 1.0 already promised away: 2.0, nothing to gain with a 1.0 node
        List<ProcessProfile> here = ranks("a", 1.0, 1.0, 1.0);
        SwapDecision d = ios.decideSwap(new SwapSituation(node("v", 16L << 30), here, here, -1.0 * SPEED,
                node("i", 16L << 30), ranks("b", 1.0), ranks("b", 1.0), 1e8, 2.0, 1.04, 0.02));
        assertThat(d.choice()).isEmpty();
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new SwapSituation(node("v", 0), List.of(), List.of(), 0, node("i", 0), List.of(),
                List.of(), 1, 1, 0.9, 0.02)).hasMessageContaining("above must be >= 1");
        assertThatThrownBy(() -> new SwapSituation(node("v", 0), List.of(), List.of(), 0, node("i", 0), List.of(),
                List.of(), 1, 1, 1.05, 1)).hasMessageContaining("minGain");
    }
}
