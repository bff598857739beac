/*
 * stencil2d.c - 2-D heat diffusion (Jacobi, 5-point stencil) over a 2-D block
 * decomposition, written as MPI programs usually are: MPI_COMM_WORLD everywhere,
 * neighbours computed from world rank numbers, a non-blocking halo exchange
 * (MPI_Irecv/MPI_Isend/MPI_Waitall, a vector datatype for the columns) and an
 * MPI_Allreduce of the largest change every iteration.
 *
 *   mpirun -np 4 stencil2d [-r ROWS] [-c COLS] [-i ITERS] [-o GRID_FILE] [-q]
 *
 * The only changes for Roam are the PCM calls (marked "PCM:"): libpcm maps
 * MPI_COMM_WORLD to the application's PCM world, so after a migration the same
 * MPI_COMM_WORLD calls reach the moved rank (docs/instrumenting.md).
 *
 * Same problem, boundaries and update expression as heat.c, so the final grid is the
 * same bit for bit as heat's, whatever the decomposition and the migrations. Rank 0
 * prints the checksum (FNV-1a) of the final grid and the last iteration's largest
 * change; -o writes the grid as raw doubles, row-major.
 */
#include <mpi.h>
#include <math.h>
#include <pcm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define T_TOP 100.0
#define T_BOTTOM 0.0
#define T_LEFT 75.0
#define T_RIGHT 50.0

static void split(int total, int parts, int i, int *first, int *count) {
    int base = total / parts, extra = total % parts;
    *count = base + (i < extra ? 1 : 0);
    *first = i * base + (i < extra ? i : extra);
}

