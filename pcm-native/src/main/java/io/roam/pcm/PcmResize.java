package io.roam.pcm;

import static io.roam.pcm.NativeCalls.check;

/**
 * The resize of the job for Java programs (issue 22; the C API's {@code PCM_Resize_begin},
 * {@code PCM_Resize_info}, {@code PCM_Resize_end}; docs/instrumenting.md, "Malleable
 * programs"). After {@link Pcm#status()} answered {@link PcmStatus#RESIZE} on every rank:
 * <pre>{@code
 * PcmComm world = PcmResize.begin();         // grow: the world now holds the new ranks too
 * PcmResize.Info r = PcmResize.info();       // old and new size
 * // move the data over the world for the new decomposition (ranks >= r.newSize() leave),
 * // for rows of doubles in blocks: PcmResize.redistributeRows(world, r, rows, rowLen, old, 0, mine, 0)
 * world = PcmResize.end();                   // shrink: ranks >= r.newSize() end in here
 * }</pre>
 * A process a grow started sees {@link Pcm#processStatus()} {@link ProcessStatus#STARTED_JOINED}
 * after {@link Pcm#init}: it calls {@link #info()}, takes part in the redistribution and calls
 * {@link #end()}. The world object stays the same; its communicator is replaced, as by
 * {@link Pcm#reconfigure()}.
 */
public final class PcmResize {
    private PcmResize() {
    }

    /**
     * {@code PCM_Malleable}: declares that this program handles {@link PcmStatus#RESIZE}, so that
     * the agents may resize its job (without it libpcm refuses their resize orders). Call it after
     * {@link Pcm#init} and before the first {@link Pcm#status()}, in every process (fresh,
     * restored, joined).
     *
     * @throws PcmException {@code PCM_ERR_NOT_INITIALIZED} outside init..finalize
     */
    public static void declareMalleable() {
        Pcm.ensureAvailable();
        synchronized (Pcm.LOCK) {
            check("PcmResize.declareMalleable", PcmNative.malleable());
        }
    }

    /** The sizes of the resize under way. */
    public record Info(int oldSize, int newSize) {
        public boolean grows() {
            return newSize > oldSize;
        }
    }

    /**
     * {@code PCM_Resize_begin}: collective over the world. A grow spawns the new processes and
     * returns the larger world; a shrink returns it unchanged.
     *
     * @throws PcmException {@code PCM_ERR_SPAWN} on every rank when the grow's processes could
     *                      not start (the job goes on at its old size, no {@link #end()});
     *                      {@code PCM_ERR_NO_RESIZE} without a RESIZE answer
     */
    public static PcmComm begin() {
        return call("PcmResize.begin", true);
    }

    /** {@code PCM_Resize_info}: the old and the new size ({@code PCM_ERR_NO_RESIZE} outside a resize). */
    public static Info info() {
        Pcm.ensureAvailable();
        synchronized (Pcm.LOCK) {
            int[] sizes = new int[2];
            check("PcmResize.info", PcmNative.resizeInfo(sizes));
            return new Info(sizes[0], sizes[1]);
        }
    }

    /**
     * {@code PCM_Resize_end}: collective over the world, after the data moved. In a shrink the
     * ranks from the new size up end inside this call (standard output and error are flushed
     * first); the others get the smaller world.
     */
    public static PcmComm end() {
        return call("PcmResize.end", false);
    }

    /**
     * {@code PCM_Redistribute_rows} for rows of {@code rowLen} doubles, collective over the world
     * between {@link #begin()} and {@link #end()} (every rank, a joined one too): moves the rows of
     * {@code totalRows} from their block decomposition over {@code sizes.oldSize()} ranks to the one
     * over {@code sizes.newSize()}. The decomposition is {@code PCM_Block_rows}'s: rank r of p has
     * {@code totalRows / p} rows, the first {@code totalRows % p} ranks one more, in rank order.
     * A rank below the old size reads its block from {@code oldRows[oldOffset..]} (elsewhere
     * {@code oldRows} may be null); a rank below the new size receives its new block into
     * {@code newRows[newOffset..]} (elsewhere null). Rows are contiguous, row-major. Each value
     * arrives as it was: a decomposition-independent program stays bit-exact.
     *
     * @throws PcmException {@code PCM_ERR_ARG} when a block does not fit its array, a size is not
     *                      positive or larger than the world (nothing is moved then)
     */
    public static void redistributeRows(PcmComm world, Info sizes, int totalRows, int rowLen, double[] oldRows,
                                        int oldOffset, double[] newRows, int newOffset) {
        Pcm.ensureAvailable();
        NativeCalls.requireNonNull("PcmResize.redistributeRows", world, "world");
        NativeCalls.requireNonNull("PcmResize.redistributeRows", sizes, "sizes");
        world.redistributeRows(sizes.oldSize(), sizes.newSize(), totalRows, rowLen, oldRows, oldOffset, newRows,
                newOffset);
    }

    private static PcmComm call(String op, boolean begin) {
        Pcm.ensureAvailable();
        synchronized (Pcm.LOCK) {
            PcmComm w = Pcm.requireWorld(op);
            if (!begin) {
                System.out.flush();
                System.err.flush();
            }
            long[] handle = {w.handle};
            int rc;
            w.lock.writeLock().lock();
            try {
                rc = PcmComm.serialized(() -> begin ? PcmNative.resizeBegin(handle) : PcmNative.resizeEnd(handle));
                if (rc == 0) {
                    w.replace(handle[0]);   // a grow's world is larger: size() says so from here
                }
            } finally {
                w.lock.writeLock().unlock();
            }
            check(op, rc);
            return w;
        }
    }
}
