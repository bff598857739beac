package io.roam.pcm.wire;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A test aid for fuzzing the PCM socket (used by this module's and the agent's fuzz tests):
 * random byte strings, and mutations of valid frames (bytes flipped, truncated, the length
 * rewritten short, long or huge, a random version or type, a run of random payload bytes).
 */
public final class PcmFrameMutator {
    private PcmFrameMutator() {
    }

    /** 0 to 63 random bytes. */
    public static byte[] randomBytes(SplittableRandom random) {
        byte[] b = new byte[random.nextInt(0, 64)];
        random.nextBytes(b);
        return b;
    }

    /** A mutated copy of {@code frame} (a whole encoded frame, at least 8 bytes). */
    public static byte[] mutate(byte[] frame, SplittableRandom random) {
        byte[] b = frame.clone();
        switch (random.nextInt(6)) {
            case 0 -> {   // flip a few bytes anywhere
                for (int k = random.nextInt(1, 4); k > 0; k--) {
                    b[random.nextInt(b.length)] ^= (byte) random.nextInt(1, 256);
                }
            }
            case 1 -> b = Arrays.copyOf(b, random.nextInt(b.length));   // truncated
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
