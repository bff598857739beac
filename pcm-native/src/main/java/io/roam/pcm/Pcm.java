package io.roam.pcm;

import static io.roam.pcm.NativeCalls.check;
import static io.roam.pcm.NativeCalls.fail;
import static io.roam.pcm.NativeCalls.requireDirect;
import static io.roam.pcm.NativeCalls.requireNonNull;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_INITIALIZED;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_INTERNAL;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_MPI;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_NOT_INITIALIZED;

import java.nio.ByteBuffer;

/**
 * PCM (Process Checkpointing and Migration) for Java MPI programs: the C API of {@code pcm.h}
 * over JNI, in Java idiom. A Java rank migrates exactly like a C rank: its replacement is a new
 * JVM started by {@code MPI_Comm_spawn} with this JVM's own command line
 * ({@code /proc/self/exe}, {@code /proc/self/cmdline}) and working directory.
 *
 * <pre>{@code
 * PcmComm world = Pcm.init(args);              // MPI_Init_thread + PCM_Init
 * double[] grid = new double[n];
 * int[] it = {0};
 * if (Pcm.processStatus() == ProcessStatus.STARTED_RESTORED) {
 *     Pcm.load("iteration", it);
 *     Pcm.load("grid", grid);
 * }
 * for (; it[0] < iterations; it[0]++) {
 *     PcmStatus s = Pcm.status();              // collective, one small allreduce
 *     if (s == PcmStatus.MIGRATE) {
 *         Pcm.store("iteration", it);          // by reference: see "State" below
 *         Pcm.store("grid", grid);
 *     }
 *     if (s.mustReconfigure()) {
 *         Pcm.reconfigure();                   // the moving rank does not return
 *     }
 *     // compute; exchange halos with world.sendrecv(...)
 * }
 * Pcm.finalizeAll();                           // PCM_Finalize + MPI_Finalize
 * }</pre>
 *
 * <h2>The world</h2>
 * {@link #init} returns the application's world ({@link PcmComm}), to use instead of
 * {@code MPI_COMM_WORLD}. There is one world object per process: {@link #reconfigure()} updates it
 * in place (same object, same rank numbers, a new MPI communicator inside) and returns it, so
 * references held by the application stay valid.
 *
 * <h2>State</h2>
 * As in C, state is registered <em>by reference</em>: {@code store} costs nothing per
 * iteration, and whatever the registered array or buffer holds when {@link #reconfigure()} runs
 * is what moves. Java arrays can move in the heap, so their address is never kept: the binding
 * keeps the array object, and on the migrating rank {@code reconfigure} pins every stored array
 * ({@code GetPrimitiveArrayCritical}) and registers its address just before the state is sent;
 * the process leaves inside that call, so the arrays stay pinned until it ends. No copy is made
 * on either side (a replacement's {@link #load} receives into the pinned array). Direct
 * {@link ByteBuffer}s do not move: their bytes {@code [position, limit)} at the time of the
 * call are registered at once. Heap buffers are refused ({@code PCM_ERR_ARG}).
 * Element types: {@code double[]} is {@code MPI_DOUBLE}, {@code int[]} {@code MPI_INT},
 * {@code long[]} {@code MPI_INT64_T}, {@code byte[]} and {@code ByteBuffer} {@code MPI_BYTE};
 * a load must use the stored type ({@code PCM_ERR_TYPE}) and exactly the stored length
 * ({@code PCM_ERR_COUNT}).
 *
 * <h2>Threads</h2>
 * MPI is initialized with {@code MPI_THREAD_MULTIPLE}. The calls of this class are serialized
 * (libpcm keeps one global state); {@link PcmComm} operations run concurrently from any number
 * of threads. The MPI rules stay: collectives on one communicator (and {@link #status()} is one
 * on the world) from one thread at a time, in the same order on every rank. {@link #reconfigure()}
 * replaces the world's communicator: it waits for the world operations in progress to end and
 * holds new ones until it is done, so no thread may wait in a world operation that only a rank
 * inside {@code reconfigure} could complete. If MPI provides less than
 * {@code MPI_THREAD_MULTIPLE}, every MPI call of the binding is serialized.
 *
 * <h2>Errors</h2>
 * Every failure is a {@link PcmException} carrying the {@code PCM_ERR_*} code (the constants of
 * {@link io.roam.pcm.wire.PcmErrors}) and {@code PCM_Error_string}'s text; MPI failures carry
 * the MPI code and text. A call before {@link #init} or after {@link #finalizeAll()} throws
 * {@code PCM_ERR_NOT_INITIALIZED}; a call when the native library is missing throws
 * {@code PCM_ERR_INTERNAL} with {@link #unavailabilityCause()} as its cause.
 */
