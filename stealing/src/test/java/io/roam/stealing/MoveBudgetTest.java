package io.roam.stealing;

import static io.roam.stealing.Fixtures.node;
import static io.roam.stealing.Fixtures.process;
import static org.assertj.core.api.Assertions.assertThat;

import io.roam.decision.DecisionSettings;
import io.roam.decision.Strategies;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.stealing.StealMessage.StealAnswer;
import io.roam.stealing.StealMessage.StealOffer;
import io.roam.stealing.StealMessage.StealRefused;
import io.roam.stealing.StealMessage.StealRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A loaded node with eight busy ranks of job j and an idle thief asking for one at a time. */
class MoveBudgetTest {
    private final NodeProfile loaded = node("v", 0.0);
    private final List<ProcessProfile> ranks = IntStream.range(0, 8)
            .mapToObj(r -> process("j", r, 0.125, 0.98, List.of())).toList();
    private final List<ProcessProfile> left = new ArrayList<>(ranks);
    private long id;

    private Victim victim(String hocon) {
        Victim v = new Victim("v", Fixtures.settings("roam.stealing { " + hocon + " }"),
                Strategies.create("ios", DecisionSettings.defaults()), new SplittableRandom(3));
        Fixtures.warm(v.observations(), loaded, ranks, new NeighbourView("t", node("t", 1.0), List.of(), List.of()));
        return v;
    }

    /** One steal at {@code now}: the rank offered, accepted, and moved (or not); -1 if refused. */
    private int steal(Victim v, long now, boolean moves, StringBuilder refusal) {
        StealRequest r = new StealRequest(++id, "t", node("t", 1.0), List.of(), 0, List.of());
        Victim.Reaction re = v.onRequest(r, now, loaded, left, Fixtures.around("v", List.of("t"), Map.of()), -1, -1);
        if (re.outgoing().message() instanceof StealRefused no) {
            refusal.append(no.reason());
            return -1;
        }
        int rank = ((StealOffer) re.outgoing().message()).rank();
        assertThat(v.onAnswer(new StealAnswer(id, "t", true, "accepted"))).isPresent();
        v.onMigrationEnded(id, moves, moves ? "done" : "spawn failed");
        if (moves) {
            left.removeIf(p -> p.rank() == rank);
        }
        return rank;
    }

    @Test
    void aNodeGivesAwayAtMostTheBudgetOfOneJobPerWindow() {
        Victim v = victim("move-budget = 3, move-budget-window = 60s");
        StringBuilder why = new StringBuilder();
        assertThat(steal(v, 1000, true, why)).isNotNegative();
        assertThat(steal(v, 2000, false, why)).isNotNegative();   // failed: does not count
        assertThat(steal(v, 3000, true, why)).isNotNegative();
        assertThat(steal(v, 4000, true, why)).isNotNegative();
        assertThat(steal(v, 5000, true, why)).isEqualTo(-1);
        assertThat(why.toString()).contains("its job used its budget of 3 moves from this node in 60 s");
        // the first move leaves the window 60 s after it was offered
        why.setLength(0);
        assertThat(steal(v, 60_999, true, why)).isEqualTo(-1);
        assertThat(steal(v, 61_000, true, why)).isNotNegative();
        assertThat(left).hasSize(4);
    }

    @Test
    void aZeroWindowMeansNoBudget() {
        Victim v = victim("move-budget = 1, move-budget-window = 0s");
        StringBuilder why = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            assertThat(steal(v, 1000 + i, true, why)).as(why.toString()).isNotNegative();
        }
    }
}
