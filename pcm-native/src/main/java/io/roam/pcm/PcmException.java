package io.roam.pcm;

import io.roam.pcm.wire.PcmErrors;

/**
 * A failed PCM or MPI call of the Java binding. Every failure of {@link Pcm} and {@link PcmComm}
 * is one of these (nothing fails silently): {@link #code()} is the {@code PCM_ERR_*} code of
 * {@code pcm.h} (the constants are in {@link PcmErrors}), and the message starts with the
 * operation and the text of {@code PCM_Error_string}. A failed MPI call has the code
 * {@link PcmErrors#PCM_ERR_MPI} and carries the MPI error code ({@link #mpiErrorCode()}) and
 * {@code MPI_Error_string}'s text.
 *
 * <p>Unchecked, as the failures of MPI calls are in C programs fatal by default: a Java MPI
 * program catches only what it means to survive, such as {@link PcmErrors#PCM_ERR_SPAWN} from
 * {@link Pcm#reconfigure()} (the migration failed, every rank continues in place).
 */
public final class PcmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final int mpiErrorCode;

    public PcmException(int code, String message) {
        this(code, 0, message, null);
    }

    public PcmException(int code, int mpiErrorCode, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.mpiErrorCode = mpiErrorCode;
    }

    /** The {@code PCM_ERR_*} code (negative), as in {@code pcm.h} and {@link PcmErrors}. */
    public int code() {
        return code;
    }

    /** The symbolic name of {@link #code()}, such as {@code "PCM_ERR_KEY"}. */
    public String codeName() {
        return PcmErrors.name(code);
    }

    /** The MPI error code of a failed MPI call ({@code code() == PCM_ERR_MPI}), else 0. */
    public int mpiErrorCode() {
        return mpiErrorCode;
    }
}