public final class Pcm {
    /** Serializes the PCM calls: libpcm is not thread-safe. */
    static final Object LOCK = new Object();
    /** MPI_THREAD_MULTIPLE in mpi.h (Open MPI and MPICH both number the levels 0..3). */
    static final int THREAD_MULTIPLE = 3;

    /** The stored Java arrays and direct buffers (kept reachable), in registration order. */
    private static final StoredArrays STORED = new StoredArrays();
    private static PcmComm world;
    private static int threadLevel = -1;
    private static PcmStatus lastStatus;

    private Pcm() {
    }

    // ------------------------------------------------------------------ availability

    /** Whether the native library ({@code libroampcm_jni}, libpcm, libmpi) is loaded. */
    public static boolean isAvailable() {
        return NativeLibrary.unavailabilityCause() == null;
    }

    /** Why the native library is not available, or null when it is. */
    public static Throwable unavailabilityCause() {
        return NativeLibrary.unavailabilityCause();
    }

    static void ensureAvailable() {
        Throwable cause = NativeLibrary.unavailabilityCause();
        if (cause != null) {
            throw new PcmException(PCM_ERR_INTERNAL, 0, "the PCM native library is not available: " + cause, cause);
        }
    }

    /** {@code PCM_Error_string}: the text of a PCM code. */
    public static String errorString(int code) {
        ensureAvailable();
        return PcmNative.errorString(code);
    }

    // ------------------------------------------------------------------ life cycle

    /**
     * Initializes MPI ({@code MPI_Init_thread} with {@code MPI_THREAD_MULTIPLE}, unless MPI is
     * already initialized) and PCM ({@code PCM_Init}). In a replacement this receives the moved
     * rank's metadata and joins the application's world in its place.
     *
     * @param args the program's arguments, passed on to {@code MPI_Init_thread} (may be null)
     * @return the application's world
     * @throws PcmException {@code PCM_ERR_INITIALIZED} when called twice, {@code PCM_ERR_MPI}
     *                      when MPI cannot be initialized (or was finalized)
     */
    public static PcmComm init(String[] args) {
        ensureAvailable();
        synchronized (LOCK) {
            if (world != null) {
                throw fail("Pcm.init", PCM_ERR_INITIALIZED);
            }
            int state = PcmNative.mpiState();
            if ((state & 2) != 0) {
                throw new PcmException(PCM_ERR_MPI, "Pcm.init: " + PcmNative.errorString(PCM_ERR_MPI)
                        + ": MPI was finalized; it cannot be initialized again");
            }
            int level = (state & 1) != 0 ? PcmNative.mpiQueryThread() : PcmNative.mpiInitThread(args);
            check("MPI_Init_thread", level);
            threadLevel = level;
            PcmComm.serializeMpi(level < THREAD_MULTIPLE);
            long[] handle = new long[1];
            check("Pcm.init", PcmNative.init(handle));
            world = new PcmComm(handle[0]);
            lastStatus = null;
            return world;
        }
    }

    /** The application's world; {@code PCM_ERR_NOT_INITIALIZED} before {@link #init}. */
    public static PcmComm world() {
        synchronized (LOCK) {
            return requireWorld("Pcm.world");
        }
    }

    /** The thread level MPI provides (3 is {@code MPI_THREAD_MULTIPLE}); -1 before {@link #init}. */
    public static int threadLevel() {
        synchronized (LOCK) {
            return threadLevel;
        }
    }

    /**
     * Leaves PCM and MPI: {@code PCM_Finalize} (collective: frees the world, says goodbye to the
     * agent), then {@code MPI_Finalize}. The world object is unusable afterwards.
     */
    public static void finalizeAll() {
        ensureAvailable();
        synchronized (LOCK) {
            PcmComm w = requireWorld("Pcm.finalizeAll");
            int rc;
            w.lock.writeLock().lock();
            try {
                rc = PcmNative.finalizePcm(w.handle);
                w.handle = 0;
            } finally {
                w.lock.writeLock().unlock();
            }
            world = null;
            STORED.clear();
            int mpi = (PcmNative.mpiState() & 2) == 0 ? PcmNative.mpiFinalize() : 0;
            check("PCM_Finalize", rc);
            check("MPI_Finalize", mpi);
        }
    }

