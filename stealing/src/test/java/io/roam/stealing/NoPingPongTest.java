package io.roam.stealing;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.decision.DecisionSettings;
import io.roam.decision.Strategies;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.stealing.StealMessage.StealAnswer;
import io.roam.stealing.StealMessage.StealOffer;
import io.roam.stealing.StealMessage.StealOutcome;
import io.roam.stealing.StealMessage.StealRequest;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Rank 0 of job j arrives at node b by a steal b accepted from a (at 10 s), then b is asked
 * for it every second, while b samples its profile and the asking node's view every second
 * (the demo's tuning: profiling and stealing periods of 1 s). Nodes of 0.6 cores at 1e9
 * updates/s per core. What the rank gets at b and what the asking node offers are
 * functions of time; the test reports when b first offers the rank.
 */
class NoPingPongTest {
    private static final double G = 1e9;
    private static final long ARRIVAL = 10_000;
    private static final long END = 400_000;

    private final SplittableRandom rnd = new SplittableRandom(5);

    /** Uniform noise of +-{@code share} around {@code v}. */
    private double noisy(double v, double share) {
        return v * (1 + rnd.nextDouble(-share, share));
    }

    private static StealSettings settings(String hocon) {
        return Fixtures.settings("roam.stealing { period = 1s, protocol = rs, " + hocon + " }");
    }

    private static NodeProfile node(String host, long at, double cpuLimit, double available) {
        return new NodeProfile(host, at, 2, cpuLimit, G, 1 - available / (cpuLimit * G), available, 8L << 30, 4L << 30,
                0);
    }

    private static ProcessProfile rank(long at, double cores) {
        return new ProcessProfile("j", 0, 2000, 1, at, 1000, 64L << 20, 1L << 20, 100, 10_000_000, 9_500_000,
                500_000, cores, 0.95, List.of());
    }

    private static StealingNode.Local local(long at, List<ProcessProfile> own, double available) {
        return new StealingNode.Local(Fixtures.info("b"), node("b", at, 0.6, available), own,
                List.of(Fixtures.info("a"), Fixtures.info("c")), List.of(), Map.of(), Map.of());
    }

    /** b, a thief at first, steals rank 0 of j from a; it arrives at 10 s. */
    private static StealingNode arrived(StealSettings settings) {
        StealingNode b = new StealingNode("b", settings, Strategies.create("ios", DecisionSettings.defaults()),
                new SplittableRandom(1));
        StealingNode.Local idle = local(1000, List.of(), 0.6 * G);
        List<Outgoing> out = b.tick(1000, idle);
        StealRequest request = (StealRequest) out.get(out.size() - 1).message();
        StealingNode.Handled answer = b.handle(new StealOffer(request.stealId(), "a", "j", 0, 0.5, 1L << 20), 1100,
                idle);
        assertThat(((StealAnswer) answer.outgoing().message()).accept()).isTrue();
        b.handle(new StealOutcome(request.stealId(), "a", "j", 0, true, "done"), ARRIVAL, idle);
        assertThat(b.observations().arrivedAt("j", 0)).hasValue(ARRIVAL);
        return b;
    }

    /**
     * When b first offers the rank to {@code asker} (ms), or -1: the rank gets
     * {@code coresHere(t)} cores at b; the asker's view shows {@code askerLimit(t)} cores of
     * limit with {@code askerAvailable(t)} cores available.
     */
    private long firstOffer(StealSettings settings, String asker, LongToDoubleFunction coresHere,
                            LongToDoubleFunction askerLimit, LongToDoubleFunction askerAvailable) {
        StealingNode b = arrived(settings);
        long id = 100;
        for (long t = ARRIVAL + 1000; t <= END; t += 1000) {
            StealingNode.Local l = local(t, List.of(rank(t, coresHere.applyAsDouble(t))), 0.01 * G);
            b.observe(t, l);
            NodeProfile there = node(asker, t, askerLimit.applyAsDouble(t), askerAvailable.applyAsDouble(t) * G);
            b.handle(new NeighbourView(asker, there, List.of(), List.of()), t, null);
            StealingNode.Handled h = b.handle(new StealRequest(++id, asker, there, List.of(), 0, List.of()), t + 1, l);
            if (h.outgoing().message() instanceof StealOffer) {
                return t;
            }
        }
        return -1;
    }

    @Test
    void aRankDoesNotGoBackWithinTheCooldownOnAnEqualNodesBias() {
        // At b the rank gets 0.4 cores (the machine is busy), a offers 0.6 (its quota, idle):
        // the decision alone would send it back (1.5 x, far above the +-5 % noise).
        LongToDoubleFunction here = t -> noisy(0.4, 0.05);
        LongToDoubleFunction limit = t -> 0.6;
        LongToDoubleFunction avail = t -> noisy(0.58, 0.05);
        long without = firstOffer(settings("min-residence = 0s, return-cooldown = 0s, return-hold = 0s"), "a", here,
                limit, avail);
        assertThat(without).isBetween(ARRIVAL, ARRIVAL + 10_000);   // the rules are what holds it
        long with = firstOffer(settings(""), "a", here, limit, avail);
        assertThat(with).isGreaterThanOrEqualTo(ARRIVAL + 120_000);   // return-cooldown = 120 s
    }

    @Test
    void aRankThatJustArrivedIsNotOfferedToAnyoneWithinItsResidence() {
        LongToDoubleFunction here = t -> noisy(0.4, 0.05);
        long first = firstOffer(settings(""), "c", here, t -> 0.6, t -> noisy(0.58, 0.05));
        assertThat(first).isBetween(ARRIVAL + 10_000, ARRIVAL + 12_000);   // min-residence = 10 s
    }

    @Test
    void theNodeItLeftMayTakeItBackOnceItsOfferRoseBeyondTheNoise() {
        // a was throttled to 0.15 cores when the rank left it for b, where it gets 0.3; a is
        // restored at 50 s, within the cool-down
        long restored = ARRIVAL + 40_000;
        LongToDoubleFunction limit = t -> t < restored ? 0.15 : 0.6;
        LongToDoubleFunction avail = t -> noisy(t < restored ? 0.145 : 0.58, 0.1);
        long first = firstOffer(settings("return-hold = 0s"), "a", t -> noisy(0.3, 0.1), limit, avail);
        assertThat(first).isBetween(restored, restored + 10_000);
        // return-hold (60 s): not before 60 s after it left, however good the offer (a flapping node)
        long held = firstOffer(settings(""), "a", t -> noisy(0.3, 0.1), limit, avail);
        assertThat(held).isBetween(ARRIVAL + 60_000, ARRIVAL + 70_000);
        // not restored: it stays for the whole run (a offers less than b gives it)
        assertThat(firstOffer(settings(""), "a", t -> noisy(0.3, 0.1), t -> 0.15, t -> noisy(0.145, 0.1)))
                .isEqualTo(-1);
    }

    @Test
    void aRankLeavesANodeThrottledAfterItArrivedWithinSecondsEvenBackWhereItCameFrom() {
        // equal nodes until b is throttled 4 x at 25 s: residence and cool-down both still run
        long throttled = ARRIVAL + 15_000;
        LongToDoubleFunction here = t -> noisy(t < throttled ? 0.58 : 0.145, 0.3);
        long first = firstOffer(settings(""), "a", here, t -> 0.6, t -> noisy(0.58, 0.3));
        assertThat(first).isBetween(throttled, throttled + 10_000);
        assertThat(firstOffer(settings(""), "c", here, t -> 0.6, t -> noisy(0.58, 0.3)))
                .isBetween(throttled, throttled + 10_000);
    }

    @Test
    void noisyEqualNodesNeverTradeTheRankBack() {
        // +-30 % on both sides for the whole run, well past the cool-down
        assertThat(firstOffer(settings(""), "a", t -> noisy(0.58, 0.3), t -> 0.6, t -> noisy(0.58, 0.3))).isEqualTo(-1);
    }
}
