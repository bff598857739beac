package io.roam.pcm.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Field validation shared by the message records and the codec. */
final class PcmChecks {
    /** Largest value of a {@code u32} field. */
    static final long U32_MAX = 0xFFFF_FFFFL;

    private PcmChecks() {
    }

    /** Checks that {@code value} fits a {@code u32} field. */
    static long u32(String field, long value) {
        if (value < 0 || value > U32_MAX) {
            throw new IllegalArgumentException(field + " must be a u32 (0.." + U32_MAX + "), got " + value);
        }
        return value;
    }

    /**
     * Checks that {@code value} is non-null, well-formed UTF-16 and at most
     * {@link PcmCodec#MAX_STRING} bytes once encoded as UTF-8.
     */
    static String str(String field, String value) {
        Objects.requireNonNull(value, field);
        int length = utf8(field, value).length;
        if (length > PcmCodec.MAX_STRING) {
            throw new IllegalArgumentException(
                    field + " is " + length + " UTF-8 bytes, at most " + PcmCodec.MAX_STRING + " allowed");
        }
        return value;
    }

    /** Strict UTF-8 encoding: unpaired surrogates are rejected instead of replaced by '?'. */
    static byte[] utf8(String field, String value) {
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(value));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(field + " is not valid UTF-16 (unpaired surrogate)", e);
        }
    }

    /**
     * Makes free text (e.g. an exception message) safe to put in a {@code str} field: unpaired
     * surrogates become '?', and the text is cut to well under {@link PcmCodec#MAX_STRING} bytes.
     */
    static String sanitize(String text) {
        String clean = new String(String.valueOf(text).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        int max = 1000; // <= 4 bytes per char pair, 3 per BMP char: always < 4096 bytes
        if (clean.length() <= max) {
            return clean;
        }
        int cut = Character.isHighSurrogate(clean.charAt(max - 1)) ? max - 1 : max;
        return clean.substring(0, cut);
    }
}
