package io.roam.pcm;

/**
 * A malleable Java program for {@link PcmJniResizeTest}, run under mpirun: a global array of
 * {@link #TOTAL} numbers in blocks of rows over the ranks, each iteration adds 1 to every
 * element. On {@link PcmStatus#RESIZE} it calls {@link PcmResize#begin()}, moves the blocks for
 * the new size (an allreduce of the whole array over the world that holds every old and new
 * rank: exact, the numbers are small integers) and {@link PcmResize#end()}; a process a grow
 * started ({@link ProcessStatus#STARTED_JOINED}) takes part from {@link Pcm#init}. At the end
 * rank 0 prints the sum, which does not depend on the sizes the job went through.
 */
public final class JniResizeProgram {
    static final int TOTAL = 1000;
    static final int ITERATIONS = 400;

    private JniResizeProgram() {
    }

    /** The first row of rank r's block over {@code size} ranks (the first TOTAL % size ranks get one more). */
    static int first(int size, int r) {
        int base = TOTAL / size;
        int extra = TOTAL % size;
        return r * base + Math.min(r, extra);
    }

    static int count(int size, int r) {
        return r < size ? first(size, r + 1) - first(size, r) : 0;
    }

    public static void main(String[] args) {
        PcmComm world = Pcm.init(args);
        PcmResize.declareMalleable();   // every process, the joiners too: PROCESS_FLAGS to the agent
        double[] block;
        int it = 0;
        if (Pcm.processStatus() == ProcessStatus.STARTED_JOINED) {
            System.out.println("jni-resize joined as rank " + world.rank());
            int[] state = {0};
            block = redistribute(world, new double[0], state);
            it = state[0];
        } else {
            block = new double[count(world.size(), world.rank())];
            for (int i = 0; i < block.length; i++) {
                block[i] = first(world.size(), world.rank()) + i;
            }
        }
        for (; it < ITERATIONS; it++) {
            PcmStatus s = Pcm.status();
            if (s == PcmStatus.RESIZE) {
                PcmResize.begin();
                int[] state = {it};
                block = redistribute(world, block, state);
            }
            for (int i = 0; i < block.length; i++) {
                block[i] += 1;
            }
        }
        double sum = 0;
        for (double v : block) {
            sum += v;
        }
        sum = world.allreduce(sum, PcmComm.Op.SUM);
        if (world.rank() == 0) {
            System.out.println("jni-resize sum " + (long) sum + " size " + world.size());
        }
        System.out.flush();
        Pcm.finalizeAll();
    }

    /** Between begin and end: the whole array over the world, each rank's new block; then end. */
    private static double[] redistribute(PcmComm world, double[] block, int[] it) {
        PcmResize.Info info = PcmResize.info();
        int rank = world.rank();
        it[0] = (int) world.allreduce((long) it[0], PcmComm.Op.MAX);
        double[] all = new double[TOTAL];
        if (rank < info.oldSize()) {
            System.arraycopy(block, 0, all, first(info.oldSize(), rank), block.length);
        }
        world.allreduce(all, PcmComm.Op.SUM);
        double[] mine = new double[count(info.newSize(), rank)];
        if (rank < info.newSize()) {
            System.arraycopy(all, first(info.newSize(), rank), mine, 0, mine.length);
        }
        if (rank == 0) {
            System.out.println("jni-resize " + info.oldSize() + " -> " + info.newSize() + " at iteration " + it[0]
                    + " world " + world.size());
        }
        System.out.flush();
        PcmResize.end();   // in a shrink, ranks >= the new size end in here
        return mine;
    }
}
