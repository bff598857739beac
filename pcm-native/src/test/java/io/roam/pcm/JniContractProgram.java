package io.roam.pcm;

import static io.roam.pcm.wire.PcmErrors.PCM_ERR_ARG;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_COUNT;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_KEY;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_KEY_LENGTH;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_NO_STATE;
import static io.roam.pcm.wire.PcmErrors.PCM_ERR_TYPE;

import io.roam.pcm.wire.PcmErrors;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The program {@link PcmJniMigrationTest} runs under mpirun with 2 ranks (JVMs with
 * {@code -Xcheck:jni}); the test's agent moves rank 1 at iteration 3.
 *
 * <ul>
 *   <li>Rank 1 stores one entry of every kind (double[], int[], long[], byte[], a direct
 *   ByteBuffer, an empty array) at the start, by reference, and changes them afterwards: its
 *   replacement must load the changed values.</li>
 *   <li>The replacement checks that wrong loads throw the right code (unknown key, wrong
 *   array type, wrong length, heap buffer) and leave the state loadable, then loads everything.</li>
 *   <li>Before and after the migration both ranks run the JNI layer under load: threads that
 *   sendrecv arrays and buffers with distinct tags and check every element, a thread with
 *   allreduce and barrier, and a thread making PCM calls and wrong calls at the same time.</li>
 * </ul>
 * Prints {@code jni-restore ok}, {@code jni-stress ok ...} and {@code jni-contract done} lines;
 * any failure prints a line starting with {@code FAILED} and aborts the job.
 */
public final class JniContractProgram {
    static final int GRID = 100_000;
    static final int THREADS = 4;
    static final int ROUNDS = 300;
    static final int ITERATIONS = 8;

    private JniContractProgram() {
    }

    public static void main(String[] args) throws Exception {
        PcmComm world = Pcm.init(args);
        int rank = world.rank();
        boolean restored = Pcm.processStatus() == ProcessStatus.STARTED_RESTORED;
        int[] it = {0};
        if (rank == 1) {
            double[] grid = new double[GRID];
            int[] ints = new int[7];
            long[] longs = new long[5];
            byte[] bytes = new byte[33];
            ByteBuffer direct = ByteBuffer.allocateDirect(1000);
            double[] empty = new double[0];
            if (restored) {
                checkWrongLoads();
                Pcm.load("iteration", it);
                Pcm.load("grid", grid);
                Pcm.load("ints", ints);
                Pcm.load("longs", longs);
                Pcm.load("bytes", bytes);
                Pcm.load("direct", direct);
                Pcm.load("empty", empty);
                check(it[0] == 3, "iteration " + it[0]);
                check(grid[0] == 42 && grid[GRID - 1] == GRID - 1 + 0.5, "grid " + grid[0] + " " + grid[GRID - 1]);
                for (int i = 1; i < GRID - 1; i++) {
                    check(grid[i] == i + 0.5, "grid[" + i + "] " + grid[i]);
                }
                check(ints[6] == -6 && longs[4] == Long.MIN_VALUE + 4 && bytes[32] == (byte) 0x80, "small arrays");
                check(direct.getInt(996) == 0x5ca1ab1e && direct.position() == 0, "direct buffer");
                check(Pcm.moves() == 1, "moves " + Pcm.moves());
                System.out.println("jni-restore ok rank 1");
            } else {
                for (int i = 0; i < GRID; i++) {
                    grid[i] = i + 0.5;
                }
                Pcm.store("iteration", it);
                Pcm.store("grid", grid);
                Pcm.store("ints", ints);
                Pcm.store("longs", longs);
                Pcm.store("bytes", bytes);
                Pcm.store("direct", direct);
                Pcm.store("empty", empty);
                // by reference: what the arrays hold at the migration is what moves
                grid[0] = 42;
                ints[6] = -6;
                longs[4] = Long.MIN_VALUE + 4;
                bytes[32] = (byte) 0x80;
                direct.putInt(996, 0x5ca1ab1e);
            }
        }
        for (; it[0] < ITERATIONS; it[0]++) {
            if (it[0] == 0 || it[0] == 6) {
                stress(world, it[0]);
            }
            PcmStatus s = Pcm.status();
            if (s.mustReconfigure()) {
                MigrationInfo mi = Pcm.migrationInfo();
                check(mi.rank() == 1 && mi.host().equals("localhost"), "migration info " + mi);
                Pcm.reconfigure();   // rank 1 leaves here
                check(rank == 0 && world.rank() == 0 && world.size() == 2, "after reconfigure");
            }
        }
        Pcm.finalizeAll();
        System.out.println("jni-contract done rank " + rank);
    }