static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void pcm_check(int rc, const char *what) {   /* PCM: stop on a PCM error */
    if (rc < 0) {
        fprintf(stderr, "stencil2d: %s: %s\n", what, PCM_Error_string(rc));
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm pcm;                                      /* PCM: the PCM world, for the PCM calls */
    pcm_check(PCM_Init(&pcm), "PCM_Init");

    int rows = 512, cols = 512, iters = 500, quiet = 0, c;
    const char *out = NULL;
    while ((c = getopt(argc, argv, "r:c:i:o:q")) != -1) {
        switch (c) {
        case 'r': rows = atoi(optarg); break;
        case 'c': cols = atoi(optarg); break;
        case 'i': iters = atoi(optarg); break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        default: rows = -1;
        }
    }
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int dims[2] = {0, 0};
    MPI_Dims_create(size, 2, dims);
    int py = dims[0], px = dims[1];
    if (rows < py || cols < px || iters < 0) {
        if (rank == 0) fprintf(stderr, "usage: %s [-r ROWS] [-c COLS] [-i ITERS] [-o GRID_FILE] [-q] (ROWS >= %d, COLS >= %d)\n",
                               argv[0], py, px);
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    int pr = rank / px, pc = rank % px;
    int r0, n, c0, m;
    split(rows, py, pr, &r0, &n);
    split(cols, px, pc, &c0, &m);
    int north = pr > 0 ? rank - px : MPI_PROC_NULL, south = pr < py - 1 ? rank + px : MPI_PROC_NULL;
    int west = pc > 0 ? rank - 1 : MPI_PROC_NULL, east = pc < px - 1 ? rank + 1 : MPI_PROC_NULL;

    int w = m + 2;
    size_t cells = (size_t)(n + 2) * w;
    double *u = calloc(cells, sizeof *u), *v = calloc(cells, sizeof *v);
    if (!u || !v) MPI_Abort(MPI_COMM_WORLD, 3);
    for (double *g = u; g; g = g == u ? v : NULL) {
        for (int i = 0; i < n + 2; i++) {
            if (pc == 0) g[(size_t)i * w] = T_LEFT;
            if (pc == px - 1) g[(size_t)i * w + m + 1] = T_RIGHT;
        }
        for (int j = 1; j <= m; j++) {
            if (pr == 0) g[j] = T_TOP;
            if (pr == py - 1) g[(size_t)(n + 1) * w + j] = T_BOTTOM;
        }
    }
    MPI_Datatype column;
    MPI_Type_vector(n, 1, w, MPI_DOUBLE, &column);
    MPI_Type_commit(&column);

    int it = 0;
    double t0 = 0, change = 0;
    if (PCM_Process_Status() == PCM_STARTED_RESTORED) {       /* PCM: a replacement resumes */
        pcm_check(PCM_Load("iteration", &it, MPI_INT, 1), "PCM_Load iteration");
        pcm_check(PCM_Load("t0", &t0, MPI_DOUBLE, 1), "PCM_Load t0");
        pcm_check(PCM_Load("grid", u, MPI_DOUBLE, (int)cells), "PCM_Load grid");
        if (!quiet) fprintf(stderr, "stencil2d: rank %d restored at iteration %d (moves %d)\n", rank, it, PCM_Moves());
    } else {
        MPI_Barrier(MPI_COMM_WORLD);
        t0 = wall();
    }

    for (; it < iters; it++) {
        int s = PCM_Status(pcm);                              /* PCM: a migration due? */
        if (s == PCM_MIGRATE) {
            pcm_check(PCM_Store("iteration", &it, MPI_INT, 1), "PCM_Store");
            pcm_check(PCM_Store("t0", &t0, MPI_DOUBLE, 1), "PCM_Store");
            pcm_check(PCM_Store("grid", u, MPI_DOUBLE, (int)cells), "PCM_Store");
        }
        if (s == PCM_MIGRATE || s == PCM_RECONFIGURE)
            pcm_check(PCM_Reconfigure(&pcm), "PCM_Reconfigure");   /* the moving rank ends here */
        else
            pcm_check(s, "PCM_Status");

        MPI_Request req[8];
        MPI_Irecv(u + 1, m, MPI_DOUBLE, north, 0, MPI_COMM_WORLD, &req[0]);
        MPI_Irecv(u + (size_t)(n + 1) * w + 1, m, MPI_DOUBLE, south, 1, MPI_COMM_WORLD, &req[1]);
        MPI_Irecv(u + w, 1, column, west, 2, MPI_COMM_WORLD, &req[2]);
        MPI_Irecv(u + w + m + 1, 1, column, east, 3, MPI_COMM_WORLD, &req[3]);
        MPI_Isend(u + w + 1, m, MPI_DOUBLE, north, 1, MPI_COMM_WORLD, &req[4]);
        MPI_Isend(u + (size_t)n * w + 1, m, MPI_DOUBLE, south, 0, MPI_COMM_WORLD, &req[5]);
        MPI_Isend(u + w + 1, 1, column, west, 3, MPI_COMM_WORLD, &req[6]);
        MPI_Isend(u + w + m, 1, column, east, 2, MPI_COMM_WORLD, &req[7]);
        MPI_Waitall(8, req, MPI_STATUSES_IGNORE);

        double mine = 0;
        for (int i = 1; i <= n; i++) {
            const double *a = u + (size_t)(i - 1) * w, *b = u + (size_t)i * w, *d = u + (size_t)(i + 1) * w;
            double *o = v + (size_t)i * w;
            for (int j = 1; j <= m; j++) {
                o[j] = 0.25 * ((a[j] + d[j]) + (b[j - 1] + b[j + 1]));
                double dj = fabs(o[j] - b[j]);
                if (dj > mine) mine = dj;
            }
        }
        MPI_Allreduce(&mine, &change, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
        double *t = u;
        u = v;
        v = t;
    }
    double secs = wall() - t0;

    /* Gather the blocks to rank 0 and assemble the grid. */
    double *block = malloc((size_t)n * m * sizeof *block + 1);
    for (int i = 0; i < n; i++) memcpy(block + (size_t)i * m, u + (size_t)(i + 1) * w + 1, (size_t)m * sizeof *block);
    double *all = NULL, *grid = NULL;
    int *counts = NULL, *displs = NULL;
    if (rank == 0) {
        all = malloc((size_t)rows * cols * sizeof *all);
        grid = malloc((size_t)rows * cols * sizeof *grid);
        counts = malloc(size * sizeof *counts);
        displs = malloc(size * sizeof *displs);
        for (int r = 0, at = 0; r < size; r++) {
            int f, k, g, l;
            split(rows, py, r / px, &f, &k);
            split(cols, px, r % px, &g, &l);
            counts[r] = k * l;
            displs[r] = at;
            at += k * l;
        }
    }
    MPI_Gatherv(block, n * m, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    int rc = 0;
    if (rank == 0) {
        for (int r = 0; r < size; r++) {
            int f, k, g, l;
            split(rows, py, r / px, &f, &k);
            split(cols, px, r % px, &g, &l);
            for (int i = 0; i < k; i++)
                memcpy(grid + (size_t)(f + i) * cols + g, all + displs[r] + (size_t)i * l, (size_t)l * sizeof *grid);
        }
        size_t total = (size_t)rows * cols;
        uint64_t h = 14695981039346656037ull;   /* FNV-1a 64 over the grid's bytes */
        const unsigned char *bytes = (const unsigned char *)grid;
        for (size_t i = 0; i < total * sizeof(double); i++) h = (h ^ bytes[i]) * 1099511628211ull;
        double sum = 0;
        for (size_t k = 0; k < total; k++) sum += grid[k];
        printf("stencil2d: grid %dx%d ranks %d (%dx%d) iterations %d time %.3f s iter/s %.1f "
               "checksum %016llx sum %.10e change %.17g\n",
               rows, cols, size, py, px, iters, secs, iters / (secs > 0 ? secs : 1e-9), (unsigned long long)h, sum,
               change);
        if (out) {
            FILE *f = fopen(out, "wb");
            if (!f || fwrite(grid, sizeof(double), total, f) != total) {
                fprintf(stderr, "stencil2d: cannot write %s\n", out);
                rc = 1;
            }
            if (f) fclose(f);
        }
        free(all);
        free(grid);
        free(counts);
        free(displs);
    }
    free(block);
    free(u);
    free(v);
    MPI_Type_free(&column);
    pcm_check(PCM_Finalize(&pcm), "PCM_Finalize");             /* PCM: leave before MPI_Finalize */
    MPI_Finalize();
    return rc;
}
