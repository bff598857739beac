package io.roam.protocol.stealing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StealSettingsTest {
    @Test
    void defaultsAreDocumentedValues() {
        StealSettings s = Fixtures.settings("");
        assertThat(s.enabled()).isTrue();
        assertThat(s.protocol()).isEqualTo(VictimSelection.NTS);
        assertThat(s.ttl()).isEqualTo(2);
        assertThat(s.period()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.maxMigrationsPerJob()).isEqualTo(1);
    }

    @Test
    void badValuesNameTheKeyAndWhatIsAllowed() {
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.protocol = xyz"))
                .hasMessage("invalid configuration roam.stealing.protocol = xyz: allowed one of [rs, ats, nts]");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.ttl = 17")).hasMessageContaining("roam.stealing.ttl = 17");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.thief-share = 0")).hasMessageContaining("thief-share");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing { backoff-base = 5s, backoff-max = 1s }"))
                .hasMessageContaining("roam.stealing.backoff-max").hasMessageContaining("at least backoff-base");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.period = 1ms")).hasMessageContaining("roam.stealing.period");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.max-migrations-per-job = 0"))
                .hasMessageContaining("max-migrations-per-job");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.better-thief-ratio = 0.5"))
                .hasMessage("invalid configuration roam.stealing.better-thief-ratio = 0.5: allowed 0 (off) or 1 to 100");
    }

    @Test
    void backoffDoublesUpToItsMaximum() {
        StealSettings s = Fixtures.settings("roam.stealing { backoff-base = 1s, backoff-max = 5s }");
        assertThat(s.backoff(0)).isZero();
        assertThat(s.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.backoff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(s.backoff(60)).isEqualTo(Duration.ofSeconds(5));
    }
}
