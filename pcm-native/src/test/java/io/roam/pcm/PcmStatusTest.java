package io.roam.pcm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roam.pcm.wire.PcmErrors;
import org.junit.jupiter.api.Test;

/** The codes of PCM_Status as the binding reads them (pcm.h: PCM_CONTINUE .. PCM_RESIZE); no native code. */
class PcmStatusTest {
    @Test
    void everyAnswerOfPcmStatusHasItsValue() {
        assertThat(PcmStatus.of(0)).isEqualTo(PcmStatus.CONTINUE);
        assertThat(PcmStatus.of(1)).isEqualTo(PcmStatus.MIGRATE);
        assertThat(PcmStatus.of(2)).isEqualTo(PcmStatus.RECONFIGURE);
        assertThat(PcmStatus.of(3)).isEqualTo(PcmStatus.RESIZE);
        assertThatThrownBy(() -> PcmStatus.of(4)).isInstanceOfSatisfying(PcmException.class,
                e -> assertThat(e.code()).isEqualTo(PcmErrors.PCM_ERR_INTERNAL));
    }

    @Test
    void aResizeIsNotAReconfiguration() {
        assertThat(PcmStatus.CONTINUE.mustReconfigure()).isFalse();
        assertThat(PcmStatus.MIGRATE.mustReconfigure()).isTrue();
        assertThat(PcmStatus.RECONFIGURE.mustReconfigure()).isTrue();
        assertThat(PcmStatus.RESIZE.mustReconfigure()).isFalse();
        assertThat(new PcmResize.Info(2, 4).grows()).isTrue();
        assertThat(new PcmResize.Info(4, 3).grows()).isFalse();
    }
}
