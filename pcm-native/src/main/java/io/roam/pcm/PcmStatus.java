package io.roam.pcm;

/** The answer of {@link Pcm#status()}: the same on every rank of the world. */
public enum PcmStatus {
    /** Nothing to do ({@code PCM_CONTINUE}). */
    CONTINUE,
    /** This rank moves: store its state, then call {@link Pcm#reconfigure()} ({@code PCM_MIGRATE}). */
    MIGRATE,
    /** Another rank moves: call {@link Pcm#reconfigure()} ({@code PCM_RECONFIGURE}). */
    RECONFIGURE;

    static PcmStatus of(int code) {
        return switch (code) {
            case 0 -> CONTINUE;
            case 1 -> MIGRATE;
            case 2 -> RECONFIGURE;
            default -> throw new PcmException(io.roam.pcm.wire.PcmErrors.PCM_ERR_INTERNAL,
                    "PCM_Status returned an unknown value " + code);
        };
    }

    /** Whether {@link Pcm#reconfigure()} must be called now. */
    public boolean mustReconfigure() {
        return this != CONTINUE;
    }
}
