package io.roam.pcm.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Reads big-endian payload fields, throwing {@link PcmProtocolException} on any violation. */
final class PayloadReader {
    private final ByteBuffer in;
    private final String typeName;

    PayloadReader(ByteBuffer in, String typeName) {
        this.in = in;
        this.typeName = typeName;
    }

    int u8(String field) throws PcmProtocolException {
        need(1, field);
        return in.get() & 0xFF;
    }

    int u16(String field) throws PcmProtocolException {
        need(2, field);
        return in.getShort() & 0xFFFF;
    }

    long u32(String field) throws PcmProtocolException {
        need(4, field);
        return in.getInt() & 0xFFFF_FFFFL;
    }

    int i32(String field) throws PcmProtocolException {
        need(4, field);
        return in.getInt();
    }

    long u64(String field) throws PcmProtocolException {
        need(8, field);
        return in.getLong();
    }

    String str(String field) throws PcmProtocolException {
        int length = u16(field + " length");
        if (length > PcmCodec.MAX_STRING) {
            throw new PcmProtocolException(typeName + ": " + field + " is " + length
                    + " bytes, at most " + PcmCodec.MAX_STRING + " allowed");
        }
        if (length > in.remaining()) {
            throw new PcmProtocolException(typeName + ": " + field + " length " + length
                    + " runs past the end of the payload (" + in.remaining() + " bytes left)");
        }
        ByteBuffer bytes = in.slice();
        bytes.limit(length);
        in.position(in.position() + length);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new PcmProtocolException(typeName + ": " + field + " is not valid UTF-8", e);
        }
    }

    /** Bytes left in the payload. */
    int remaining() {
        return in.remaining();
    }

    /** Fails if the payload has bytes left after its last field. */
    void end() throws PcmProtocolException {
        if (in.hasRemaining()) {
            throw new PcmProtocolException(typeName + ": " + in.remaining() + " trailing bytes after the payload");
        }
    }

    private void need(int bytes, String field) throws PcmProtocolException {
        if (in.remaining() < bytes) {
            throw new PcmProtocolException(typeName + ": payload truncated at " + field
                    + " (needs " + bytes + " bytes, " + in.remaining() + " left)");
        }
    }
}
