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
            byte[] input = i % 5 == 0 ? randomBytes(random) : mutate(valid.get(random.nextInt(valid.size())), random);
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

    private static byte[] randomBytes(SplittableRandom random) {
        byte[] b = new byte[random.nextInt(0, 64)];
        random.nextBytes(b);
        return b;
    }

    private static byte[] mutate(byte[] frame, SplittableRandom random) {
        byte[] b = frame.clone();
        switch (random.nextInt(6)) {
            case 0 -> {   // flip a few bytes anywhere
                for (int k = random.nextInt(1, 4); k > 0; k--) {
                    b[random.nextInt(b.length)] ^= (byte) random.nextInt(1, 256);
                }
            }
            case 1 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length));   // truncated
            case 2 -> {   // length rewritten: short, long, huge
                long len = switch (random.nextInt(3)) {
                    case 0 -> random.nextInt(0, 8);
                    case 1 -> b.length - 4 + random.nextInt(1, 64);
                    default -> random.nextLong(PcmCodec.MAX_FRAME, 0x1_0000_0000L);
                };
                b[0] = (byte) (len >>> 24);
                b[1] = (byte) (len >>> 16);
                b[2] = (byte) (len >>> 8);
                b[3] = (byte) len;
            }
            case 3 -> b[4] = (byte) random.nextInt(256);   // version
            case 4 -> b[5] = (byte) random.nextInt(256);   // type
            default -> {   // a run of random bytes over the payload (string lengths, counts)
                int from = Math.min(b.length - 1, 8 + random.nextInt(Math.max(1, b.length - 8)));
                int to = Math.min(b.length, from + random.nextInt(1, 9));
                for (int k = from; k < to; k++) {
                    b[k] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }
}
