package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;

import io.roam.profiling.CommunicationGraph.Edge;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The graph of a 4-rank row-decomposed stencil: each rank talks to rank - 1 and rank + 1. */
class CommunicationGraphTest {
    private static final long ROW = 512 * 8;

    private static Map<Integer, Edge> halo(int rank, int ranks, long iterations) {
        Map<Integer, Edge> m = new HashMap<>();
        if (rank > 0) {
            m.put(rank - 1, new Edge(iterations, iterations * ROW));
        }
        if (rank < ranks - 1) {
            m.put(rank + 1, new Edge(iterations, iterations * ROW));
        }
        return m;
    }

    private static CommunicationGraph stencil(long iterations) {
        CommunicationGraph g = new CommunicationGraph();
        for (int r = 0; r < 4; r++) {
            g.report(r, 0, halo(r, 4, iterations));
            g.placed(r, r < 2 ? "A" : "B");
        }
        return g;
    }

    @Test
    void neighboursOnlyWithByteCountsFromTheGrid() {
        CommunicationGraph g = stencil(100);
        assertThat(g.ranks()).containsExactly(0, 1, 2, 3);
        assertThat(g.sent(1, 2)).isEqualTo(new Edge(100, 100 * ROW));
        assertThat(g.sent(0, 2)).isEqualTo(new Edge(0, 0));
        assertThat(g.exchanged(1, 2)).isEqualTo(2 * 100 * ROW);
        assertThat(g.bytesByNode(1)).containsExactly(Map.entry("A", 200 * ROW), Map.entry("B", 200 * ROW));
        assertThat(g.bytesByNode(0)).containsExactly(Map.entry("A", 200 * ROW));
        assertThat(g.localBytes(1)).isEqualTo(200 * ROW);
        assertThat(g.bytesWith(1, "B")).isEqualTo(200 * ROW);
        assertThat(g.bytesWith(0, "B")).isZero();
    }

    @Test
    void cumulativeCountersReplaceEachOtherAndIncarnationsAdd() {
        CommunicationGraph g = stencil(100);
        g.report(2, 0, halo(2, 4, 150));        // a later heartbeat of the same process
        assertThat(g.sent(2, 1).messages()).isEqualTo(150);
        g.report(2, 1, halo(2, 4, 30));         // its replacement starts from zero
        g.placed(2, "A");
        assertThat(g.sent(2, 1).messages()).isEqualTo(180);
        assertThat(g.nodeOf(2)).contains("A");
        // rank 1 now has both neighbours on its node
        assertThat(g.localBytes(1)).isEqualTo(100 * ROW + 100 * ROW + 100 * ROW + 180 * ROW);
    }

    @Test
    void unknownPlacementIsReportedAsUnknown() {
        CommunicationGraph g = new CommunicationGraph();
        g.report(0, 0, Map.of(1, new Edge(5, 50)));
        assertThat(g.bytesByNode(0)).containsExactly(Map.entry("?", 50L));
        assertThat(g.localBytes(0)).isZero();
    }
}
