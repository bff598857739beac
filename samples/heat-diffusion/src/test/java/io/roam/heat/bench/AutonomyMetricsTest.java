package io.roam.heat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the autonomy benchmark counts: window iteration times, ping-pongs, the oracle's moves. */
class AutonomyMetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s.replace('\'', '"'));
    }

    @Test
    void windowIterationTimeIsWallTimeOverIterationsBetweenTheFirstAndLastSampleInside() throws Exception {
        // 100 iterations a second (10 ms) until 10 s, then 50 a second (20 ms)
        StringBuilder s = new StringBuilder("[");
        long it = 0;
        for (int t = 0; t <= 20; t++) {
            s.append(t == 0 ? "" : ",").append("[").append(t).append(",").append(it).append(",1]");
            it += t < 10 ? 100 : 50;
        }
        JsonNode samples = json(s.append("]").toString());
        assertThat(AutonomyMetrics.windowMs(samples, 0, 10)).isCloseTo(10, within(1e-9));
        assertThat(AutonomyMetrics.windowMs(samples, 10, 20)).isCloseTo(20, within(1e-9));
        assertThat(AutonomyMetrics.windowMs(samples, 30, 40)).isNaN();
    }

    @Test
    void theWorseJobsRatioCounts() {
        assertThat(AutonomyMetrics.ratio(Map.of("A", 12.0, "B", 5.0), Map.of("A", 10.0, "B", 5.0)))
                .isCloseTo(1.2, within(1e-9));
        assertThat(AutonomyMetrics.ratio(Map.of("A", 12.0), Map.of("A", 10.0, "B", 5.0))).isNaN();
    }

    @Test
    void aReturnWithinSixtySecondsIsAPingPong() {
        var away = new AutonomyMetrics.Move("A", 0, "h1", "h3", 10, "");
        var back = new AutonomyMetrics.Move("A", 0, "h3", "h1", 40, "");
        var backLate = new AutonomyMetrics.Move("A", 0, "h3", "h1", 75, "");
        var onward = new AutonomyMetrics.Move("A", 0, "h3", "h2", 40, "");
        var otherRank = new AutonomyMetrics.Move("A", 1, "h3", "h1", 40, "");
        assertThat(AutonomyMetrics.pingPongs(List.of(away, back), 60)).isEqualTo(1);
        assertThat(AutonomyMetrics.pingPongs(List.of(away, backLate), 60)).isZero();
        assertThat(AutonomyMetrics.pingPongs(List.of(away, onward), 60)).isZero();
        assertThat(AutonomyMetrics.pingPongs(List.of(away, otherRank), 60)).isZero();
        var viaThird = new AutonomyMetrics.Move("A", 0, "h2", "h1", 50, "");
        assertThat(AutonomyMetrics.pingPongs(List.of(away, onward, viaThird), 60)).isEqualTo(1);
    }

    @Test
    void movesAreCompletedMigrationsTimedFromTheRunsZero() throws Exception {
        JsonNode r = json("{'zeroEpochMillis':1000,'jobs':[{'name':'A','jobId':'j1'}],'migrations':["
                + "{'jobId':'j1','rank':0,'source':'h1','target':'h3','phase':'DONE','endedAtMillis':21000,"
                + "'effect':{'text':'24.0 -> 6.00 ms'}},"
                + "{'jobId':'j1','rank':1,'source':'h2','target':'h3','phase':'FAILED','endedAtMillis':5000,"
                + "'events':[{'detail':'spawn failed'}]}]}");
        List<AutonomyMetrics.Move> moves = AutonomyMetrics.moves(r);
        assertThat(moves).containsExactly(new AutonomyMetrics.Move("A", 0, "h1", "h3", 20, "24.0 -> 6.00 ms"));
        assertThat(AutonomyMetrics.unfinished(r)).containsExactly("rank 1 h2 -> h3 FAILED: spawn failed");
    }

    @Test
    void theOraclesMovesAreTheRanksBeyondItsPlacementPerJobAndHost() throws Exception {
        JsonNode given = json("{'jobs':[{'name':'A','initialPlacement':{'0':'h1','1':'h1','2':'h2'}},"
                + "{'name':'B','initialPlacement':{'0':'h1'}}]}");
        JsonNode oracle = json("{'jobs':[{'name':'A','initialPlacement':{'0':'h1','1':'h2','2':'h3'}},"
                + "{'name':'B','initialPlacement':{'0':'h3'}}]}");
        // A: one of the two ranks on h1 moves (to h3); B: its rank moves from h1
        assertThat(AutonomyMetrics.movesBetween(given, oracle)).isEqualTo(2);
        assertThat(AutonomyMetrics.movesBetween(given, given)).isZero();
    }
}
