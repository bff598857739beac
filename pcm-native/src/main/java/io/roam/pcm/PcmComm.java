package io.roam.pcm;

import static io.roam.pcm.wire.PcmErrors.PCM_ERR_ARG;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_NOT_INITIALIZED;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntSupplier;

/**
 * The application's world communicator, as {@link Pcm#init} gives it: the MPI operations a Java
 * MPI program needs, on {@code double[]} (and {@code long[]} for reductions) and on direct
 * {@link ByteBuffer}s ({@code MPI_BYTE}). After a migration it holds the new world (updated in
 * place by {@link Pcm#reconfigure()}): rank numbers never change.
 *
 * <p>Array operations copy the elements through native memory ({@code Get/Set<Type>ArrayRegion}),
 * so no Java array stays pinned while a call waits for another rank. Buffer operations use the
 * direct buffer's memory as it is, bytes {@code [position, limit)}; position and limit are not
 * changed. Operations may be called from several threads at once (MPI_THREAD_MULTIPLE); see
 * {@link Pcm} for the rules. Every failure is a {@link PcmException}: bad offsets, counts or
 * buffers are {@code PCM_ERR_ARG}, failed MPI calls {@code PCM_ERR_MPI} with the MPI code, any
 * call after {@link Pcm#finalizeAll()} {@code PCM_ERR_NOT_INITIALIZED}.
 */
public final class PcmComm {
    /** No process: a send to it or a receive from it completes at once ({@code MPI_PROC_NULL}). */
    public static final int PROC_NULL = -2;
    /** Receive from any rank ({@code MPI_ANY_SOURCE}). */
    public static final int ANY_SOURCE = -1;
    /** Receive with any tag ({@code MPI_ANY_TAG}). */
    public static final int ANY_TAG = -1;

    /** Reduction operations of {@link #allreduce}. */
    public enum Op {
        SUM(PcmNative.OP_SUM), MIN(PcmNative.OP_MIN), MAX(PcmNative.OP_MAX);

        final int code;

        Op(int code) {
            this.code = code;
        }
    }

    /**
     * What a receive got.
     *
     * @param source the rank it came from ({@link #PROC_NULL} for a receive from PROC_NULL)
     * @param tag    its tag
     * @param count  the number of elements (bytes for buffers) received
     */
    public record Status(int source, int tag, int count) {
    }

    /** Set when MPI gives less than MPI_THREAD_MULTIPLE: every MPI call of the binding takes it. */
    private static volatile ReentrantLock serialLock;

    /** World operations hold it shared; reconfiguration and finalization exclusively. */
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** The MPI_Comm handle; 0 once finalized. Written under the write lock. */
    volatile long handle;
    private volatile int rank;
    private volatile int size;

    PcmComm(long handle) {
        replace(handle);
    }

    /** The world's new communicator after a reconfiguration or a resize (under the write lock but at creation). */
    void replace(long newHandle) {
        this.rank = NativeCalls.check("MPI_Comm_rank", PcmNative.commRank(newHandle));
        this.size = NativeCalls.check("MPI_Comm_size", PcmNative.commSize(newHandle));
        this.handle = newHandle;
    }

    static void serializeMpi(boolean on) {
        serialLock = on ? new ReentrantLock() : null;
    }

    /** Runs an MPI call under the serializing lock, if MPI needs one. */
    static int serialized(IntSupplier call) {
        ReentrantLock l = serialLock;
        if (l == null) {
            return call.getAsInt();
        }
        l.lock();
        try {
            return call.getAsInt();
        } finally {
            l.unlock();
        }
    }

    /** This process's rank in the world (unchanged by migrations). */
    public int rank() {
        return rank;
    }

    /** The number of ranks of the world (changed by a resize, {@link PcmResize}). */
    public int size() {
        return size;
    }

    // ------------------------------------------------------------------ point to point

    /** {@code MPI_Send} of {@code buf[offset, offset + count)}. */
    public void send(double[] buf, int offset, int count, int dest, int tag) {
        checkRange("send", buf, offset, count);
        call("MPI_Send", h -> PcmNative.send(h, buf, PcmNative.T_DOUBLE, offset, count, dest, tag));
    }

