package io.roam.decision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StrategiesTest {
    @Test
    void namesAreSorted() {
        assertThat(Strategies.names()).containsExactly("cost-aware", "ios");
    }

    @Test
    void createsEachStrategyByName() {
        for (String name : Strategies.names()) {
            Strategy s = Strategies.create(name, DecisionSettings.defaults());
            assertThat(s.name()).isEqualTo(name);
            assertThat(s.description()).isEqualTo(Strategies.descriptions().get(name)).isNotBlank().doesNotContain("\n");
        }
        assertThat(Strategies.create("ios", DecisionSettings.defaults())).isInstanceOf(IosStrategy.class);
        assertThat(Strategies.create("cost-aware", DecisionSettings.defaults())).isInstanceOf(CostAwareStrategy.class);
        assertThat(Strategies.create(Fixtures.settings("strategy = cost-aware")).name()).isEqualTo("cost-aware");
    }

    @Test
    void descriptionsFollowTheNames() {
        assertThat(Strategies.descriptions()).containsOnlyKeys("cost-aware", "ios");
        assertThat(Strategies.descriptions().keySet()).containsExactly("cost-aware", "ios");
    }

    @Test
    void anUnknownNameListsTheValidOnes() {
        assertThatThrownBy(() -> Strategies.create("x", DecisionSettings.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown decision strategy \"x\"; valid: cost-aware, ios");
        assertThatThrownBy(() -> Strategies.create(null, DecisionSettings.defaults()))
                .hasMessage("unknown decision strategy \"null\"; valid: cost-aware, ios");
    }
}
