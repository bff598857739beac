package io.roam.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import io.roam.config.Settings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Rules between the modules' settings, checked once at start. */
class AgentConfigTest {
    private static AgentConfig with(String hocon) {
        return AgentConfig.from(ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve());
    }

    @Test
    void theReferenceTimeoutsLetAThiefOutwaitTheVictimsMigration() {
        AgentConfig c = with("");
        assertThat(c.stealing().migrationTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.agent().migrationTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void aThiefThatWouldGiveUpBeforeTheVictimsMigrationTimesOutIsRefusedNamingBothKeys() {
        assertThatThrownBy(() -> with("roam.agent.migration.timeout = 2m"))
                .isInstanceOf(Settings.Invalid.class)
                .hasMessageStartingWith("invalid configuration roam.stealing.migration-timeout = 90 s: it must be"
                        + " longer than roam.agent.migration.timeout = 2 min");
        assertThatThrownBy(() -> with("roam.stealing.migration-timeout = 60s"))
                .as("equal is not longer")
                .hasMessageContaining("roam.stealing.migration-timeout = 1 min")
                .hasMessageContaining("roam.agent.migration.timeout = 1 min");
    }

    @Test
    void theRuleHoldsOnlyWhenTheAgentSteals() {
        assertThat(with("roam.agent.migration.timeout = 2m, roam.stealing.enabled = false").agent().migrationTimeout())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(with("roam.agent.migration.timeout = 2m, roam.stealing.migration-timeout = 121s").stealing()
                .migrationTimeout()).isEqualTo(Duration.ofSeconds(121));
    }
}
