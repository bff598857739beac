package io.roam.profiling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SmootherTest {
    @Test
    void iosWeightsAQuarterOldThreeQuartersNew() {
        Smoother s = new Smoother(0.25);
        assertThat(s.value()).isNaN();
        assertThat(s.update(100)).isEqualTo(100);
        assertThat(s.update(0)).isCloseTo(25, within(1e-12));
        assertThat(s.update(0)).isCloseTo(6.25, within(1e-12));
        assertThat(s.update(Double.NaN)).isCloseTo(6.25, within(1e-12));
    }

    @Test
    void convergesToAConstantSignal() {
        Smoother s = new Smoother(0.25);
        s.update(0);
        for (int i = 0; i < 20; i++) {
            s.update(40);
        }
        assertThat(s.value()).isCloseTo(40, within(1e-9));
    }

    @Test
    void weightOutOfRangeIsRefused() {
        assertThatThrownBy(() -> new Smoother(1)).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> new Smoother(-0.1)).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> new Smoother(Double.NaN)).hasMessageContaining("[0, 1)");
    }
}
