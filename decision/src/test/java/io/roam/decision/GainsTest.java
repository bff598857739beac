package io.roam.decision;

import static io.roam.decision.Fixtures.GIGA;
import static io.roam.decision.Fixtures.node;
import static io.roam.decision.Fixtures.proc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.roam.profiling.ProcessProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

class GainsTest {
    @Test
    void processingGainIsTheRelativeDifferenceOfAvailableProcessing() {
        assertThat(ProcessingGain.of(node("a", GIGA, 1 * GIGA), node("b", GIGA, 3 * GIGA))).isEqualTo(0.5);
        assertThat(ProcessingGain.of(node("a", GIGA, 3 * GIGA), node("b", GIGA, 1 * GIGA))).isEqualTo(-0.5);
        assertThat(ProcessingGain.of(node("a", GIGA, 0), node("b", GIGA, 2 * GIGA))).isEqualTo(1.0);
    }

    @Test
    void processingGainIsZeroWhenNeitherNodeHasProcessing() {
        assertThat(ProcessingGain.of(node("a", GIGA, 0), node("b", GIGA, 0))).isZero();
    }

    @Test
    void communicationGainCountsBothDirectionsWithTheJobsRanksOnEachNode() {
        ProcessProfile p = proc("J", 0).sends(1, 100).sends(2, 300).sends(3, 7000).build();
        ProcessProfile localPeer = proc("J", 1).sends(0, 100).build();
        ProcessProfile otherJob = proc("K", 2).sends(0, 9999).build();
        ProcessProfile thiefPeer = proc("J", 2).sends(0, 500).build();
        List<ProcessProfile> local = List.of(p, localPeer, otherJob);
        List<ProcessProfile> thief = List.of(thiefPeer);

        // C_local = 100 + 100 (p itself and job K do not count), C_thief = 300 + 500; rank 3 is elsewhere.
        assertThat(CommunicationGain.bytesWith(p, local)).isEqualTo(200);
        assertThat(CommunicationGain.bytesWith(p, thief)).isEqualTo(800);
        assertThat(CommunicationGain.of(p, local, thief)).isCloseTo(0.6, within(1e-12));
        assertThat(CommunicationGain.of(p, thief, local)).isCloseTo(-0.6, within(1e-12));
    }

    @Test
    void communicationGainIsZeroWithoutTrafficOnEitherNode() {
        ProcessProfile p = proc("J", 0).sends(5, 1000).build();
        assertThat(CommunicationGain.of(p, List.of(p, proc("J", 1).build()), List.of(proc("J", 2).build())))
                .isZero();
        assertThat(CommunicationGain.of(p, List.of(), List.of())).isZero();
    }
}
