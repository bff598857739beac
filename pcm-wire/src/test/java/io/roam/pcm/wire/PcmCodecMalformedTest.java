package io.roam.pcm.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.roam.pcm.wire.PcmMessage.Heartbeat;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Every way a frame can be malformed is a {@link PcmProtocolException} (or EOF inside a frame). */
class PcmCodecMalformedTest {

    @TestFactory
    Stream<DynamicTest> lengthOutOfRangeIsRejectedAfterReadingOnlyTheLength() {
        return Stream.of(0L, 3L, PcmCodec.MAX_FRAME + 1L, 0x7FFF_FFFFL, 0xFFFF_FFFFL).map(length ->
                dynamicTest("length " + length, () -> {
                    byte[] bytes = ByteBuffer.allocate(64).putInt((int) (long) length).array();
                    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
                    assertThatThrownBy(() -> new PcmFrameReader(in).read())
                            .isInstanceOf(PcmProtocolException.class)
                            .hasMessageContaining("frame length " + length);
                    assertThat(in.available()).as("bytes left unread").isEqualTo(60);
                    assertThatThrownBy(() -> PcmCodec.decodeFrame(Arrays.copyOf(bytes, 4)))
                            .isInstanceOf(PcmProtocolException.class);
                }));
    }

    @Test
    void bodyOutsideTheLengthRangeIsRejectedByDecode() {
        assertThatThrownBy(() -> PcmCodec.decode(ByteBuffer.allocate(3))).isInstanceOf(PcmProtocolException.class);
        assertThatThrownBy(() -> PcmCodec.decode(ByteBuffer.allocate(PcmCodec.MAX_FRAME + 1)))
                .isInstanceOf(PcmProtocolException.class);
    }

    @Test
    void lengthOfExactlyMaxFrameIsAccepted() {
        // A body of MAX_FRAME bytes passes the length check; this one then fails on its trailing bytes.
        byte[] body = new byte[PcmCodec.MAX_FRAME];
        body[0] = 1;
        body[1] = PcmMessage.BYE;
        assertThatThrownBy(() -> PcmCodec.decode(ByteBuffer.wrap(body)))
                .isInstanceOf(PcmProtocolException.class).hasMessageContaining("trailing");
    }

    @Test
    void decodeFrameChecksTheLengthAgainstTheArray() {
        byte[] frame = PcmCodec.encode(Samples.register(1));
        assertThatThrownBy(() -> PcmCodec.decodeFrame(Arrays.copyOf(frame, frame.length + 1)))
                .isInstanceOf(PcmProtocolException.class);
        assertThatThrownBy(() -> PcmCodec.decodeFrame(Arrays.copyOf(frame, frame.length - 1)))
                .isInstanceOf(PcmProtocolException.class);
        assertThatThrownBy(() -> PcmCodec.decodeFrame(new byte[2])).isInstanceOf(PcmProtocolException.class);
    }

    @TestFactory
    Stream<DynamicTest> wrongVersionIsRejected() {
        return Stream.of(0, 2, 255).map(version -> dynamicTest("version " + version, () -> {
            byte[] frame = PcmCodec.encode(Samples.register(1));
            frame[4] = (byte) (int) version;
            assertThatThrownBy(() -> PcmCodec.decodeFrame(frame))
                    .isInstanceOf(PcmProtocolException.class).hasMessageContaining("version " + version);
        }));
    }

    @TestFactory
    Stream<DynamicTest> unknownTypeIsRejected() {
        return Stream.of(0, 11, 16, 128, 255).map(type -> dynamicTest("type " + type, () ->
                assertThatThrownBy(() -> PcmCodec.decodeFrame(frame(1, type, new byte[0])))
                        .isInstanceOf(PcmProtocolException.class)
                        .hasMessageContaining("unknown message type " + type)));
    }