    private static void checkWrongLoads() {
        expect(PCM_ERR_KEY, () -> Pcm.load("no-such-key", new double[1]));
        expect(PCM_ERR_KEY, () -> Pcm.loadCount("no-such-key"));
        expect(PCM_ERR_TYPE, () -> Pcm.load("grid", new int[GRID]));
        expect(PCM_ERR_TYPE, () -> Pcm.load("grid", new long[GRID]));
        expect(PCM_ERR_TYPE, () -> Pcm.load("bytes", new double[33]));
        expect(PCM_ERR_COUNT, () -> Pcm.load("grid", new double[GRID - 1]));
        expect(PCM_ERR_COUNT, () -> Pcm.load("direct", ByteBuffer.allocateDirect(999)));
        expect(PCM_ERR_ARG, () -> Pcm.load("direct", ByteBuffer.allocate(1000)));
        expect(PCM_ERR_ARG, () -> Pcm.load("direct", ByteBuffer.allocateDirect(1000).asReadOnlyBuffer()));
        expect(PCM_ERR_KEY_LENGTH, () -> Pcm.load("k".repeat(64), new double[1]));
        check(Pcm.loadCount("grid") == GRID && Pcm.loadCount("direct") == 1000 && Pcm.loadCount("empty") == 0,
                "load counts");
    }

    /** The JNI layer under load: point to point in several threads, collectives, PCM calls. */
    private static void stress(PcmComm world, int phase) throws InterruptedException {
        int rank = world.rank();
        int peer = 1 - rank;
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                double[] out = new double[66];
                double[] in = new double[66];
                for (int r = 0; r < ROUNDS; r++) {
                    for (int j = 0; j < 64; j++) {
                        out[j + 1] = value(rank, id, r, j);
                    }
                    PcmComm.Status st = world.sendrecv(out, 1, 64, peer, 100 + id, in, 2, 64, peer, 100 + id);
                    check(st.source() == peer && st.tag() == 100 + id && st.count() == 64, "status " + st);
                    for (int j = 0; j < 64; j++) {
                        check(in[j + 2] == value(peer, id, r, j), "thread " + id + " round " + r + " element " + j);
                    }
                }
            }));
        }
        threads.add(new Thread(() -> {
            ByteBuffer out = ByteBuffer.allocateDirect(4096);
            ByteBuffer in = ByteBuffer.allocateDirect(4096);
            for (int r = 0; r < ROUNDS; r++) {
                out.putLong(0, rank * 1_000_000L + r).putLong(4088, r);
                in.putLong(0, -1);
                world.sendrecv(out, peer, 200, in, peer, 200);
                check(in.getLong(0) == peer * 1_000_000L + r && in.getLong(4088) == r, "buffer round " + r);
            }
        }));
        threads.add(new Thread(() -> {
            for (int r = 0; r < ROUNDS; r++) {
                check(world.allreduce((long) rank + r, PcmComm.Op.SUM) == 1 + 2L * r, "allreduce sum");
                check(world.allreduce((double) rank, PcmComm.Op.MAX) == 1.0, "allreduce max");
                if (r % 50 == 0) {
                    world.barrier();
                }
            }
        }));
        threads.add(new Thread(() -> {
            int noState = Pcm.processStatus() == ProcessStatus.STARTED_RESTORED ? PCM_ERR_KEY : PCM_ERR_NO_STATE;
            for (int r = 0; r < ROUNDS; r++) {
                String key = "stress-" + r;
                Pcm.store(key, new double[8]);
                expect(noState, () -> Pcm.loadCount(key));
                expect(PCM_ERR_ARG, () -> Pcm.store(key, ByteBuffer.allocate(8)));
                expect(PCM_ERR_ARG, () -> Pcm.store(null, new int[1]));
                expect(PCM_ERR_ARG, () -> world.send(new double[4], 3, 2, peer, 1));
                Pcm.unstore(key);
                expect(PCM_ERR_KEY, () -> Pcm.unstore(key));
            }
        }));
        for (Thread t : threads) {
            t.setUncaughtExceptionHandler((th, e) -> errors.add(e));
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            fail("stress phase " + phase + ": " + errors.peek(), errors.peek());
        }
        System.out.println("jni-stress ok rank " + rank + " phase " + phase + " threads " + threads.size());
    }

    private static double value(int rank, int thread, int round, int j) {
        return rank * 1e6 + thread * 1e4 + round + j / 128.0;
    }

    private static void expect(int code, Runnable call) {
        try {
            call.run();
        } catch (PcmException e) {
            check(e.code() == code, "expected " + PcmErrors.name(code) + ", got " + e.codeName() + ": " + e.getMessage());
            check(e.getMessage().contains(PcmErrors.name(code)), "message names the code: " + e.getMessage());
            return;
        }
        fail("expected " + PcmErrors.name(code) + ", nothing was thrown", null);
    }

    static void check(boolean ok, String what) {
        if (!ok) {
            fail(what, null);
        }
    }

    private static void fail(String what, Throwable e) {
        System.out.println("FAILED: " + what);
        if (e != null) {
            e.printStackTrace(System.out);
        }
        System.out.flush();
        throw new AssertionError(what, e);
    }
}
