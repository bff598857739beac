package io.roam.pcm;

/** The answer of {@link Pcm#status()}: the same on every rank of the world. */
public enum PcmStatus {
    /** Nothing to do ({@code PCM_CONTINUE}). */
    CONTINUE,
    /** This rank moves: store its state, then call {@link Pcm#reconfigure()} ({@code PCM_MIGRATE}). */
    MIGRATE,
    /** Another rank moves: call {@link Pcm#reconfigure()} ({@code PCM_RECONFIGURE}). */
    RECONFIGURE,
    /**
     * The job changes its number of processes ({@code PCM_RESIZE}): a malleable program calls
     * {@link PcmResize#begin()}, moves its data, then {@link PcmResize#end()}; one that is not
     * malleable may go on (it then keeps answering RESIZE until the agent's order times out:
     * docs/instrumenting.md, "Malleable programs").
     */
    RESIZE;

    static PcmStatus of(int code) {
        return switch (code) {
            case 0 -> CONTINUE;
            case 1 -> MIGRATE;
            case 2 -> RECONFIGURE;
            case 3 -> RESIZE;
            default -> throw new PcmException(io.roam.pcm.wire.PcmErrors.PCM_ERR_INTERNAL,
                    "PCM_Status returned an unknown value " + code);
        };
    }

    /** Whether {@link Pcm#reconfigure()} must be called now (a migration; a resize is {@link PcmResize}'s). */
    public boolean mustReconfigure() {
        return this == MIGRATE || this == RECONFIGURE;
    }
}
