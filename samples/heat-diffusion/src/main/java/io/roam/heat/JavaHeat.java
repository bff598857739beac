package io.roam.heat;

import io.roam.pcm.MigrationInfo;
import io.roam.pcm.Pcm;
import io.roam.pcm.PcmComm;
import io.roam.pcm.PcmException;
import io.roam.pcm.PcmResize;
import io.roam.pcm.PcmStatus;
import io.roam.pcm.ProcessStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The heat-diffusion sample in Java over the PCM binding: the C program
 * {@code src/main/c/heat.c} line for line (the same decomposition, boundary values, update
 * expression, output line and grid file), so that both give the same final grid, bit for bit.
 *
 * <pre>mpirun -np 4 java -cp pcm-native.jar:heat-diffusion.jar io.roam.heat.JavaHeat
 *        [-r ROWS] [-c COLS] [-i ITERS] [-o GRID_FILE] [-q]</pre>
 *
 * Rank 0 prints iterations per second, lattice updates per second and the checksum of the final
 * grid (FNV-1a over its bytes, little-endian doubles); {@code -o} writes the grid as raw
 * little-endian doubles, row-major. A rank ordered to move by its agent is replaced by a new JVM
 * (the same command line) that loads the state and carries on. It is malleable as heat.c is: a
 * resize grows the job by new JVMs (the same command line) or shrinks it, the rows moving to the
 * new decomposition ({@link PcmResize#redistributeRows}).
 */
public final class JavaHeat {
    private int rows = 512;
    private int cols = 512;
    private int iters = 500;
    private boolean quiet;
    private String out;
    /** The local block (two copies), its interior rows, the iteration and the wall-clock start (kept across moves). */
    private double[] u;
    private double[] v;
    private int n;
    private int it;
    private double t0;

    private JavaHeat() {
    }

    public static void main(String[] args) {
        PcmComm world = Pcm.init(args);
        PcmResize.declareMalleable();   // it handles PCM_RESIZE (resize below): the agents may resize it
        JavaHeat o = new JavaHeat();
        if (!o.parse(args)) {
            System.err.println("usage: JavaHeat [-r ROWS] [-c COLS] [-i ITERS] [-o GRID_FILE] [-q]");
            Pcm.finalizeAll();
            System.exit(2);
        }
        int rc;
        try {
            rc = o.run(world);
        } catch (PcmException e) {
            System.err.println("heat: " + e.getMessage());
            world.abort(2);
            rc = 2;
        }
        System.exit(rc);
    }

    private boolean parse(String[] args) {
        try {
            for (int k = 0; k < args.length; k++) {
                String a = args[k];
                switch (a) {
                    case "-r" -> rows = Integer.parseInt(args[++k]);
                    case "-c" -> cols = Integer.parseInt(args[++k]);
                    case "-i" -> iters = Integer.parseInt(args[++k]);
                    case "-o" -> out = args[++k];
                    case "-q" -> quiet = true;
                    default -> {
                        return false;
                    }
                }
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
        return rows >= 1 && cols >= 1 && iters >= 0;
    }

    private int run(PcmComm world) {
        int rank = world.rank();
        int p = world.size();
        if (p > rows) {
            if (rank == 0) {
                System.err.printf("heat: more ranks (%d) than rows (%d)%n", p, rows);
            }
            world.abort(2);
        }
        if (Pcm.processStatus() == ProcessStatus.STARTED_JOINED) {   // started by a grow: join its redistribution
            resize(world);
        } else {
            int first = HeatKernel.first(rows, p, rank);
            n = HeatKernel.count(rows, p, rank);
            u = block(n, first);
            v = block(n, first);
        }
        if (Pcm.processStatus() == ProcessStatus.STARTED_RESTORED) {
            int[] iteration = new int[1];
            double[] start = new double[1];
            Pcm.load("iteration", iteration);
            Pcm.load("t0", start);
            Pcm.load("grid", u);
            it = iteration[0];
            t0 = start[0];
            if (!quiet) {
                System.err.printf("heat: rank %d restored at iteration %d (moves %d)%n", rank, it, Pcm.moves());
            }
        } else if (Pcm.processStatus() != ProcessStatus.STARTED_JOINED) {   // a joined one got both with the rows
            world.barrier();
            t0 = wall();
        }
        int w = cols + 2;
        for (; it < iters; it++) {
            PcmStatus s = Pcm.status();
            if (s == PcmStatus.RESIZE) {
                boolean begun = false;
                try {
                    PcmResize.begin();
                    begun = true;
                } catch (PcmException e) {   // the grow's spawn failed: the job goes on at its size
                    if (world.rank() == 0) {
                        System.err.printf("heat: resize failed at iteration %d: %s; continuing with %d ranks%n", it,
                                Pcm.errorString(e.code()), world.size());
                    }
                }
                if (begun) {
                    resize(world);
                }
            } else if (s.mustReconfigure()) {
                reconfigure(world, s, rank);
            }
            rank = world.rank();
            p = world.size();
            int up = rank > 0 ? rank - 1 : PcmComm.PROC_NULL;
            int down = rank < p - 1 ? rank + 1 : PcmComm.PROC_NULL;
            // halo exchange: first interior row up, last interior row down
            world.sendrecv(u, w + 1, cols, up, 1, u, (n + 1) * w + 1, cols, down, 1);
            world.sendrecv(u, n * w + 1, cols, down, 2, u, 1, cols, up, 2);
            HeatKernel.sweep(u, v, n, cols);
            double[] t = u;
            u = v;
            v = t;
        }
        double secs = wall() - t0;
        int rc = finish(world, u, n, secs);
        Pcm.finalizeAll();
        return rc;
    }

    /** A fresh local block of n rows from global row first: zero inside, boundary values on its edges. */
    private double[] block(int count, int first) {
        double[] b = new double[(count + 2) * (cols + 2)];
        HeatKernel.initBlock(b, count, cols, first, rows);
        return b;
    }

    /** A migration (PCM_MIGRATE on the moving rank, PCM_RECONFIGURE on the others). */
    private void reconfigure(PcmComm world, PcmStatus s, int rank) {
        MigrationInfo mi = Pcm.migrationInfo();
        if (s == PcmStatus.MIGRATE) {
            Pcm.store("iteration", new int[] {it});
            Pcm.store("t0", new double[] {t0});
            Pcm.store("grid", u);
        }
        try {
            Pcm.reconfigure();   // the migrating rank does not return
            if (rank == 0 && !quiet) {
                System.err.printf("heat: rank %d moved to %s at iteration %d%n", mi.rank(), mi.host(), it);
            }
        } catch (PcmException e) {
            if (rank == 0) {
                System.err.printf("heat: migration of rank %d to %s failed at iteration %d: %s; "
                        + "continuing in place%n", mi.rank(), mi.host(), it, Pcm.errorString(e.code()));
            }
        }
    }

    /**
     * A resize, after {@link PcmResize#begin()} or in a process a grow started (heat.c's
     * resize()): rank 0's iteration and start time go to every rank (a sum in which only rank 0
     * counts, so exact), the rows (boundary columns included) move to the new decomposition, and
     * the ranks beyond the new size leave in {@link PcmResize#end()}. Every point keeps its
     * value: the grid stays bit-exact.
     */
    private void resize(PcmComm world) {
        PcmResize.Info r = PcmResize.info();
        int rank = world.rank();
        it = (int) world.allreduce(rank == 0 ? (long) it : 0L, PcmComm.Op.SUM);
        t0 = world.allreduce(rank == 0 ? t0 : 0.0, PcmComm.Op.SUM);
        int w = cols + 2;
        int nn = rank < r.newSize() ? HeatKernel.count(rows, r.newSize(), rank) : 0;
        double[] nu = block(nn, rank < r.newSize() ? HeatKernel.first(rows, r.newSize(), rank) : 0);
        PcmResize.redistributeRows(world, r, rows, w, u, w, nu, w);   // from row 1: past the halo row
        if (rank == 0 && !quiet) {
            System.err.printf("heat: resized %d -> %d ranks at iteration %d%n", r.oldSize(), r.newSize(), it);
        }
        u = nu;
        v = nu.clone();
        n = nn;
        PcmResize.end();   // a rank beyond the new size leaves here
    }

    /** Gathers the interior at rank 0; prints the line; optionally writes the grid. */
    private int finish(PcmComm world, double[] u, int n, double secs) {
        double[] mine = HeatKernel.interior(u, n, cols);
        double[] all = world.gather(mine, 0, mine.length, 0);
        if (world.rank() != 0) {
            return 0;
        }
        int p = world.size();
        double s = secs > 0 ? secs : 1e-9;
        double ups = (double) rows * cols * iters / s;
        System.out.println("heat: grid " + rows + "x" + cols + " ranks " + p + " iterations " + iters + " time "
                + CFormat.f(secs, 3) + " s iter/s " + CFormat.f(iters / s, 1) + " updates/s " + CFormat.g(ups, 4)
                + " updates/s/rank " + CFormat.g(ups / p, 4) + " checksum " + CFormat.hex16(HeatKernel.fnv1a(all))
                + " sum " + CFormat.e(HeatKernel.sum(all), 10));
        System.out.flush();
        if (out != null) {
            try {
                write(Path.of(out), all);
            } catch (IOException e) {
                System.err.println("heat: cannot write " + out + ": " + e.getMessage());
                return 1;
            }
        }
        return 0;
    }

    /** Raw little-endian doubles, row-major. */
    static void write(Path file, double[] grid) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (double d : grid) {
                if (!b.hasRemaining()) {
                    b.flip();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    b.clear();
                }
                b.putDouble(d);
            }
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
    }

    /** Wall-clock seconds (CLOCK_REALTIME): comparable between a process and its replacement. */
    private static double wall() {
        Instant now = Instant.now();
        return now.getEpochSecond() + 1e-9 * now.getNano();
    }
}
