package io.roam.stealing;

import static io.roam.stealing.Fixtures.info;
import static io.roam.stealing.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roam.stealing.StealMessage.Hint;
import io.roam.stealing.StealMessage.NeighbourView;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The informed protocol: its gossip ({@link LoadGossip}) and its choice ({@link VictimSelection#INFORMED}). */
class InformedTest {
    private final StealSettings settings = Fixtures.settings("roam.stealing.protocol = informed");

    private static NeighbourView view(String from, double average, Hint... hints) {
        return new NeighbourView(from, node(from, 0), List.of(), List.of(), average, List.of(hints));
    }

    @Test
    void aNodeAboveTheGossipedAverageNamesItselfAndItsNeighbourPassesItOnOneHopFurther() {
        LoadGossip crowded = new LoadGossip("c", settings, new SplittableRandom(1));
        crowded.onView(view("x", 1.0), 0);   // a neighbour estimates 1 process per 10^8 updates/s
        crowded.tick(0, node("c", 0), 4);     // 4 processes on 1e9 updates/s: load 0.4
        assertThat(crowded.overloaded()).isFalse();   // 0.4 < 1.05 x (0.4 + 1) / 2
        crowded.onView(view("x", 0.1), 1);
        crowded.tick(1, node("c", 0), 4);
        assertThat(crowded.average()).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(crowded.overloaded()).isTrue();
        List<Hint> sent = crowded.outgoing(info("c"));
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).hops()).isZero();

        LoadGossip next = new LoadGossip("n", settings, new SplittableRandom(2));
        next.onView(new NeighbourView("c", node("c", 0), List.of(), List.of(), crowded.average(), sent), 2);
        assertThat(next.known()).extracting(h -> h.node().address()).containsExactly("c");
        assertThat(next.known().get(0).hops()).isEqualTo(1);
        // a view from c that no longer names c: it is not overloaded any more
        next.onView(view("c", 0.25), 3);
        assertThat(next.known()).isEmpty();
    }

    @Test
    void hintsAreForgottenAfterARefusalOrThreePeriodsAndASecond() {
        LoadGossip g = new LoadGossip("me", settings, new SplittableRandom(3));
        g.onView(view("a", 1, new Hint(info("far"), 3, 2), new Hint(info("other"), 3, 1)), 0);
        assertThat(g.known()).hasSize(2);
        g.refusedBy("far");
        assertThat(g.known()).extracting(h -> h.node().address()).containsExactly("other");
        g.tick(3 * 2000 + 1001, node("me", 1), 1);
        assertThat(g.known()).isEmpty();
    }

    @Test
    void knownFollowsEveryChangeOfAHintButNotAFresherCopyOfIt() {
        LoadGossip g = new LoadGossip("me", settings, new SplittableRandom(4));
        g.onView(view("a", 1, new Hint(info("far"), 3, 1)), 0);
        List<Hint> first = g.known();
        assertThat(first).extracting(Hint::load).containsExactly(3.0);
        g.onView(view("b", 1, new Hint(info("far"), 3, 1)), 2000);   // the same hint, heard later
        assertThat(g.known()).isSameAs(first);
        g.tick(3 * 2000 + 1001, node("me", 1), 1);   // aged from its first hearing, kept by the second
        assertThat(g.known()).isEqualTo(first);
        g.onView(view("b", 1, new Hint(info("far"), 5, 1)), 8000);   // its load changed
        assertThat(g.known()).extracting(Hint::load).containsExactly(5.0);
    }

    @Test
    void aHintFurtherThanMaxHopsIsDroppedSoBouncingHintsDie() {
        LoadGossip g = new LoadGossip("me", settings, new SplittableRandom(4));
        g.onView(view("a", 1, new Hint(info("near"), 3, LoadGossip.MAX_HOPS - 1),
                new Hint(info("stale"), 3, LoadGossip.MAX_HOPS)), 0);
        assertThat(g.known()).extracting(h -> h.node().address()).containsExactly("near");
        // heard again further away: the nearer hearing is kept
        g.onView(view("b", 1, new Hint(info("near"), 3, 0)), 1);
        g.onView(view("c", 1, new Hint(info("near"), 3, 5)), 2);
        assertThat(g.known().get(0).hops()).isEqualTo(1);
    }

    @Test
    void aThiefPicksTheMoreLoadedOfTwoHintedNodesOfItsOwnClusterFirst() {
        List<Hint> hints = List.of(new Hint(info("a", "east"), 4, 1), new Hint(info("b", "east"), 2, 1),
                new Hint(info("w", "west"), 9, 1));
        Neighbourhood n = new Neighbourhood(info("me", "east"), List.of(info("x", "east")), List.of(), Map.of(),
                Map.of(), hints);
        SplittableRandom rnd = new SplittableRandom(5);
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            VictimSelection.INFORMED.choose(n, List.of(), Set.of("me"), rnd)
                    .ifPresent(x -> count.merge(x.address(), 1, Integer::sum));
        }
        // two draws from {a, b}: b only when both are b (a quarter)
        assertThat(count.get("a")).isBetween(7200, 7800);
        assertThat(count.get("b")).isBetween(2200, 2800);
        assertThat(count).doesNotContainKey("w").doesNotContainKey("x");
        // with its own cluster's hints excluded, the other cluster's; with none, NTS among neighbours
        assertThat(VictimSelection.INFORMED.choose(n, List.of(), Set.of("a", "b"), rnd).orElseThrow().address())
                .isEqualTo("w");
        assertThat(VictimSelection.INFORMED.choose(n, List.of(), Set.of("a", "b", "w"), rnd).orElseThrow().address())
                .isEqualTo("x");
    }

    @Test
    void aBadProtocolFailsWithTheKeyAndTheAllowedValues() {
        assertThat(settings.protocol()).isEqualTo(VictimSelection.INFORMED);
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.protocol = gossip"))
                .hasMessageContaining("roam.stealing.protocol").hasMessageContaining("informed");
    }
}