    /** {@code MPI_Send} of the whole array. */
    public void send(double[] buf, int dest, int tag) {
        NativeCalls.requireNonNull("send", buf, "array");
        send(buf, 0, buf.length, dest, tag);
    }

    /** {@code MPI_Recv} into {@code buf[offset, offset + count)}; at most count elements arrive. */
    public Status recv(double[] buf, int offset, int count, int source, int tag) {
        checkRange("recv", buf, offset, count);
        int[] st = new int[3];
        call("MPI_Recv", h -> PcmNative.recv(h, buf, PcmNative.T_DOUBLE, offset, count, source, tag, st));
        return new Status(st[0], st[1], st[2]);
    }

    /** {@code MPI_Recv} into the whole array. */
    public Status recv(double[] buf, int source, int tag) {
        NativeCalls.requireNonNull("recv", buf, "array");
        return recv(buf, 0, buf.length, source, tag);
    }

    /**
     * {@code MPI_Sendrecv}: sends {@code sendBuf[sendOffset, +sendCount)} to dest and receives
     * into {@code recvBuf[recvOffset, +recvCount)} from source, without deadlock. The two ranges
     * may be in the same array.
     */
    public Status sendrecv(double[] sendBuf, int sendOffset, int sendCount, int dest, int sendTag,
                           double[] recvBuf, int recvOffset, int recvCount, int source, int recvTag) {
        checkRange("sendrecv", sendBuf, sendOffset, sendCount);
        checkRange("sendrecv", recvBuf, recvOffset, recvCount);
        int[] st = new int[3];
        call("MPI_Sendrecv", h -> PcmNative.sendrecv(h, sendBuf, PcmNative.T_DOUBLE, sendOffset, sendCount, dest,
                sendTag, recvBuf, PcmNative.T_DOUBLE, recvOffset, recvCount, source, recvTag, st));
        return new Status(st[0], st[1], st[2]);
    }

    /** {@code MPI_Send} of a direct buffer's bytes {@code [position, limit)}. */
    public void send(ByteBuffer buf, int dest, int tag) {
        NativeCalls.requireDirect("send", buf, false);
        int pos = buf.position();
        int len = buf.remaining();
        call("MPI_Send", h -> PcmNative.sendBuffer(h, buf, pos, len, dest, tag));
    }

    /** {@code MPI_Recv} into a direct buffer's bytes {@code [position, limit)}; count is in bytes. */
    public Status recv(ByteBuffer buf, int source, int tag) {
        NativeCalls.requireDirect("recv", buf, true);
        int pos = buf.position();
        int len = buf.remaining();
        int[] st = new int[3];
        call("MPI_Recv", h -> PcmNative.recvBuffer(h, buf, pos, len, source, tag, st));
        return new Status(st[0], st[1], st[2]);
    }

    /** {@code MPI_Sendrecv} of direct buffers ({@code [position, limit)} of each). */
    public Status sendrecv(ByteBuffer sendBuf, int dest, int sendTag, ByteBuffer recvBuf, int source, int recvTag) {
        NativeCalls.requireDirect("sendrecv", sendBuf, false);
        NativeCalls.requireDirect("sendrecv", recvBuf, true);
        int sp = sendBuf.position();
        int sl = sendBuf.remaining();
        int rp = recvBuf.position();
        int rl = recvBuf.remaining();
        int[] st = new int[3];
        call("MPI_Sendrecv", h -> PcmNative.sendrecvBuffer(h, sendBuf, sp, sl, dest, sendTag, recvBuf, rp, rl, source,
                recvTag, st));
        return new Status(st[0], st[1], st[2]);
    }

    // ------------------------------------------------------------------ collectives

    /** {@code MPI_Barrier}. */
    public void barrier() {
        call("MPI_Barrier", PcmNative::barrier);
    }

