package io.roam.decision;

import static io.roam.decision.Fixtures.GIGA;
import static io.roam.decision.Fixtures.node;
import static io.roam.decision.Fixtures.proc;
import static org.assertj.core.api.Assertions.assertThat;

import io.roam.decision.Placement.Ranked;
import io.roam.decision.Placement.Target;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Choosing where a process that must leave goes (drain). */
class PlacementTest {
    private final Placement placement = new Placement(DecisionSettings.defaults());
    private final NodeProfile local = node("src", GIGA, 0.5 * GIGA);

    @Test
    void moreAvailableProcessingRanksFirstAndNoSpeedupVetoApplies() {
        ProcessProfile p = proc("j", 0).shares(1.0, 0.9).build();   // runs at full speed here: a steal would veto
        List<Ranked> r = placement.rank(p, local, List.of(p), List.of(
                new Target("busy", node("busy", GIGA, 0.2 * GIGA), List.of()),
                new Target("idle", node("idle", GIGA, 3 * GIGA), List.of())));

        assertThat(r).extracting(x -> x.target().id()).containsExactly("idle", "busy");
        assertThat(r).allMatch(x -> x.veto() == null);
        assertThat(r.get(0).processingGain()).isGreaterThan(0);
        assertThat(r.get(1).processingGain()).isLessThan(0);
    }

    @Test
    void communicationWithTheTargetsRanksCountsAtEqualProcessing() {
        ProcessProfile p = proc("j", 1).sends(0, 1000).sends(2, 1000).sends(3, 1000).build();
        ProcessProfile rank0 = proc("j", 0).sends(1, 1000).build();
        ProcessProfile rank2 = proc("j", 2).sends(1, 1000).build();
        ProcessProfile rank3 = proc("j", 3).build();   // stays on the drained node: 1000 bytes with p
        List<Ranked> r = placement.rank(p, local, List.of(p, rank3), List.of(
                new Target("a", node("a", GIGA, GIGA), List.of(rank0)),
                new Target("b", node("b", GIGA, GIGA), List.of()),
                new Target("c", node("c", GIGA, GIGA), List.of(rank0, rank2))));

        assertThat(r).extracting(x -> x.target().id()).containsExactly("c", "a", "b");
        assertThat(r.get(0).communicationGain()).isCloseTo(0.6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.get(1).communicationGain()).isCloseTo(1.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.get(2).communicationGain()).isEqualTo(-1.0);
    }

    @Test
    void aTargetWithoutMemoryComesLastWithItsVeto() {
        ProcessProfile p = proc("j", 0).rss(2L << 30).build();
        List<Ranked> r = placement.rank(p, local, List.of(p), List.of(
                new Target("small", node("small", GIGA, 4 * GIGA, 1L << 30), List.of()),
                new Target("big", node("big", GIGA, GIGA, 8L << 30), List.of())));

        assertThat(r).extracting(x -> x.target().id()).containsExactly("big", "small");
        assertThat(r.get(1).veto()).contains("not enough memory");
        assertThat(r.get(0).veto()).isNull();
    }

    @Test
    void noTargetsNoRanking() {
        assertThat(placement.rank(proc("j", 0).build(), local, List.of(), List.of())).isEmpty();
    }
}
