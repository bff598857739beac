package io.roam.pcm.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the agent's PCM frame reader: random bytes, and valid frames of every
 * message type with bytes flipped, inserted, removed, truncated or with the length rewritten.
 * Whatever arrives, the reader either returns messages that encode back to a valid frame or
 * fails with {@link PcmProtocolException} or {@link EOFException}: never another exception
 * (an index, a negative size, an allocation beyond {@link PcmCodec#MAX_FRAME}).
 */
class PcmWireFuzzTest {
    private static final long SEED = 0x5EED_0F_C0DECL;
    private static final int CASES = 60_000;

    @Test
    void theReaderFailsOnlyWithProtocolErrorsWhateverTheBytes() {
        SplittableRandom random = new SplittableRandom(SEED);
        List<byte[]> valid = Samples.all().stream().map(PcmCodec::encode).filter(f -> f.length < 16_384).toList();
        int decoded = 0;
        int refused = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] input = i % 5 == 0 ? PcmFrameMutator.randomBytes(random) : PcmFrameMutator.mutate(valid.get(random.nextInt(valid.size())), random);
            Outcome o = readAll(input, i);
            decoded += o.messages;
            refused += o.refused ? 1 : 0;
        }
        // the corpus exercises both sides: most mutations are refused, some still decode
        assertThat(refused).as("inputs refused").isGreaterThan(CASES / 2);
        assertThat(decoded).as("messages decoded from mutated input").isGreaterThan(CASES / 100);
    }

    @Test
    void aLengthAboveTheMaximumIsRefusedFromTheHeaderAlone() throws IOException {
        for (long length : new long[] {PcmCodec.MAX_FRAME + 1L, 0x7FFF_FFFFL, 0xFFFF_FFFFL}) {
            byte[] header = {(byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length};
            PcmFrameReader reader = new PcmFrameReader(new ByteArrayInputStream(header));
            try {
                reader.read();
                throw new AssertionError("length " + length + " accepted");
            } catch (PcmProtocolException expected) {
                assertThat(expected.getMessage()).contains("outside");
            }
        }
    }

    private record Outcome(int messages, boolean refused) {
    }

    private static Outcome readAll(byte[] input, int caseNo) {
        PcmFrameReader reader = new PcmFrameReader(new ByteArrayInputStream(input));
        int n = 0;
        try {
            for (PcmMessage m = reader.read(); m != null; m = reader.read()) {
                // what decodes is a message the codec can write again
                assertThat(PcmCodec.decodeFrame(PcmCodec.encode(m))).isEqualTo(m);
                n++;
            }
            return new Outcome(n, false);
        } catch (PcmProtocolException | EOFException e) {
            return new Outcome(n, true);
        } catch (IOException | RuntimeException | Error e) {
            throw new AssertionError("case " + caseNo + " (seed " + SEED + "): " + e, e);
        }
    }
}
