package io.roam.heat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which scenarios `benchmarks/autonomy.sh RUNS SCENARIOS` runs. */
class AutonomyScenariosTest {
    @Test
    void scenariosAreNamedByNumberOrByName() {
        assertThat(AutonomyScenarios.select("2,join")).containsExactly(2, 6);
        assertThat(AutonomyScenarios.select(" 7 ,balanced")).containsExactly(1, 7);
    }

    @Test
    void anUnknownScenarioFailsWithTheKnownOnes() {
        assertThatThrownBy(() -> AutonomyScenarios.select("2,joins")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no scenario 'joins'").hasMessageContaining("6 join");
        assertThatThrownBy(() -> AutonomyScenarios.select("8")).hasMessageContaining("no scenario '8'");
    }
}
