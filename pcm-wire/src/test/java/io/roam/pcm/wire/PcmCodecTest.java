package io.roam.pcm.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.roam.pcm.wire.PcmMessage.Bye;
import io.roam.pcm.wire.PcmMessage.Heartbeat;
import io.roam.pcm.wire.PcmMessage.MigrationFailed;
import io.roam.pcm.wire.PcmMessage.Register;
import io.roam.pcm.wire.PcmMessage.Registered;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Encoding, decoding and exact byte layout of well-formed frames. */
class PcmCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @TestFactory
    Stream<DynamicTest> everySampleRoundTrips() {
        return Samples.all().stream().map(m -> dynamicTest(Samples.describe(m), () -> {
            byte[] frame = PcmCodec.encode(m);
            assertThat(frame.length).isLessThanOrEqualTo(PcmCodec.MAX_FRAME + 4);
            assertThat(ByteBuffer.wrap(frame).getInt()).isEqualTo(frame.length - 4);
            assertThat(frame[4]).isEqualTo((byte) PcmCodec.VERSION);
            assertThat(frame[5]).isEqualTo((byte) m.type());
            assertThat(PcmCodec.decodeFrame(frame)).isEqualTo(m);
            assertThat(PcmCodec.decode(ByteBuffer.wrap(frame, 4, frame.length - 4))).isEqualTo(m);
        }));
    }

    @Test
    void typeCodesFollowTheProtocol() {
        assertThat(Samples.all()).extracting(PcmMessage::type).containsOnly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15);
        assertThat(PcmMessage.typeName(15)).isEqualTo("PROCESS_FLAGS");
        assertThat(PcmMessage.typeName(14)).isEqualTo("RESIZE_DONE");
        assertThat(PcmMessage.typeName(10)).isEqualTo("MIGRATION_PROGRESS");
        assertThat(PcmMessage.typeName(12)).isEqualTo("MIGRATION_STALLED");
        assertThat(PcmMessage.typeName(11)).isEqualTo("type 11");
        assertThat(PcmMessage.typeName(6)).isEqualTo("MIGRATION_DONE");
        assertThat(PcmMessage.typeName(77)).isEqualTo("type 77");
    }

    @Test
    void frameReaderReadsConsecutiveFramesThenCleanEof() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<PcmMessage> all = Samples.all();
        for (PcmMessage m : all) {
            out.write(PcmCodec.encode(m));
        }
        PcmFrameReader reader = new PcmFrameReader(new ByteArrayInputStream(out.toByteArray()));
        for (PcmMessage m : all) {
            assertThat(reader.read()).isEqualTo(m);
        }
        assertThat(reader.read()).isNull();
        assertThat(reader.read()).isNull();
    }

    @Test
    void decodeLeavesTheBufferUntouched() throws Exception {
        byte[] frame = PcmCodec.encode(Samples.register(3));
        ByteBuffer body = ByteBuffer.wrap(frame, 4, frame.length - 4);
        PcmCodec.decode(body);
        assertThat(body.position()).isEqualTo(4);
        assertThat(body.remaining()).isEqualTo(frame.length - 4);
    }

    @Test
    void flagsAreIgnored() throws Exception {
        byte[] frame = PcmCodec.encode(new Bye(Bye.Reason.MIGRATED));
        frame[6] = (byte) 0xAB;
        frame[7] = (byte) 0xCD;
        assertThat(PcmCodec.decodeFrame(frame)).isEqualTo(new Bye(Bye.Reason.MIGRATED));
    }

    @Test
    void registerLayout() {
        Register m = new Register("j", 2, 4, 0x1234, "h", 1, "p", 0x0102030405060708L, "a,b");
        assertThat(hex(m)).isEqualTo("0000002a" + "01010000"
                + "00016a" + "00000002" + "00000004" + "00001234" + "000168" + "00000001" + "000170"
                + "0102030405060708" + "0003612c62");
        assertThat(m.jobHostList()).containsExactly("a", "b");
        assertThat(new Register("j", 2, 4, 1, "h", 1, "p", 0).jobHostList()).isEmpty();
    }

    @Test
    void registeredLayout() {
        assertThat(hex(new Registered("a", 1000))).isEqualTo("0000000b" + "01020000" + "000161" + "000003e8");
    }

    @Test
    void heartbeatLayout() {
        Heartbeat m = new Heartbeat(1, 2, 3, 4, 5, List.of(new PeerTraffic(7, 8, 9)));
        assertThat(hex(m)).isEqualTo("00000044" + "01030000"
                + "0000000000000001" + "0000000000000002" + "0000000000000003" + "0000000000000004"
                + "0000000000000005" + "00000001" + "00000007" + "0000000000000008" + "0000000000000009");
    }

    @Test
    void migrationFailedLayoutWithNegativeCode() {
        assertThat(hex(new MigrationFailed(7, PcmErrors.PCM_ERR_SUPERSEDED, "x")))
                .isEqualTo("00000013" + "01070000" + "0000000000000007" + "ffffffeb" + "000178");
    }

    @Test
    void migrationStalledLayout() {
        assertThat(hex(new PcmMessage.MigrationStalled(7, 2, 61_000, "x")))
                .isEqualTo("0000001b" + "010c0000" + "0000000000000007" + "00000002" + "000000000000ee48" + "000178");
    }

    @Test
    void resizeDoneLayout() throws Exception {
        PcmMessage.ResizeDone m = new PcmMessage.ResizeDone(7, "x", 2, 4, 1, 2, 3, 4, 5);
        assertThat(hex(m)).isEqualTo("0000003f" + "010e0000" + "0000000000000007" + "000178" + "00000002"
                + "00000004" + "0000000000000001" + "0000000000000002" + "0000000000000003" + "0000000000000004"
                + "0000000000000005");
        byte[] cut = java.util.Arrays.copyOf(PcmCodec.encode(m), 62);   // the total's last byte missing
        java.nio.ByteBuffer.wrap(cut).putInt(0, 58);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PcmCodec.decodeFrame(cut)).isInstanceOf(PcmProtocolException.class)
                .hasMessageContaining("RESIZE_DONE");
    }

    @Test
    void processFlagsLayoutAndRoundTrip() throws Exception {
        PcmMessage.ProcessFlags m = new PcmMessage.ProcessFlags(PcmMessage.ProcessFlags.MALLEABLE);
        // the same bytes as test_pcm_wire.c's test_process_flags (libpcm's encoder)
        assertThat(hex(m)).isEqualTo("00000008" + "010f0000" + "00000001");
        PcmMessage back = PcmCodec.decodeFrame(PcmCodec.encode(m));
        assertThat(back).isEqualTo(m);
        assertThat(((PcmMessage.ProcessFlags) back).malleable()).isTrue();
        PcmMessage.ProcessFlags unknownBits = (PcmMessage.ProcessFlags) PcmCodec.decodeFrame(
                HEX.parseHex("00000008" + "010f0000" + "80000002"));
        assertThat(unknownBits.flags()).isEqualTo(0x80000002L);
        assertThat(unknownBits.malleable()).isFalse();
        byte[] cut = HEX.parseHex("00000007" + "010f0000" + "000001");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PcmCodec.decodeFrame(cut))
                .isInstanceOf(PcmProtocolException.class).hasMessageContaining("PROCESS_FLAGS");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PcmMessage.ProcessFlags(1L << 32))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void byeAndErrorLayout() {
        assertThat(hex(new Bye(Bye.Reason.FINALIZED))).isEqualTo("00000005" + "01080000" + "00");
        assertThat(hex(new Bye(Bye.Reason.MIGRATED))).isEqualTo("00000005" + "01080000" + "01");
        assertThat(hex(new PcmMessage.Error(-20, "é"))).isEqualTo("0000000c" + "01090000" + "ffffffec" + "0002c3a9");
    }

    @Test
    void utf8IsUsedForStrings() {
        byte[] frame = PcmCodec.encode(new Registered("🚀", 0));
        assertThat(HEX.formatHex(frame, 8, 14)).isEqualTo("0004f09f9a80");
    }

    private static String hex(PcmMessage m) {
        return HEX.formatHex(PcmCodec.encode(m));
    }
}