    /** {@code MPI_Allreduce} in place: every element becomes the reduction over all ranks. */
    public void allreduce(double[] data, Op op) {
        NativeCalls.requireNonNull("allreduce", data, "array");
        NativeCalls.requireNonNull("allreduce", op, "op");
        call("MPI_Allreduce", h -> PcmNative.allreduce(h, data, PcmNative.T_DOUBLE, 0, data.length, op.code));
    }

    /** {@code MPI_Allreduce} in place, of 64-bit integers. */
    public void allreduce(long[] data, Op op) {
        NativeCalls.requireNonNull("allreduce", data, "array");
        NativeCalls.requireNonNull("allreduce", op, "op");
        call("MPI_Allreduce", h -> PcmNative.allreduce(h, data, PcmNative.T_LONG, 0, data.length, op.code));
    }

    /** {@code MPI_Allreduce} of one value. */
    public double allreduce(double value, Op op) {
        double[] a = {value};
        allreduce(a, op);
        return a[0];
    }

    /** {@code MPI_Allreduce} of one value. */
    public long allreduce(long value, Op op) {
        long[] a = {value};
        allreduce(a, op);
        return a[0];
    }

    /**
     * Gathers {@code src[offset, offset + count)} of every rank at root, in rank order
     * ({@code MPI_Gather} of the counts, then {@code MPI_Gatherv}); counts may differ by rank.
     *
     * @return at root, the concatenation (a new array); elsewhere null
     */
    public double[] gather(double[] src, int offset, int count, int root) {
        checkRange("gather", src, offset, count);
        if (root < 0 || root >= size) {
            throw new PcmException(PCM_ERR_ARG, "gather: root " + root + " is not a rank of " + size + ": "
                    + Pcm.errorString(PCM_ERR_ARG));
        }
        int[] counts = rank == root ? new int[size] : null;
        call("MPI_Gather", h -> PcmNative.gatherCounts(h, count, root, counts));
        double[] all = null;
        if (counts != null) {
            long total = 0;
            for (int c : counts) {
                total += c;
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new PcmException(PCM_ERR_ARG, "gather: " + total + " elements do not fit a Java array");
            }
            all = new double[(int) total];
        }
        double[] dst = all;
        call("MPI_Gatherv", h -> PcmNative.gatherv(h, src, offset, count, dst, counts, root));
        return all;
    }

    /**
     * {@code MPI_Abort}: ends every process of the job with {@code errorCode} (mpirun's exit
     * status). Does not return when MPI carries it out.
     */
    public void abort(int errorCode) {
        System.out.flush();
        System.err.flush();
        long h = handle;
        NativeCalls.check("MPI_Abort", PcmNative.abort(h, errorCode));
    }

    /** {@link PcmResize#redistributeRows}'s call on the current world. */
    void redistributeRows(int oldSize, int newSize, int totalRows, int rowLen, double[] oldRows, int oldOffset,
                          double[] newRows, int newOffset) {
        call("PcmResize.redistributeRows", h -> PcmNative.redistributeRows(h, oldSize, newSize, totalRows, rowLen,
                oldRows, oldOffset, newRows, newOffset));
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface Call {
        int on(long handle);
    }

    /** Runs one MPI call on the current handle, under the shared lock; throws on failure. */
    private void call(String op, Call c) {
        int rc;
        lock.readLock().lock();
        try {
            long h = handle;
            if (h == 0) {
                throw NativeCalls.fail(op, PCM_ERR_NOT_INITIALIZED);
            }
            ReentrantLock l = serialLock;
            if (l == null) {
                rc = c.on(h);
            } else {
                l.lock();
                try {
                    rc = c.on(h);
                } finally {
                    l.unlock();
                }
            }
        } finally {
            lock.readLock().unlock();
        }
        if (rc < 0) {
            NativeCalls.check(op, rc);
        }
    }

    private static void checkRange(String op, double[] a, int offset, int count) {
        NativeCalls.requireNonNull(op, a, "array");
        if (offset < 0 || count < 0 || offset > a.length - count) {
            throw new PcmException(PCM_ERR_ARG, op + ": offset " + offset + " and count " + count
                    + " do not fit an array of " + a.length + ": " + Pcm.errorString(PCM_ERR_ARG));
        }
    }
}
