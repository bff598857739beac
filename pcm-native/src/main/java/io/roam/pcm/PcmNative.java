package io.roam.pcm;

import java.nio.ByteBuffer;

/**
 * The native methods of the binding ({@code src/main/c/pcm_jni*.c}), in one class so that
 * {@code javac -h} writes one header. Natives return {@code PCM_SUCCESS} (0), a value (>= 0)
 * or a negative {@code PCM_ERR_*} code; a failed MPI call returns {@code MPI_FAILED - mpiCode}
 * (see {@link #isMpiFailure}). They never throw, except for an {@link OutOfMemoryError} the JVM
 * raises. The Java wrappers ({@link Pcm}, {@link PcmComm}) check every argument first (bounds,
 * null, direct buffers) and turn every failure into a {@link PcmException}.
 *
 * <p>Ranks use the binding's own values ({@link PcmComm#PROC_NULL}, {@link PcmComm#ANY_SOURCE},
 * {@link PcmComm#ANY_TAG}), translated to the MPI library's in C. Communicators travel as the
 * {@code MPI_Comm} handle cast to a {@code long}.
 */
final class PcmNative {
    /** A failed MPI call returns {@code MPI_FAILED - mpiErrorCode}. */
    static final int MPI_FAILED = -1000;

    /** Array element types; C maps them to MPI datatypes (double, int, int64, byte). */
    static final int T_DOUBLE = 1;
    static final int T_INT = 2;
    static final int T_LONG = 3;
    static final int T_BYTE = 4;

    /** Reduction operations. */
    static final int OP_SUM = 0;
    static final int OP_MIN = 1;
    static final int OP_MAX = 2;

    private PcmNative() {
    }

    static boolean isMpiFailure(int rc) {
        return rc <= MPI_FAILED;
    }

    static int mpiCode(int rc) {
        return MPI_FAILED - rc;
    }

    // ---- library, MPI life cycle ----
    /** What JNI_OnLoad could not do (dlopen of libmpi with RTLD_GLOBAL), or null. */
    static native String loadError();

    /** Bits: 1 = MPI is initialized, 2 = MPI is finalized. */
    static native int mpiState();

    /** MPI_Init_thread(MPI_THREAD_MULTIPLE); returns the level provided (0..3) or an MPI failure. */
    static native int mpiInitThread(String[] args);

    /** MPI_Query_thread: the thread level of an initialized MPI (0..3). */
    static native int mpiQueryThread();

    static native int mpiFinalize();

    static native String errorString(int pcmCode);

    static native String mpiErrorString(int mpiCode);

    // ---- PCM ----
    /** PCM_Init; the world handle goes to world[0]. */
    static native int init(long[] world);

    static native int processStatus();

    static native int moves();

    /** PCM_Store of a whole primitive array of element type {@code type} (T_*). */
    static native int storeArray(String key, Object array, int type);

    /** PCM_Store of bytes [offset, offset + length) of a direct buffer, by reference. */
    static native int storeBuffer(String key, ByteBuffer buffer, int offset, int length);

    static native int unstore(String key);

    /** PCM_Load into a whole primitive array. */
    static native int loadArray(String key, Object array, int type);

    static native int loadBuffer(String key, ByteBuffer buffer, int offset, int length);

    /** PCM_Load_count: the element count, or a negative code. */
    static native int loadCount(String key);

    static native int status(long world);

    /** PCM_Migration_info: the rank that moves, or a negative code. */
    static native int migrationRank();

    /** PCM_Migration_info: the host, or null when there is no decision. */
    static native String migrationHost();

    /**
     * PCM_Reconfigure of world[0] (replaced by the new world on success). On the migrating
     * rank, {@code arrays} are the stored arrays (keys and T_* types alongside): they are pinned
     * and registered at their current address first. Does not return on the migrating rank.
     */
    static native int reconfigure(long[] world, String[] keys, Object[] arrays, int[] types);

    /** PCM_Finalize of world. */
    static native int finalizePcm(long world);

    /** PCM_Resize_begin; the (possibly new) world's handle in world[0]. */
    static native int resizeBegin(long[] world);

    /** PCM_Resize_info into sizes[0] (old) and sizes[1] (new). */
    static native int resizeInfo(int[] sizes);

    /** PCM_Malleable. */
    static native int malleable();

    /** PCM_Resize_end; the (possibly new) world's handle in world[0]. A leaving rank ends inside. */
    static native int resizeEnd(long[] world);

    /**
     * PCM_Redistribute_rows of rows of doubles over comm: this rank's old block from
     * oldRows[oldOffset..] (null without one), its new block into newRows[newOffset..].
     */
    static native int redistributeRows(long comm, int oldSize, int newSize, int totalRows, int rowLen,
                                       double[] oldRows, int oldOffset, double[] newRows, int newOffset);

    // ---- the communicator ----
    static native int commRank(long comm);

    static native int commSize(long comm);

    static native int barrier(long comm);

    /** MPI_Abort on comm (MPI_COMM_WORLD when comm is 0). */
    static native int abort(long comm, int errorCode);

    static native int send(long comm, Object array, int type, int offset, int count, int dest, int tag);

    /** status: source, tag, elements received. */
    static native int recv(long comm, Object array, int type, int offset, int count, int source, int tag,
                           int[] status);

    static native int sendrecv(long comm, Object sendArray, int sendType, int sendOffset, int sendCount, int dest,
                               int sendTag, Object recvArray, int recvType, int recvOffset, int recvCount,
                               int source, int recvTag, int[] status);

    static native int sendBuffer(long comm, ByteBuffer buffer, int offset, int length, int dest, int tag);

    static native int recvBuffer(long comm, ByteBuffer buffer, int offset, int length, int source, int tag,
                                 int[] status);

    static native int sendrecvBuffer(long comm, ByteBuffer sendBuffer, int sendOffset, int sendLength, int dest,
                                     int sendTag, ByteBuffer recvBuffer, int recvOffset, int recvLength,
                                     int source, int recvTag, int[] status);

    /** In place: array[offset, offset + count) becomes the reduction over all ranks. */
    static native int allreduce(long comm, Object array, int type, int offset, int count, int op);

    /** MPI_Gather of one int per rank into counts (significant at root only). */
    static native int gatherCounts(long comm, int count, int root, int[] counts);

    /** MPI_Gatherv of doubles; dst and counts are significant at root only. */
    static native int gatherv(long comm, double[] src, int offset, int count, double[] dst, int[] counts, int root);
}