    // ------------------------------------------------------------------ process

    /** {@code PCM_Process_Status}: fresh from mpirun, or a restored replacement. */
    public static ProcessStatus processStatus() {
        ensureAvailable();
        synchronized (LOCK) {
            int rc = check("Pcm.processStatus", PcmNative.processStatus());
            return rc == 2 ? ProcessStatus.STARTED_RESTORED : rc == 3 ? ProcessStatus.STARTED_JOINED
                    : ProcessStatus.STARTED_FRESH;
        }
    }

    /** {@code PCM_Moves}: how many times this rank has moved (0 on a fresh start). */
    public static int moves() {
        ensureAvailable();
        synchronized (LOCK) {
            return check("Pcm.moves", PcmNative.moves());
        }
    }

    // ------------------------------------------------------------------ state

    /** Registers (or re-registers) a {@code double[]} under key, by reference (see the class comment). */
    public static void store(String key, double[] state) {
        storeArray("Pcm.store", key, state, PcmNative.T_DOUBLE);
    }

    /** Registers an {@code int[]} under key, by reference. */
    public static void store(String key, int[] state) {
        storeArray("Pcm.store", key, state, PcmNative.T_INT);
    }

    /** Registers a {@code long[]} under key, by reference. */
    public static void store(String key, long[] state) {
        storeArray("Pcm.store", key, state, PcmNative.T_LONG);
    }

    /** Registers a {@code byte[]} under key, by reference. */
    public static void store(String key, byte[] state) {
        storeArray("Pcm.store", key, state, PcmNative.T_BYTE);
    }

    /**
     * Registers the bytes {@code [position, limit)} of a direct buffer under key, by reference:
     * the region is fixed now, its contents move when {@link #reconfigure()} runs.
     *
     * @throws PcmException {@code PCM_ERR_ARG} for a heap (non-direct) buffer
     */
    public static void store(String key, ByteBuffer state) {
        ensureAvailable();
        requireKey("Pcm.store", key);
        requireDirect("Pcm.store", state, false);
        synchronized (LOCK) {
            check("Pcm.store(\"" + key + "\")", PcmNative.storeBuffer(key, state, state.position(), state.remaining()));
            STORED.put(key, state);
        }
    }

    private static void storeArray(String op, String key, Object array, int type) {
        ensureAvailable();
        requireKey(op, key);
        requireNonNull(op, array, "array");
        synchronized (LOCK) {
            check(op + "(\"" + key + "\")", PcmNative.storeArray(key, array, type));
            STORED.put(key, array);
        }
    }

    /** {@code PCM_Unstore}: forgets key ({@code PCM_ERR_KEY} if it is not stored). */
    public static void unstore(String key) {
        ensureAvailable();
        requireKey("Pcm.unstore", key);
        synchronized (LOCK) {
            check("Pcm.unstore(\"" + key + "\")", PcmNative.unstore(key));
            STORED.remove(key);
        }
    }

    /**
     * In a replacement: copies the state stored under key into dst, which must have exactly the
     * stored length. Load before the first {@link #status()}: large state is then received
     * straight into dst.
     *
     * @throws PcmException {@code PCM_ERR_NO_STATE} (not a replacement), {@code PCM_ERR_KEY},
     *                      {@code PCM_ERR_TYPE}, {@code PCM_ERR_COUNT}
     */
    public static void load(String key, double[] dst) {
        loadArray(key, dst, PcmNative.T_DOUBLE);
    }

    /** As {@link #load(String, double[])}, for {@code int[]}. */
    public static void load(String key, int[] dst) {
        loadArray(key, dst, PcmNative.T_INT);
    }

    /** As {@link #load(String, double[])}, for {@code long[]}. */
    public static void load(String key, long[] dst) {
        loadArray(key, dst, PcmNative.T_LONG);
    }

    /** As {@link #load(String, double[])}, for {@code byte[]}. */
    public static void load(String key, byte[] dst) {
        loadArray(key, dst, PcmNative.T_BYTE);
    }

