package io.roam.stealing;

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
        assertThat(s.minResidence()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.returnCooldown()).isEqualTo(Duration.ofSeconds(120));
        assertThat(s.returnHold()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.moveBudget()).isEqualTo(4);
        assertThat(s.moveBudgetWindow()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void theNoPingPongKeysAreValidatedWithTheirRange() {
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.min-residence = 2h"))
                .hasMessage("invalid configuration roam.stealing.min-residence = 2h: allowed 0 to 1 h");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.min-residence = -1s"))
                .hasMessage("invalid configuration roam.stealing.min-residence = -1s: allowed 0 to 1 h");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.return-cooldown = 25h"))
                .hasMessage("invalid configuration roam.stealing.return-cooldown = 25h: allowed 0 to 24 h");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.move-budget = 0"))
                .hasMessage("invalid configuration roam.stealing.move-budget = 0: allowed 1 to 1000");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.move-budget = many"))
                .hasMessage("invalid configuration roam.stealing.move-budget = many: allowed 1 to 1000");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.move-budget-window = 1d1s"))
                .hasMessageStartingWith("invalid configuration roam.stealing.move-budget-window = 1d1s: allowed ");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.move-budget-window = 25h"))
                .hasMessage("invalid configuration roam.stealing.move-budget-window = 25h: allowed 0 (no budget) to 24 h");
        StealSettings off = Fixtures.settings("roam.stealing { min-residence = 0, return-cooldown = 0,"
                + " move-budget-window = 0 }");
        assertThat(off.minResidence()).isZero();
        assertThat(off.moveBudgetWindow()).isZero();
    }

    @Test
    void swapsAreOffByDefaultOnlyWithInformedAndTheirKeysAreValidated() {
        StealSettings s = Fixtures.settings("");
        assertThat(s.swaps()).isFalse();
        assertThat(s.swapAbove()).isEqualTo(1.04);
        assertThat(s.swapMinGain()).isEqualTo(0.02);
        assertThat(Fixtures.settings("roam.stealing.swaps = true").swapping()).isFalse();   // nts
        assertThat(Fixtures.settings("roam.stealing { swaps = true, protocol = informed }").swapping()).isTrue();
        assertThat(s.withProtocol(VictimSelection.INFORMED).withSwaps(true).swapping()).isTrue();
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.swap-above = 0.9"))
                .hasMessage("invalid configuration roam.stealing.swap-above = 0.9: allowed 1 to 2");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.swap-min-gain = 0.6"))
                .hasMessage("invalid configuration roam.stealing.swap-min-gain = 0.6: allowed 0 to 0.5");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.swaps = maybe"))
                .hasMessageStartingWith("invalid configuration roam.stealing.swaps = maybe");
    }

    @Test
    void theNoGainHoldIsCheckedAgainstItsMaximum() {
        StealSettings s = Fixtures.settings("");
        assertThat(s.noGainHold()).isEqualTo(Duration.ofSeconds(120));
        assertThat(s.noGainHoldMax()).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing { no-gain-hold = 10m, no-gain-hold-max = 5m }"))
                .hasMessage("invalid configuration roam.stealing.no-gain-hold-max = 5m: allowed at least no-gain-hold"
                        + " (10 min)");
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.no-gain-hold = 25h"))
                .hasMessageStartingWith("invalid configuration roam.stealing.no-gain-hold = 25h: allowed ");
        assertThat(Fixtures.settings("roam.stealing.no-gain-hold = 0").noGainHold(3)).isZero();
    }

    @Test
    void withProtocolKeepsEverythingElse() {
        StealSettings s = Fixtures.settings("roam.stealing { enabled = false, move-budget = 7 }");
        StealSettings rs = s.withProtocol(VictimSelection.RS);
        assertThat(rs.enabled()).isTrue();
        assertThat(rs.protocol()).isEqualTo(VictimSelection.RS);
        assertThat(rs.moveBudget()).isEqualTo(7);
        assertThat(rs.withProtocol(VictimSelection.NTS)).isEqualTo(s.withProtocol(VictimSelection.NTS));
    }

    @Test
    void badValuesNameTheKeyAndWhatIsAllowed() {
        assertThatThrownBy(() -> Fixtures.settings("roam.stealing.protocol = xyz"))
                .hasMessage("invalid configuration roam.stealing.protocol = xyz: allowed one of [rs, ats, nts, informed]");
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
