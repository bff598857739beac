package io.roam.pcm;

/** How this process started ({@code PCM_Process_Status}). */
public enum ProcessStatus {
    /** Started by mpirun: nothing to load. */
    STARTED_FRESH,
    /** A replacement of a rank that moved here: {@link Pcm#load} gives the moved state. */
    STARTED_RESTORED,
    /** Spawned by a grow: it takes part in the resize, {@link PcmResize#info()} then {@link PcmResize#end()}. */
    STARTED_JOINED
}
