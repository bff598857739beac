package io.roam.pcm;

import static io.roam.pcm.wire.PcmErrors.PCM_ERR_ARG;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_MPI;

import java.nio.ByteBuffer;

/**
 * How the Java binding checks arguments before a native call and turns the native return
 * codes into {@link PcmException}s (negative PCM codes, or an MPI failure with its code).
 */
final class NativeCalls {
    private NativeCalls() {
    }

    static void requireNonNull(String op, Object o, String what) {
        if (o == null) {
            throw new PcmException(PCM_ERR_ARG, op + ": " + what + " is null: " + PcmNative.errorString(PCM_ERR_ARG));
        }
    }

    static void requireDirect(String op, ByteBuffer b, boolean writable) {
        requireNonNull(op, b, "buffer");
        if (!b.isDirect()) {
            throw new PcmException(PCM_ERR_ARG, op + ": the buffer is not direct (a heap buffer can move): "
                    + PcmNative.errorString(PCM_ERR_ARG));
        }
        if (writable && b.isReadOnly()) {
            throw new PcmException(PCM_ERR_ARG, op + ": the buffer is read-only: " + PcmNative.errorString(PCM_ERR_ARG));
        }
    }

    /** The exception for a PCM code. */
    static PcmException fail(String op, int code) {
        return new PcmException(code, op + ": " + PcmNative.errorString(code));
    }

    /** rc when >= 0, else the exception for it (PCM or MPI). */
    static int check(String op, int rc) {
        if (rc >= 0) {
            return rc;
        }
        if (PcmNative.isMpiFailure(rc)) {
            int mpi = PcmNative.mpiCode(rc);
            throw new PcmException(PCM_ERR_MPI, mpi, op + ": " + PcmNative.errorString(PCM_ERR_MPI) + ": "
                    + PcmNative.mpiErrorString(mpi), null);
        }
        throw fail(op, rc);
    }
}
