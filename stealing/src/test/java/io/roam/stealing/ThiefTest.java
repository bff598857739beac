package io.roam.stealing;

import static io.roam.stealing.Fixtures.around;
import static io.roam.stealing.Fixtures.node;
import static org.assertj.core.api.Assertions.assertThat;

import io.roam.stealing.StealMessage.StealAnswer;
import io.roam.stealing.StealMessage.StealOffer;
import io.roam.stealing.StealMessage.StealOutcome;
import io.roam.stealing.StealMessage.StealRefused;
import io.roam.stealing.StealMessage.StealRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ThiefTest {
    private final StealSettings settings = Fixtures.settings(
            "roam.stealing { thief-share = 0.5, ttl = 2, reply-timeout = 1s, backoff-base = 2s, backoff-max = 8s, "
                    + "settle-time = 10s, migration-timeout = 30s }");
    private final Neighbourhood around = around("t", List.of("a", "b"), Map.of());

    private Thief thief() {
        return new Thief("t", settings, new SplittableRandom(1));
    }

    @Test
    void onlyANodeWithEnoughAvailableProcessingSteals() {
        Thief t = thief();
        assertThat(t.tick(0, node("t", 0.3), List.of(), around)).isEmpty();
        Optional<Outgoing> o = t.tick(0, node("t", 0.8), List.of(), around);
        assertThat(o).isPresent();
        StealRequest r = (StealRequest) o.get().message();
        assertThat(o.get().to()).isIn("a", "b");
        assertThat(r.thief()).isEqualTo("t");
        assertThat(r.ttl()).isEqualTo(2);
        assertThat(r.thiefProfile().availableShare()).isEqualTo(0.8);
    }

    @Test
    void oneStealOutstandingAtATime() {
        Thief t = thief();
        assertThat(t.tick(0, node("t", 1), List.of(), around)).isPresent();
        for (long now = 100; now <= 3000; now += 100) {   // within (ttl + 1) x reply-timeout
            assertThat(t.tick(now, node("t", 1), List.of(), around)).isEmpty();
        }
        assertThat(t.busy()).isTrue();
    }

    @Test
    void refusalsBackOffExponentiallyUpToTheMaximum() {
        Thief t = thief();
        long now = 0;
        long[] expected = {2000, 4000, 8000, 8000};
        for (long wait : expected) {
            StealRequest r = (StealRequest) t.tick(now, node("t", 1), List.of(), around).orElseThrow().message();
            t.onRefused(new StealRefused(r.stealId(), "a", "nothing worth giving"), now);
            assertThat(t.notBefore()).isEqualTo(now + wait);
            assertThat(t.tick(now + wait - 1, node("t", 1), List.of(), around)).isEmpty();
            now += wait;
        }
        assertThat(t.refusalsInARow()).isEqualTo(4);
        assertThat(t.stats().refusals).isEqualTo(4);
    }

    @Test
    void aPendingRefusalIsNoReasonToBackOff() {
        Thief t = thief();
        StealRequest r = (StealRequest) t.tick(0, node("t", 1), List.of(), around).orElseThrow().message();
        t.onRefused(new StealRefused(r.stealId(), "a", "not enough samples yet", true), 10);
        assertThat(t.busy()).isFalse();
        assertThat(t.refusalsInARow()).isZero();
        assertThat(t.stats().pending).isEqualTo(1);
        StealRequest again = (StealRequest) t.tick(1000, node("t", 1), List.of(), around).orElseThrow().message();
        t.onRefused(new StealRefused(again.stealId(), "a", "nothing worth giving"), 1010);
        assertThat(t.notBefore()).isEqualTo(1010 + 2000);   // a plain refusal: the back-off starts
    }

    @Test
    void aRequestWithoutAnswerTimesOutAndBacksOff() {
        Thief t = thief();
        t.tick(0, node("t", 1), List.of(), around).orElseThrow();
        assertThat(t.tick(3001, node("t", 1), List.of(), around)).isEmpty();   // timed out, backing off 2 s
        assertThat(t.busy()).isFalse();
        assertThat(t.stats().timeouts).isEqualTo(1);
        assertThat(t.tick(5001, node("t", 1), List.of(), around)).isPresent();
    }

    @Test
    void acceptsTheOfferForItsRequestAndSettlesAfterTheMigration() {
        Thief t = thief();
        StealRequest r = (StealRequest) t.tick(0, node("t", 1), List.of(), around).orElseThrow().message();
        Outgoing stale = t.onOffer(new StealOffer(r.stealId() + 1, "a", "j", 0, 0.5, 1), 10, node("t", 1));
        assertThat(((StealAnswer) stale.message()).accept()).isFalse();
        Outgoing answer = t.onOffer(new StealOffer(r.stealId(), "b", "j", 1, 0.5, 1), 10, node("t", 1));
        assertThat(answer.to()).isEqualTo("b");
        assertThat(((StealAnswer) answer.message()).accept()).isTrue();
        // a second offer for the same steal (a forwarded copy) is refused: it was served
        Outgoing second = t.onOffer(new StealOffer(r.stealId(), "a", "j", 2, 0.5, 1), 20, node("t", 1));
        assertThat(((StealAnswer) second.message()).accept()).isFalse();
        t.onOutcome(new StealOutcome(r.stealId(), "b", "j", 1, true, "arrived"), 5000);
        assertThat(t.stats().received).isEqualTo(1);
        assertThat(t.tick(14_999, node("t", 1), List.of(), around)).isEmpty();   // settle-time
        assertThat(t.tick(15_000, node("t", 1), List.of(), around)).isPresent();
    }

    @Test
    void refusesAnOfferOnceServedMeanwhile() {
        Thief t = thief();
        StealRequest r = (StealRequest) t.tick(0, node("t", 1), List.of(), around).orElseThrow().message();
        Outgoing answer = t.onOffer(new StealOffer(r.stealId(), "a", "j", 0, 0.5, 1), 10, node("t", 0.1));
        assertThat(((StealAnswer) answer.message()).accept()).isFalse();
        assertThat(((StealAnswer) answer.message()).reason()).contains("served meanwhile");
        assertThat(t.busy()).isFalse();
    }

    @Test
    void aFailedMigrationBacksOff() {
        Thief t = thief();
        StealRequest r = (StealRequest) t.tick(0, node("t", 1), List.of(), around).orElseThrow().message();
        t.onOffer(new StealOffer(r.stealId(), "a", "j", 0, 0.5, 1), 10, node("t", 1));
        t.onOutcome(new StealOutcome(r.stealId(), "a", "j", 0, false, "spawn failed"), 100);
        assertThat(t.stats().failed).isEqualTo(1);
        assertThat(t.notBefore()).isEqualTo(2100);
    }

    @Test
    void noNeighbourNoRequest() {
        assertThat(thief().tick(0, node("t", 1), List.of(), around("t", List.of(), Map.of()))).isEmpty();
    }

    @Test
    void aChangedNeighbourhoodEndsTheBackOffAFluctuatingLoadDoesNot() {
        Thief t = thief();
        Neighbourhood quiet = around("t", List.of("a", "b"), Map.of("a", Fixtures.view("a"), "b", Fixtures.view("b")));
        long now = 0;
        for (int i = 0; i < 3; i++) {   // three refusals: 2 s, 4 s, 8 s
            StealRequest r = (StealRequest) t.tick(now, node("t", 1), List.of(), quiet).orElseThrow().message();
            t.onRefused(new StealRefused(r.stealId(), "a", "nothing worth giving"), now);
            now = t.notBefore();
        }
        StealRequest r = (StealRequest) t.tick(now, node("t", 1), List.of(), quiet).orElseThrow().message();
        t.onRefused(new StealRefused(r.stealId(), "a", "nothing worth giving"), now);
        assertThat(t.notBefore()).isEqualTo(now + 8000);

        // a's load moves but its CPU limit and ranks do not: still backing off
        var busier = new io.roam.stealing.StealMessage.NeighbourView("a", node("a", 0.3), List.of(), List.of());
        Neighbourhood fluctuating = around("t", List.of("a", "b"), Map.of("a", busier, "b", Fixtures.view("b")));
        assertThat(t.tick(now + 1000, node("t", 1), List.of(), fluctuating)).isEmpty();

        // b is throttled to a quarter core: the thief asks again at once
        var throttled = new io.roam.stealing.StealMessage.NeighbourView("b",
                new io.roam.profiling.NodeProfile("b", 0, 1, 0.25, 1e9, 1, 0, 8L << 30, 4L << 30, 0), List.of(),
                List.of());
        Neighbourhood changed = around("t", List.of("a", "b"), Map.of("a", busier, "b", throttled));
        assertThat(t.tick(now + 2000, node("t", 1), List.of(), changed)).isPresent();
        assertThat(t.stats().backoffResets).isEqualTo(1);
        assertThat(t.refusalsInARow()).isZero();
    }
}
