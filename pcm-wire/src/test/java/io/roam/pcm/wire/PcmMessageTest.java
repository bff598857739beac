package io.roam.pcm.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roam.pcm.wire.PcmMessage.Bye;
import io.roam.pcm.wire.PcmMessage.Heartbeat;
import io.roam.pcm.wire.PcmMessage.Migrate;
import io.roam.pcm.wire.PcmMessage.MigrationDone;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmMessage.Registered;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Field validation in the message records. */
class PcmMessageTest {

    @Test
    void nullStringsAreRejected() {
        assertThatThrownBy(() -> new Register(null, 0, 1, 1, "h", 0, "p", 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Registered(null, 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Migrate(1, null, 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new PcmMessage.Error(1, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Bye(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Heartbeat(0, 0, 0, 0, 0, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new Heartbeat(0, 0, 0, 0, 0, Arrays.asList((PeerTraffic) null)))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void stringsAreLimitedTo4096Utf8Bytes() {
        assertThatCode(() -> new Registered(Samples.MAX_ASCII, 0)).doesNotThrowAnyException();
        assertThatCode(() -> new Registered(Samples.MAX_TWO_BYTE, 0)).doesNotThrowAnyException();
        assertThatCode(() -> new Registered(Samples.MAX_FOUR_BYTE, 0)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new Registered(Samples.MAX_ASCII + "a", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4097");
        // 2048 chars but 4097 bytes
        assertThatThrownBy(() -> new Registered("é".repeat(2047) + "€", 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Migrate(1, "€".repeat(1366), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unpairedSurrogatesAreRejected() {
        assertThatThrownBy(() -> new Registered("a\uD800b", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Registered("\uDC00", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void u32FieldsAreRangeChecked() {
        long max = Samples.U32_MAX;
        assertThatCode(() -> new Register("j", max, max, max, "h", max, "p", -1)).doesNotThrowAnyException();
        assertThatThrownBy(() -> new Register("j", -1, 1, 1, "h", 0, "p", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank");
        assertThatThrownBy(() -> new Register("j", 0, max + 1, 1, "h", 0, "p", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size");
        assertThatThrownBy(() -> new Register("j", 0, 1, -5, "h", 0, "p", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pid");
        assertThatThrownBy(() -> new Register("j", 0, 1, 1, "h", max + 1, "p", 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("moves");
        assertThatThrownBy(() -> new Registered("a", max + 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PeerTraffic(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MigrationDone(1, "j", max + 1, "h", 1, 0, 0, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank");
        assertThatThrownBy(() -> new MigrationDone(1, "j", 1, "h", -1, 0, 0, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sourcePid");
        assertThatCode(() -> new PcmMessage.MigrationStalled(-1, max, -1, "d")).doesNotThrowAnyException();
        assertThatThrownBy(() -> new PcmMessage.ResizeDone(1, "j", max + 1, 2, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("oldSize");
        assertThatThrownBy(() -> new PcmMessage.ResizeDone(1, "j", 2, -1, 0, 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("newSize");
        assertThatThrownBy(() -> new PcmMessage.ResizeDone(1, null, 2, 4, 0, 0, 0, 0, 0))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("jobId");
        assertThatThrownBy(() -> new PcmMessage.MigrationStalled(1, max + 1, 0, "d"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rank");
        assertThatThrownBy(() -> new PcmMessage.MigrationStalled(1, 0, 0, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("detail");
    }

    @Test
    void heartbeatPeersAreAnImmutableCopy() {
        List<PeerTraffic> peers = new ArrayList<>(List.of(new PeerTraffic(1, 2, 3)));
        Heartbeat h = new Heartbeat(0, 0, 0, 0, 0, peers);
        peers.clear();
        assertThat(h.peers()).hasSize(1);
        assertThatThrownBy(() -> h.peers().add(new PeerTraffic(2, 0, 0)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aHeartbeatTooLargeForOneFrameCannotBeEncoded() {
        Heartbeat fits = new Heartbeat(0, 0, 0, 0, 0, Samples.peers(Samples.MAX_PEERS));
        assertThat(PcmCodec.encode(fits).length).isLessThanOrEqualTo(PcmCodec.MAX_FRAME + 4);
        Heartbeat tooBig = new Heartbeat(0, 0, 0, 0, 0, Samples.peers(Samples.MAX_PEERS + 1));
        assertThatThrownBy(() -> PcmCodec.encode(tooBig)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void byeReasonCodes() {
        assertThat(Bye.Reason.FINALIZED.code()).isZero();
        assertThat(Bye.Reason.MIGRATED.code()).isEqualTo(1);
        assertThat(Bye.Reason.fromCode(1)).isEqualTo(Bye.Reason.MIGRATED);
        assertThatThrownBy(() -> Bye.Reason.fromCode(2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void serverOptionsAreValidated() {
        assertThat(PcmServer.Options.defaults().heartbeatMs()).isEqualTo(1000);
        assertThatThrownBy(() -> new PcmServer.Options("a", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PcmServer.Options(null, 1)).isInstanceOf(NullPointerException.class);
    }
}
