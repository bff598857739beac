package io.roam.stealing;

import static io.roam.stealing.Fixtures.around;
import static io.roam.stealing.Fixtures.node;
import static io.roam.stealing.Fixtures.process;
import static org.assertj.core.api.Assertions.assertThat;

import io.roam.decision.DecisionSettings;
import io.roam.decision.Strategies;
import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.JobRank;
import io.roam.stealing.StealMessage.NeighbourView;
import io.roam.stealing.StealMessage.StealAnswer;
import io.roam.stealing.StealMessage.StealOffer;
import io.roam.stealing.StealMessage.StealOutcome;
import io.roam.stealing.StealMessage.StealRefused;
import io.roam.stealing.StealMessage.StealRequest;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VictimTest {
    private final StealSettings settings = Fixtures.settings("roam.stealing { ttl = 2, reply-timeout = 1s }");
    /** A loaded victim: its rank computes all the time on a node with nothing left. */
    private final NodeProfile loaded = node("v", 0.0);
    private final ProcessProfile busyRank = process("j", 0, 0.25, 0.98, List.of());
    private final NodeProfile idleThief = node("t", 1.0);

    private Victim victim(String address) {
        return new Victim(address, settings, Strategies.create("ios", DecisionSettings.defaults()),
                new SplittableRandom(3));
    }

    /** A victim whose windows hold 8 samples of the busy rank here and of each idle thief named. */
    private Victim warmed(String address, String... idleThieves) {
        Victim v = victim(address);
        Fixtures.warm(v.observations(), loaded, List.of(busyRank), java.util.Arrays.stream(idleThieves)
                .map(t -> new NeighbourView(t, node(t, 1.0), List.of(), List.of())).toArray(NeighbourView[]::new));
        return v;
    }

    private StealRequest request(long id, String thief, int ttl) {
        return new StealRequest(id, thief, idleThief, List.of(), ttl, List.of());
    }

    @Test
    void neverOffersARankToAThiefOutsideTheHostsItsJobWasStartedOn() {
        Victim v = warmed("v", "t");
        Victim.Reaction outside = v.onRequest(request(1, "t", 0), 0, loaded, List.of(busyRank),
                Map.of("j", List.of("v", "w")), around("v", List.of("t"), Map.of()), -1, -1);
        assertThat(outside.outgoing().message()).isInstanceOfSatisfying(StealRefused.class, r -> assertThat(r.reason())
                .contains("rank 0 of j: the thief's host t is not one of the hosts its job was started on"));
        assertThat(v.isReserved("j", 0)).isFalse();

        Victim.Reaction inside = v.onRequest(request(2, "t", 0), 0, loaded, List.of(busyRank),
                Map.of("j", List.of("v", "t")), around("v", List.of("t"), Map.of()), -1, -1);
        assertThat(inside.outgoing().message()).isInstanceOf(StealOffer.class);
    }

    @Test
    void offersAProcessThatRunsFasterAtTheThief() {
        Victim v = warmed("v", "t");
        Victim.Reaction r = v.onRequest(request(1, "t", 2), 0, loaded, List.of(busyRank), around("v", List.of("t"), Map.of()),
                -1, -1);
        assertThat(r.outgoing().to()).isEqualTo("t");
        StealOffer o = (StealOffer) r.outgoing().message();
        assertThat(o.jobId()).isEqualTo("j");
        assertThat(o.rank()).isZero();
        assertThat(o.score()).isGreaterThan(0.1);
        assertThat(v.isReserved("j", 0)).isTrue();
        assertThat(v.migratingJobs()).containsExactly("j");
    }

    @Test
    void forwardsWhileTheTtlLastsThenRefuses() {
        ProcessProfile waiting = process("j", 1, 1.0, 0.2, List.of());   // waits in MPI: moving it cannot help
        Victim v = victim("v");
        Neighbourhood n = around("v", List.of("t", "w", "x"), Map.of());
        Victim.Reaction fwd = v.onRequest(request(1, "t", 2), 0, loaded, List.of(waiting), n, -1, -1);
        StealRequest forwarded = (StealRequest) fwd.outgoing().message();
        assertThat(fwd.outgoing().to()).isIn("w", "x");                  // never back to the thief
        assertThat(forwarded.ttl()).isEqualTo(1);
        assertThat(forwarded.visited()).containsExactly("v");
        assertThat(forwarded.thief()).isEqualTo("t");
        assertThat(fwd.decision().evaluations().get(0).veto()).contains("waits");

        Victim w = victim("w");
        Victim.Reaction again = w.onRequest(forwarded, 0, loaded, List.of(), around("w", List.of("v", "t", "x"), Map.of()),
                -1, -1);
        assertThat(again.outgoing().to()).isEqualTo("x");                // not v (visited), not t (thief)
        StealRequest last = (StealRequest) again.outgoing().message();
        assertThat(last.ttl()).isZero();
        assertThat(last.visited()).containsExactly("v", "w");

        Victim.Reaction refused = victim("x").onRequest(last, 0, loaded, List.of(waiting), around("x", List.of("v", "w", "t"),
                Map.of()), -1, -1);
        assertThat(refused.outgoing().to()).isEqualTo("t");
        assertThat(((StealRefused) refused.outgoing().message()).reason()).isEqualTo("nothing worth giving");
        assertThat(((StealRefused) refused.outgoing().message()).pending()).isFalse();
    }

    @Test
    void refusesWhenNoNeighbourIsLeftToForwardTo() {
        Victim.Reaction r = victim("v").onRequest(request(1, "t", 2), 0, loaded, List.of(), around("v", List.of("t"), Map.of()),
                -1, -1);
        assertThat(((StealRefused) r.outgoing().message()).reason()).isEqualTo("no processes");
    }

    @Test
    void twoThievesOneProcessOnlyOneGetsIt() {
        Victim v = warmed("v", "t1", "t2");
        Neighbourhood n = around("v", List.of("t1", "t2"), Map.of());
        Victim.Reaction first = v.onRequest(new StealRequest(1, "t1", idleThief, List.of(), 0, List.of()), 0, loaded,
                List.of(busyRank), n, -1, -1);
        Victim.Reaction second = v.onRequest(new StealRequest(2, "t2", idleThief, List.of(), 0, List.of()), 1, loaded,
                List.of(busyRank), n, -1, -1);
        assertThat(first.outgoing().message()).isInstanceOf(StealOffer.class);
        assertThat(second.outgoing().message()).isInstanceOf(StealRefused.class);
        assertThat(((StealRefused) second.outgoing().message()).reason()).contains("busy");
        // the second thief's answer to an offer it never got orders nothing; the first one's does, once
        assertThat(v.onAnswer(new StealAnswer(1, "t2", true, "accepted"))).isEmpty();
        assertThat(v.onAnswer(new StealAnswer(1, "t1", true, "accepted"))).isPresent();
        assertThat(v.onAnswer(new StealAnswer(1, "t1", true, "accepted"))).isEmpty();
        var outcome = v.onMigrationEnded(1, true, "running on t1");
        assertThat(outcome).isPresent();
        assertThat(outcome.get().to()).isEqualTo("t1");
        assertThat(((StealOutcome) outcome.get().message()).migrated()).isTrue();
        assertThat(v.isReserved("j", 0)).isFalse();
    }

    @Test
    void aThiefWhereASpawnOfTheJobStalledIsNotOfferedItsRanksAgain() {
        Victim v = warmed("v", "t1", "t2");
        Neighbourhood n = around("v", List.of("t1", "t2"), Map.of());
        assertThat(v.onRequest(request(1, "t1", 0), 0, loaded, List.of(busyRank), n, -1, -1).outgoing().message())
                .isInstanceOf(StealOffer.class);
        assertThat(v.onAnswer(new StealAnswer(1, "t1", true, "accepted"))).isPresent();
        v.onMigrationEnded(1, false, "PCM_ERR_SPAWN: MPI_Comm_spawn on host 't1' failed: MPI_ERR_INTERN (after 20016 ms,"
                + " try 1 of 1); Open MPI's start of a process there stalled, so further moves and grows there are"
                + " refused for the rest of the job");
        Victim.Reaction again = v.onRequest(request(2, "t1", 0), 1, loaded, List.of(busyRank), n, -1, -1);
        assertThat(again.outgoing().message()).isInstanceOfSatisfying(StealRefused.class, r -> assertThat(r.reason())
                .contains("rank 0 of j: a spawn of its job on the thief stalled earlier"));
        // another thief still may; and a failure for another reason does not bar a thief
        Victim.Reaction other = v.onRequest(request(3, "t2", 0), 2, loaded, List.of(busyRank), n, -1, -1);
        assertThat(other.outgoing().message()).isInstanceOf(StealOffer.class);
        assertThat(v.onAnswer(new StealAnswer(3, "t2", true, "accepted"))).isPresent();
        v.onMigrationEnded(3, false, "PCM_ERR_SPAWN: MPI_Comm_spawn on host 't2' failed: MPI_ERR_SPAWN (after 3 ms)");
        assertThat(v.onRequest(request(4, "t2", 0), 3, loaded, List.of(busyRank), n, -1, -1).outgoing().message())
                .isInstanceOf(StealOffer.class);
    }

    @Test
    void anUnansweredOfferIsWithdrawnAfterTheReplyTimeout() {
        Victim v = warmed("v", "t");
        Neighbourhood n = around("v", List.of("t"), Map.of());
        v.onRequest(request(1, "t", 0), 0, loaded, List.of(busyRank), n, -1, -1);
        v.expire(1000);
        assertThat(v.isReserved("j", 0)).isTrue();
        v.expire(1001);
        assertThat(v.isReserved("j", 0)).isFalse();
        assertThat(v.onAnswer(new StealAnswer(1, "t", true, "late"))).isEmpty();   // too late: nothing ordered
    }

    @Test
    void aRefusedOfferFreesTheProcess() {
        Victim v = warmed("v", "t");
        v.onRequest(request(1, "t", 0), 0, loaded, List.of(busyRank), around("v", List.of("t"), Map.of()), -1, -1);
        assertThat(v.onAnswer(new StealAnswer(1, "t", false, "served meanwhile"))).isEmpty();
        assertThat(v.isReserved("j", 0)).isFalse();
    }

    @Test
    void aJobAtItsMigrationLimitElsewhereIsNotOffered() {
        Victim v = warmed("v", "t");
        NeighbourView other = new NeighbourView("w", node("w", 0), List.of(new JobRank("j", 5)), List.of("j"));
        Victim.Reaction r = v.onRequest(request(1, "t", 0), 0, loaded, List.of(busyRank),
                around("v", List.of("t", "w"), Map.of("w", other)), -1, -1);
        assertThat(((StealRefused) r.outgoing().message()).reason()).contains("migration limit");
    }

    /** The h2/h3 case of the demo: a thief whose rank waits for ours would give it half what an idle one gives. */
    @Test
    void aProcessIsLeftForAMuchBetterThiefItKnowsOf() {
        ProcessProfile partner = process("j", 1, 0.5, 0.5, List.of());
        StealRequest fromBusy = new StealRequest(1, "t", node("t", 0.55), List.of(partner), 0, List.of());
        NeighbourView idle = new NeighbourView("u", node("u", 1.0), List.of(), List.of());
        Neighbourhood n = around("v", List.of("t", "u"), Map.of("u", idle));

        NeighbourView busyView = new NeighbourView("t", node("t", 0.55), List.of(new JobRank("j", 1)), List.of());
        Victim leaving = victim("v");
        Fixtures.warm(leaving.observations(), loaded, List.of(busyRank), busyView, idle);
        Victim.Reaction left = leaving.onRequest(fromBusy, 0, loaded, List.of(busyRank), n, -1, -1);
        assertThat(left.outgoing().to()).isEqualTo("t");
        assertThat(((StealRefused) left.outgoing().message()).reason()).contains("left for u");
        assertThat(left.decision().choice()).isPresent();   // worth moving: just not to t

        Victim.Reaction offered = warmed("v", "u").onRequest(request(2, "u", 0), 0, loaded, List.of(busyRank),
                around("v", List.of("t", "u"), Map.of("t", new NeighbourView("t", node("t", 0.55),
                        List.of(new JobRank("j", 1)), List.of()))), -1, -1);
        assertThat(offered.outgoing().message()).isInstanceOf(StealOffer.class);

        // the better thief does not come: after two stealing periods (2 s each) the process goes to t
        Victim waiting = victim("v");
        Fixtures.warm(waiting.observations(), loaded, List.of(busyRank), busyView, idle);
        assertThat(waiting.onRequest(fromBusy, 0, loaded, List.of(busyRank), n, -1, -1).outgoing().message())
                .isInstanceOf(StealRefused.class);
        assertThat(waiting.onRequest(fromBusy, 3000, loaded, List.of(busyRank), n, -1, -1).outgoing().message())
                .isInstanceOf(StealRefused.class);
        assertThat(waiting.onRequest(fromBusy, 4001, loaded, List.of(busyRank), n, -1, -1).outgoing().message())
                .isInstanceOf(StealOffer.class);

        Victim off = new Victim("v", Fixtures.settings("roam.stealing { better-thief-ratio = 0 }"),
                Strategies.create("ios", DecisionSettings.defaults()), new SplittableRandom(3));
        Fixtures.warm(off.observations(), loaded, List.of(busyRank), busyView, idle);
        assertThat(off.onRequest(fromBusy, 0, loaded, List.of(busyRank), n, -1, -1).outgoing().message())
                .isInstanceOf(StealOffer.class);
    }
}
