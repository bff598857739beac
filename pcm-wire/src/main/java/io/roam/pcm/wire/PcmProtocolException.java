package io.roam.pcm.wire;

import java.io.IOException;

/**
 * A peer broke the PCM wire contract (docs/pcm-protocol.md): bad frame length, wrong version,
 * unknown type, truncated or over-long payload, invalid UTF-8, out-of-range field.
 *
 * <p>The receiver answers {@code ERROR(PCM_ERR_PROTOCOL)} if it can and closes that connection.
 */
public class PcmProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public PcmProtocolException(String message) {
        super(message);
    }

    public PcmProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