    @TestFactory
    Stream<DynamicTest> everyTruncationOfEverySampleIsRejected() {
        return smallSamples().map(m -> dynamicTest(Samples.describe(m), () -> {
            byte[] full = PcmCodec.encode(m);
            for (int cut = 8; cut < full.length; cut++) {
                byte[] truncated = withLength(Arrays.copyOf(full, cut));
                assertThatThrownBy(() -> PcmCodec.decodeFrame(truncated))
                        .isInstanceOf(PcmProtocolException.class);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> trailingBytesAreRejected() {
        return smallSamples().map(m -> dynamicTest(Samples.describe(m), () -> {
            byte[] full = PcmCodec.encode(m);
            for (int extra : new int[] {1, 2, 7}) {
                byte[] longer = withLength(Arrays.copyOf(full, full.length + extra));
                assertThatThrownBy(() -> PcmCodec.decodeFrame(longer))
                        .isInstanceOf(PcmProtocolException.class).hasMessageContaining("trailing");
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> invalidUtf8IsRejected() {
        return Stream.of("ff", "c328", "c0af", "e080af", "eda080", "f4908080", "c3", "e282")
                .map(bad -> dynamicTest(bad, () -> {
                    byte[] raw = HexFormat.of().parseHex(bad);
                    byte[] payload = ByteBuffer.allocate(2 + raw.length + 4)
                            .putShort((short) raw.length).put(raw).putInt(1000).array();
                    assertThatThrownBy(() -> PcmCodec.decodeFrame(frame(1, PcmMessage.REGISTERED, payload)))
                            .isInstanceOf(PcmProtocolException.class).hasMessageContaining("UTF-8");
                }));
    }

    @Test
    void stringLengthPastTheEndIsRejected() {
        byte[] payload = HexFormat.of().parseHex("000a" + "616263");
        assertThatThrownBy(() -> PcmCodec.decodeFrame(frame(1, PcmMessage.ERROR, concat(new byte[4], payload))))
                .isInstanceOf(PcmProtocolException.class).hasMessageContaining("past the end");
    }

    @Test
    void stringLongerThanMaxIsRejectedEvenWhenPresent() {
        int n = PcmCodec.MAX_STRING + 1;
        byte[] payload = ByteBuffer.allocate(4 + 2 + n).putInt(0).putShort((short) n).array();
        Arrays.fill(payload, 6, payload.length, (byte) 'a');
        assertThatThrownBy(() -> PcmCodec.decodeFrame(frame(1, PcmMessage.ERROR, payload)))
                .isInstanceOf(PcmProtocolException.class).hasMessageContaining("at most 4096");
    }

    @Test
    void unknownByeReasonIsRejected() {
        assertThatThrownBy(() -> PcmCodec.decodeFrame(frame(1, PcmMessage.BYE, new byte[] {2})))
                .isInstanceOf(PcmProtocolException.class).hasMessageContaining("reason 2");
    }

    @Test
    void heartbeatPeerCountBeyondThePayloadIsRejectedBeforeAllocating() {
        byte[] full = PcmCodec.encode(new Heartbeat(1, 2, 3, 4, 5, List.of(new PeerTraffic(1, 1, 1))));
        ByteBuffer.wrap(full).putInt(8 + 40, 0xFFFF_FFFF); // peers = 2^32 - 1
        assertThatThrownBy(() -> PcmCodec.decodeFrame(full))
                .isInstanceOf(PcmProtocolException.class).hasMessageContaining("4294967295 peers");
        ByteBuffer.wrap(full).putInt(8 + 40, 2);
        assertThatThrownBy(() -> PcmCodec.decodeFrame(full)).isInstanceOf(PcmProtocolException.class);
    }

    @Test
    void endOfStreamInsideAFrameIsAnEofException() {
        byte[] frame = PcmCodec.encode(Samples.register(1));
        for (int cut : new int[] {1, 3, 4, 5, frame.length - 1}) {
            PcmFrameReader reader = new PcmFrameReader(new ByteArrayInputStream(Arrays.copyOf(frame, cut)));
            assertThatThrownBy(reader::read).as("cut at " + cut).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void frameReaderStopsAtTheFirstBadFrame() throws Exception {
        byte[] good = PcmCodec.encode(Samples.register(1));
        byte[] bad = frame(2, PcmMessage.BYE, new byte[] {0});
        PcmFrameReader reader = new PcmFrameReader(
                Channels.newChannel(new ByteArrayInputStream(concat(good, concat(bad, good)))));
        assertThat(reader.read()).isEqualTo(Samples.register(1));
        assertThatThrownBy(reader::read).isInstanceOf(PcmProtocolException.class).hasMessageContaining("version 2");
    }

    /** Samples small enough to try every truncation of. */
    private static Stream<PcmMessage> smallSamples() {
        return Samples.all().stream().filter(m -> PcmCodec.encode(m).length < 20_000);
    }

    static byte[] frame(int version, int type, byte[] payload) {
        return ByteBuffer.allocate(8 + payload.length).putInt(4 + payload.length)
                .put((byte) version).put((byte) type).putShort((short) 0).put(payload).array();
    }

    /** Rewrites the length field to match the array. */
    private static byte[] withLength(byte[] frame) {
        ByteBuffer.wrap(frame).putInt(0, frame.length - 4);
        return frame;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
