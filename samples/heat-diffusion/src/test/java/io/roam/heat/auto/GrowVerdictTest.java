package io.roam.heat.auto;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The grow demo's verdict: grown after the join, onto the joining host, faster by enough, bit-exact. */
class GrowVerdictTest {
    private static final String H3 = "10.241.0.3";

    /** A run that grew 2 -> 3 onto host 3, 12 s after it joined, from 4 ms to {@code afterMs}. */
    private static ObjectNode run(double afterMs) {
        ObjectNode r = new ObjectMapper().createObjectNode().put("exit", 0).put("bitExact", true).put("joined", true)
                .put("grew", true).put("growSeconds", 12.0).put("sizeBefore", 2).put("sizeAfter", 3)
                .put("ranksAtEnd", 3).put("joiningHost", H3).put("iterations", 21300).put("beforeMs", 4.0)
                .put("afterMs", afterMs).put("deliveredBefore", 0.97).put("deliveredAfter", 0.96)
                .put("prediction", "growing job j 2 -> 3 processes, the new ones on " + H3 + " (2 -> 3 processes: "
                        + "predicted 4.00 -> 2.80 ms per iteration (1.43 x), cost 1.40 s, saves 0.300 s per second of "
                        + "run, payback 4.7 s) onto free slots (roam.agent.grow.on-join)");
        r.putObject("finalPlacement").put("0", "10.241.0.1").put("1", "10.241.0.2").put("2", H3);
        return r;
    }

    @Test
    void aGrowOntoTheJoiningHostThatPaysIsRoamsJobDone() {
        assertThat(GrowVerdict.failure(run(2.8))).isNull();
        assertThat(GrowVerdict.achieved(run(2.8))).contains("grew 2 -> 3 processes onto host 3 12.0 s after it joined",
                "(the agents predicted 4.00 -> 2.80 ms per iteration (1.43 x), cost 1.40 s, saves 0.300 s per second of "
                        + "run, payback 4.7 s)", "0.70 x before it (target at most 0.95 x)", "grid bit-exact (21300 "
                        + "iterations)").doesNotContain("quota");
    }

    @Test
    void aGrowThatDidNotSpeedTheJobUpFails() {
        assertThat(GrowVerdict.failure(run(4.0))).isEqualTo("after the grow the iteration time is 1.00 x what it was "
                + "before host 3 joined (at most 0.95 x expected)");
        // unless the machine gave the hosts clearly less CPU after: then for the CPU they got
        ObjectNode lessCpu = run(4.0).put("deliveredAfter", 0.60);
        assertThat(GrowVerdict.ratio(lessCpu)).isCloseTo(0.60 / 0.97, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(GrowVerdict.failure(lessCpu)).isNull();
        assertThat(GrowVerdict.achieved(lessCpu)).contains("got 60 % of their quota after the grow against 97 %");
    }

    @Test
    void noGrowAGrowBeforeTheJoinOrElsewhereFails() {
        assertThat(GrowVerdict.failure(run(2.9).put("grew", false).put("sizeAfter", 2)))
                .isEqualTo("the job did not grow after host 3 joined: it ran on at 2 ranks");
        assertThat(GrowVerdict.failure(run(2.9).put("joined", false))).startsWith("host 3's agent never joined");
        assertThat(GrowVerdict.failure(run(2.9).put("growSeconds", -3.0))).isEqualTo("the job grew before host 3 joined");
        ObjectNode elsewhere = run(2.9);
        elsewhere.putObject("finalPlacement").put("0", "10.241.0.1").put("1", "10.241.0.2").put("2", "10.241.0.2");
        assertThat(GrowVerdict.failure(elsewhere)).startsWith("the job did not end grown onto host 3");
        assertThat(GrowVerdict.failure(run(2.9).put("ranksAtEnd", 2))).startsWith("the job did not end grown");
    }

    @Test
    void aWrongGridOrAFailedJobFails() {
        assertThat(GrowVerdict.failure(run(2.9).put("bitExact", false)))
                .isEqualTo("the final grid differs from the run without Roam");
        assertThat(GrowVerdict.failure(run(2.9).put("exit", 1))).isEqualTo("the job ended with exit code 1");
        ObjectNode unmeasured = run(2.9);
        unmeasured.remove("afterMs");
        assertThat(GrowVerdict.failure(unmeasured)).isEqualTo("no iteration time measured before the join or after "
                + "the grow");
    }
}
