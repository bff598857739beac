package io.roam.pcm.wire;

/**
 * The {@code PCM_*} return codes of libpcm, carried in {@code ERROR} and
 * {@code MIGRATION_FAILED} messages. The values are those of {@code pcm.h};
 * {@code PcmErrorsTest} checks that the two lists agree.
 */
public final class PcmErrors {
    public static final int PCM_SUCCESS = 0;
    /** A call before PCM_Init or after PCM_Finalize. */
    public static final int PCM_ERR_NOT_INITIALIZED = -1;
    /** PCM_Init twice. */
    public static final int PCM_ERR_INITIALIZED = -2;
    /** PCM_Init before MPI_Init. */
    public static final int PCM_ERR_MPI_NOT_INIT = -3;
    /** A NULL pointer, negative count, bad communicator. */
    public static final int PCM_ERR_ARG = -4;
    /** PCM_Load of a key that was never stored. */
    public static final int PCM_ERR_KEY = -5;
    /** Datatype differs from the stored one. */
    public static final int PCM_ERR_TYPE = -6;
    /** Count differs from the stored one. */
    public static final int PCM_ERR_COUNT = -7;
    /** PCM_Load in a process that was not restored. */
    public static final int PCM_ERR_NO_STATE = -8;
    public static final int PCM_ERR_NOMEM = -9;
    /** An MPI call failed. */
    public static final int PCM_ERR_MPI = -10;
    /** MPI_Comm_spawn failed; the old placement stays. */
    public static final int PCM_ERR_SPAWN = -11;
    /** The target host does not resolve. */
    public static final int PCM_ERR_HOST = -12;
    /** PCM_Reconfigure without a PCM_Status decision. */
    public static final int PCM_ERR_NO_MIGRATION = -13;
    /** The communicator is not the PCM world. */
    public static final int PCM_ERR_COMM = -14;
    /** The agent socket failed (the app goes on). */
    public static final int PCM_ERR_AGENT = -15;
    /** A key longer than PCM_MAX_KEY or empty. */
    public static final int PCM_ERR_KEY_LENGTH = -16;
    /** The state transfer failed. */
    public static final int PCM_ERR_TRANSFER = -17;
    /** A datatype PCM cannot store (derived types). */
    public static final int PCM_ERR_DATATYPE = -18;
    /** A malformed frame on the agent socket. */
    public static final int PCM_ERR_PROTOCOL = -20;
    /** A newer migration order replaced this one. */
    public static final int PCM_ERR_SUPERSEDED = -21;
    /** PCM_Init: a ROAM_* environment variable out of its range (stderr names it). */
    public static final int PCM_ERR_ENV = -22;
    /** A PCM_Resize call without a PCM_RESIZE decision, or out of order. */
    public static final int PCM_ERR_NO_RESIZE = -23;
    public static final int PCM_ERR_INTERNAL = -30;

    private PcmErrors() {
    }

    /** The symbolic name of a code, for logs; {@code "PCM_ERR_UNKNOWN(<code>)"} if none. */
    public static String name(int code) {
        return switch (code) {
            case PCM_SUCCESS -> "PCM_SUCCESS";
            case PCM_ERR_NOT_INITIALIZED -> "PCM_ERR_NOT_INITIALIZED";
            case PCM_ERR_INITIALIZED -> "PCM_ERR_INITIALIZED";
            case PCM_ERR_MPI_NOT_INIT -> "PCM_ERR_MPI_NOT_INIT";
            case PCM_ERR_ARG -> "PCM_ERR_ARG";
            case PCM_ERR_KEY -> "PCM_ERR_KEY";
            case PCM_ERR_TYPE -> "PCM_ERR_TYPE";
            case PCM_ERR_COUNT -> "PCM_ERR_COUNT";
            case PCM_ERR_NO_STATE -> "PCM_ERR_NO_STATE";
            case PCM_ERR_NOMEM -> "PCM_ERR_NOMEM";
            case PCM_ERR_MPI -> "PCM_ERR_MPI";
            case PCM_ERR_SPAWN -> "PCM_ERR_SPAWN";
            case PCM_ERR_HOST -> "PCM_ERR_HOST";
            case PCM_ERR_NO_MIGRATION -> "PCM_ERR_NO_MIGRATION";
            case PCM_ERR_COMM -> "PCM_ERR_COMM";
            case PCM_ERR_AGENT -> "PCM_ERR_AGENT";
            case PCM_ERR_KEY_LENGTH -> "PCM_ERR_KEY_LENGTH";
            case PCM_ERR_TRANSFER -> "PCM_ERR_TRANSFER";
            case PCM_ERR_DATATYPE -> "PCM_ERR_DATATYPE";
            case PCM_ERR_PROTOCOL -> "PCM_ERR_PROTOCOL";
            case PCM_ERR_SUPERSEDED -> "PCM_ERR_SUPERSEDED";
            case PCM_ERR_ENV -> "PCM_ERR_ENV";
            case PCM_ERR_NO_RESIZE -> "PCM_ERR_NO_RESIZE";
            case PCM_ERR_INTERNAL -> "PCM_ERR_INTERNAL";
            default -> "PCM_ERR_UNKNOWN(" + code + ")";
        };
    }
}