    /**
     * As {@link #load(String, double[])}, into the bytes {@code [position, limit)} of a direct,
     * writable buffer (position and limit are not changed).
     */
    public static void load(String key, ByteBuffer dst) {
        ensureAvailable();
        requireKey("Pcm.load", key);
        requireDirect("Pcm.load", dst, true);
        synchronized (LOCK) {
            check("Pcm.load(\"" + key + "\")", PcmNative.loadBuffer(key, dst, dst.position(), dst.remaining()));
        }
    }

    private static void loadArray(String key, Object dst, int type) {
        ensureAvailable();
        requireKey("Pcm.load", key);
        requireNonNull("Pcm.load", dst, "array");
        synchronized (LOCK) {
            check("Pcm.load(\"" + key + "\")", PcmNative.loadArray(key, dst, type));
        }
    }

    /** A new {@code double[]} holding the state stored under key. */
    public static double[] loadDoubles(String key) {
        double[] a = new double[loadCount(key)];
        load(key, a);
        return a;
    }

    /** {@code PCM_Load_count}: the element count stored under key, for sizing a buffer. */
    public static int loadCount(String key) {
        ensureAvailable();
        requireKey("Pcm.loadCount", key);
        synchronized (LOCK) {
            return check("Pcm.loadCount(\"" + key + "\")", PcmNative.loadCount(key));
        }
    }

    // ------------------------------------------------------------------ migration

    /**
     * {@code PCM_Status}: collective over the world; every rank gets the same answer. One small
     * allreduce; the agent's orders are read here.
     */
    public static PcmStatus status() {
        ensureAvailable();
        synchronized (LOCK) {
            PcmComm w = requireWorld("Pcm.status");
            int rc;
            w.lock.readLock().lock();
            try {
                rc = PcmComm.serialized(() -> PcmNative.status(w.handle));
            } finally {
                w.lock.readLock().unlock();
            }
            lastStatus = PcmStatus.of(check("Pcm.status", rc));
            return lastStatus;
        }
    }

    /** {@code PCM_Migration_info}: which rank moves and where ({@code PCM_ERR_NO_MIGRATION} if none). */
    public static MigrationInfo migrationInfo() {
        ensureAvailable();
        synchronized (LOCK) {
            int rank = check("Pcm.migrationInfo", PcmNative.migrationRank());
            String host = PcmNative.migrationHost();
            return new MigrationInfo(rank, host == null ? "" : host);
        }
    }

    /**
     * {@code PCM_Reconfigure}: collective over the world after {@link #status()} answered
     * {@link PcmStatus#MIGRATE} or {@link PcmStatus#RECONFIGURE}. On the migrating rank the stored
     * state is sent to the replacement and the process ends inside this call (standard output
     * and error are flushed first). On every other rank the world is updated in place (same
     * object, same rank numbers) and returned.
     *
     * @throws PcmException {@code PCM_ERR_SPAWN} when the replacement could not be started: every
     *                      rank gets it, the world is unchanged and the application continues in
     *                      its old placement; {@code PCM_ERR_NO_MIGRATION} without a decision
     */
    public static PcmComm reconfigure() {
        ensureAvailable();
        synchronized (LOCK) {
            PcmComm w = requireWorld("Pcm.reconfigure");
            StoredArrays.Pinned pinned = StoredArrays.Pinned.NONE;
            if (lastStatus == PcmStatus.MIGRATE) {
                pinned = STORED.arrays();
                System.out.flush();
                System.err.flush();
            }
            lastStatus = null;
            long[] handle = {w.handle};
            int rc;
            w.lock.writeLock().lock();
            try {
                StoredArrays.Pinned p = pinned;
                rc = PcmComm.serialized(() -> PcmNative.reconfigure(handle, p.keys(), p.arrays(), p.types()));
                if (rc == 0) {
                    w.replace(handle[0]);
                }
            } finally {
                w.lock.writeLock().unlock();
            }
            check("Pcm.reconfigure", rc);
            return w;
        }
    }

    // ------------------------------------------------------------------ helpers

    static PcmComm requireWorld(String op) {
        if (world == null) {
            throw fail(op, PCM_ERR_NOT_INITIALIZED);
        }
        return world;
    }

    private static void requireKey(String op, String key) {
        requireNonNull(op, key, "key");
    }
}
