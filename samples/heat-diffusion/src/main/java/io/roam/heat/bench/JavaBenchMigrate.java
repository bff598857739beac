package io.roam.heat.bench;

import io.roam.pcm.Pcm;
import io.roam.pcm.PcmComm;
import io.roam.pcm.PcmException;
import io.roam.pcm.PcmStatus;
import io.roam.pcm.ProcessStatus;
import java.util.concurrent.locks.LockSupport;

/**
 * The Java twin of {@code benchmarks/c/pcm_bench_migrate.c}: the program whose rank 1 the
 * migration benchmark moves back and forth, over the JNI binding.
 *
 * <pre>mpirun -np 2 java -cp ... io.roam.heat.bench.JavaBenchMigrate -s MB -n MIGRATIONS [-m MAX_ITERS] [-u ITER_US]</pre>
 *
 * The same protocol as the C program: rank 1 holds MB MiB of state (a {@code long[]} of a
 * pattern, {@code MPI_INT64_T}) and the iteration (a {@code long[1]}), both stored by reference
 * once; every rank runs iterations of about ITER_US microseconds (a sleep) that start with
 * {@link Pcm#status()}. A replacement loads the state into a new array (allocated, and so
 * zeroed by the JVM, after {@code PCM_Init}: inside the timed transfer, as the C program's page
 * faults are) and checks the pattern after the timed part; a wrong word prints a line starting
 * "pcm_bench_migrate: FAILED" and aborts the job. Rank 0 prints
 * "pcm_bench_migrate: done moves M iterations I".
 */
public final class JavaBenchMigrate {
    private static final long PATTERN_SEED = 0x5ca1ab1e0ddba11L;

    private JavaBenchMigrate() {
    }

    static long word(long i) {
        return (i * 0x9e3779b97f4a7c15L) ^ PATTERN_SEED;
    }

    public static void main(String[] args) {
        long mb = 64;
        long migrations = 7;
        long maxIters = 600_000;
        long iterUs = 1000;
        PcmComm world = Pcm.init(args);
        try {
            for (int k = 0; k < args.length; k++) {
                switch (args[k]) {
                    case "-s" -> mb = Long.parseLong(args[++k]);
                    case "-n" -> migrations = Long.parseLong(args[++k]);
                    case "-m" -> maxIters = Long.parseLong(args[++k]);
                    case "-u" -> iterUs = Long.parseLong(args[++k]);
                    default -> throw new IllegalArgumentException(args[k]);
                }
            }
            if (mb < 1 || mb > 2047 || migrations < 0 || maxIters < 1 || iterUs < 0) {
                throw new IllegalArgumentException("out of range");
            }
        } catch (RuntimeException e) {
            System.err.println("usage: JavaBenchMigrate -s MB -n MIGRATIONS [-m MAX_ITERS] [-u ITER_US]");
            Pcm.finalizeAll();
            System.exit(2);
        }
        try {
            run(world, mb, migrations, maxIters, iterUs);
        } catch (PcmException e) {
            System.err.println("pcm_bench_migrate: FAILED: " + e.getMessage());
            world.abort(2);
        }
    }

    private static void run(PcmComm world, long mb, long migrations, long maxIters, long iterUs) {
        if (world.size() != 2) {
            if (world.rank() == 0) {
                System.err.println("pcm_bench_migrate: FAILED: needs exactly 2 ranks, got " + world.size());
            }
            world.abort(2);
        }
        int rank = world.rank();
        long[] it = {0};     // the iteration, equal on both ranks; moves with rank 1
        long moves = 0;      // completed migrations, equal on both ranks
        if (rank == 1) {
            int words = (int) ((mb << 20) / Long.BYTES);
            if (Pcm.processStatus() == ProcessStatus.STARTED_RESTORED) {
                long[] state = new long[words];
                Pcm.load("iteration", it);   // in the order of the stores: the state lands straight in `state`
                Pcm.load("state", state);
                moves = Pcm.moves();
                for (int i = 0; i < words; i++) {   // checked after MIGRATION_DONE: not timed
                    if (state[i] != word(i)) {
                        System.err.printf("pcm_bench_migrate: FAILED: state pattern wrong after move %d at byte %d "
                                + "(got %016x, want %016x)%n", moves, (long) i * Long.BYTES, state[i], word(i));
                        world.abort(4);
                    }
                }
                store(it, state);
            } else {
                long[] state = new long[words];
                for (int i = 0; i < words; i++) {
                    state[i] = word(i);
                }
                store(it, state);
            }
        }
        while (moves < migrations && it[0] < maxIters) {
            PcmStatus s = Pcm.status();
            if (s.mustReconfigure()) {
                try {
                    Pcm.reconfigure();   // a migrating rank 1 never returns
                    moves++;
                } catch (PcmException e) {
                    if (rank == 0) {
                        System.err.println("pcm_bench_migrate: migration failed at iteration " + it[0] + ": "
                                + e.getMessage());
                    }
                }
            }
            LockSupport.parkNanos(iterUs * 1000);
            it[0]++;
        }
        if (rank == 0) {
            System.out.println("pcm_bench_migrate: done moves " + moves + " iterations " + it[0]);
        }
        Pcm.finalizeAll();
    }

    private static void store(long[] it, long[] state) {
        Pcm.store("iteration", it);
        Pcm.store("state", state);
    }
}
