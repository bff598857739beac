package io.roam.heat;

/**
 * The numerics of the heat-diffusion sample, the same as {@code src/main/c/heat.c}: the row
 * decomposition, the local block with its boundary values, the Jacobi sweep (the same
 * expression in the same order, so Java and C grids are bit-identical), and the checksum.
 *
 * <p>A local block is {@code (n + 2) x (cols + 2)} doubles, row-major in one array: halo rows 0
 * and n+1, boundary columns 0 and cols+1.
 */
final class HeatKernel {
    static final double T_TOP = 100.0;
    static final double T_BOTTOM = 0.0;
    static final double T_LEFT = 75.0;
    static final double T_RIGHT = 50.0;
    /** The FNV-1a 64-bit offset basis 14695981039346656037, as heat.c uses it (unsigned in C). */
    static final long FNV_OFFSET = 0xcbf29ce484222325L;
    static final long FNV_PRIME = 0x100000001b3L;         // 1099511628211

    private HeatKernel() {
    }

    /** First global interior row of rank r among p. */
    static int first(int rows, int p, int r) {
        int base = rows / p;
        int extra = rows % p;
        return r * base + Math.min(r, extra);
    }

    /** Number of interior rows of rank r among p. */
    static int count(int rows, int p, int r) {
        return rows / p + (r < rows % p ? 1 : 0);
    }

    /** Fills a block: zero inside, the boundary temperatures on its edges. */
    static void initBlock(double[] u, int n, int cols, int first, int rows) {
        int w = cols + 2;
        java.util.Arrays.fill(u, 0, (n + 2) * w, 0.0);
        for (int i = 0; i < n + 2; i++) {
            u[i * w] = T_LEFT;
            u[i * w + cols + 1] = T_RIGHT;
        }
        if (first == 0) {
            for (int j = 1; j <= cols; j++) {
                u[j] = T_TOP;
            }
        }
        if (first + n == rows) {
            for (int j = 1; j <= cols; j++) {
                u[(n + 1) * w + j] = T_BOTTOM;
            }
        }
    }

    /** One Jacobi sweep of the interior of u into v. */
    static void sweep(double[] u, double[] v, int n, int cols) {
        int w = cols + 2;
        for (int i = 1; i <= n; i++) {
            row(u, v, (i - 1) * w, i * w, (i + 1) * w, cols);
        }
    }

    /** One row: a simple counted loop over one array pair, which C2 vectorizes. */
    private static void row(double[] u, double[] v, int a, int b, int c, int cols) {
        for (int j = 1; j <= cols; j++) {
            v[b + j] = 0.25 * ((u[a + j] + u[c + j]) + (u[b + j - 1] + u[b + j + 1]));
        }
    }

    /** The interior rows of a block, packed: n x cols. */
    static double[] interior(double[] u, int n, int cols) {
        double[] out = new double[n * cols];
        for (int i = 0; i < n; i++) {
            System.arraycopy(u, (i + 1) * (cols + 2) + 1, out, i * cols, cols);
        }
        return out;
    }

    /** FNV-1a over the bytes of the values, each in little-endian order (as C on x86). */
    static long fnv1a(double[] values) {
        long h = FNV_OFFSET;
        for (double d : values) {
            long bits = Double.doubleToRawLongBits(d);
            for (int k = 0; k < 8; k++) {
                h = (h ^ ((bits >>> (8 * k)) & 0xff)) * FNV_PRIME;
            }
        }
        return h;
    }

    /** The sum in index order (as C sums it). */
    static double sum(double[] values) {
        double s = 0;
        for (double d : values) {
            s += d;
        }
        return s;
    }
}
