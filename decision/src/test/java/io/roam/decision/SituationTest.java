package io.roam.decision;

import static io.roam.decision.Fixtures.GIGA;
import static io.roam.decision.Fixtures.node;
import static io.roam.decision.Fixtures.proc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roam.profiling.NodeProfile;
import io.roam.profiling.ProcessProfile;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SituationTest {
    private static final NodeProfile N = node("n", GIGA, GIGA);
    private static final Evidence E = Evidence.NONE;

    @Test
    void everyPartIsRequired() {
        List<ProcessProfile> none = List.of();
        assertThatThrownBy(() -> new Situation(null, none, none, N, none, -1, -1, E)).hasMessage("local");
        assertThatThrownBy(() -> new Situation(N, null, none, N, none, -1, -1, E)).hasMessage("candidates");
        assertThatThrownBy(() -> new Situation(N, none, null, N, none, -1, -1, E)).hasMessage("localProcesses");
        assertThatThrownBy(() -> new Situation(N, none, none, null, none, -1, -1, E)).hasMessage("thief");
        assertThatThrownBy(() -> new Situation(N, none, none, N, null, -1, -1, E)).hasMessage("thiefProcesses");
        assertThatThrownBy(() -> new Situation(N, none, none, N, none, -1, -1, null)).hasMessage("evidence");
    }

    @Test
    void listsAreCopiedAndTheRateKnownOnlyAboveZero() {
        List<ProcessProfile> mutable = new ArrayList<>(List.of(proc("J", 0).build()));
        Situation s = new Situation(N, mutable, mutable, N, mutable, 5e6, 0.3, E);
        mutable.clear();
        assertThat(s.candidates()).hasSize(1);
        assertThat(s.transferRateKnown()).isTrue();
        assertThat(new Situation(N, mutable, mutable, N, mutable, -1, -1, E).transferRateKnown()).isFalse();
        assertThat(new Situation(N, mutable, mutable, N, mutable, 0, -1, E).transferRateKnown()).isFalse();
    }
}
