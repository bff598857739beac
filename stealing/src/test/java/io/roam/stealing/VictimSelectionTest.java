package io.roam.stealing;

import static io.roam.stealing.Fixtures.info;
import static io.roam.stealing.Fixtures.process;
import static io.roam.stealing.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.roam.profiling.ProcessProfile;
import io.roam.stealing.StealMessage.JobRank;
import io.roam.topologies.NodeInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VictimSelectionTest {
    private final List<ProcessProfile> own = List.of(process("j", 0, 1, 0.9,
            List.of(new ProcessProfile.PeerTraffic(1, 100, 9_000_000), new ProcessProfile.PeerTraffic(2, 100, 1_000_000))));

    private Map<String, Integer> picks(VictimSelection s, Neighbourhood n, List<ProcessProfile> mine) {
        SplittableRandom rnd = new SplittableRandom(7);
        Map<String, Integer> count = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            s.choose(n, mine, Set.of(), rnd).ifPresent(x -> count.merge(x.address(), 1, Integer::sum));
        }
        return count;
    }

    @Test
    void rsPicksUniformly() {
        Neighbourhood n = Fixtures.around("me", List.of("a", "b", "c", "d"), Map.of());
        picks(VictimSelection.RS, n, own).values().forEach(c -> assertThat(c).isBetween(2300, 2700));
    }

    @Test
    void atsPrefersTheNodesHostingTheRanksThisNodeTalksTo() {
        Neighbourhood n = Fixtures.around("me", List.of("a", "b", "c"),
                Map.of("a", view("a", new JobRank("j", 1)), "b", view("b", new JobRank("j", 2)), "c", view("c")));
        Map<String, Integer> c = picks(VictimSelection.ATS, n, own);
        // weights: a 9e6 + 1e6/3, b 1e6 + 1e6/3, c 1e6/3 (a tenth of the traffic spread evenly)
        assertThat(c.get("a") / 10_000.0).isBetween(0.80, 0.87);
        assertThat(c.get("b") / 10_000.0).isBetween(0.09, 0.15);
        assertThat(c.get("c") / 10_000.0).isBetween(0.015, 0.05);
        // without traffic, ATS is RS
        picks(VictimSelection.ATS, n, List.of()).values().forEach(x -> assertThat(x).isBetween(3000, 3700));
    }

    @Test
    void ntsWeighsByLatencyAndStaysInItsClusterFirst() {
        NodeInfo self = info("me", "east");
        Neighbourhood n = new Neighbourhood(self, List.of(info("a", "east"), info("b", "east"), info("w", "west")),
                List.of(info("m", "west")), Map.of(), Map.of("a", 1.0, "b", 3.0, "w", 0.01));
        Map<String, Integer> c = picks(VictimSelection.NTS, n, List.of());
        assertThat(c).doesNotContainKeys("w", "m");
        assertThat(c.get("a") / 10_000.0).isBetween(0.72, 0.78);            // 1/1 against 1/3
        // once the cluster is used up (excluded), requests go through the managers
        assertThat(VictimSelection.NTS.choose(n, List.of(), Set.of("a", "b"), new SplittableRandom(1)))
                .map(NodeInfo::address).contains("m");
    }

    @Test
    void namesAreLowerCaseAndParsed() {
        assertThat(VictimSelection.names()).containsExactly("rs", "ats", "nts", "informed");
        assertThat(VictimSelection.byName("NTS")).contains(VictimSelection.NTS);
        assertThat(VictimSelection.byName("xyz")).isEmpty();
    }
}
