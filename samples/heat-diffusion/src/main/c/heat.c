/*
 * heat.c - 2-D heat diffusion (Jacobi, 5-point stencil) over a row decomposition,
 * instrumented with PCM exactly as a user would instrument their own code.
 *
 *   mpirun -np 4 heat [-r ROWS] [-c COLS] [-i ITERS] [-o GRID_FILE] [-s STOP_FILE] [-q]
 *
 * The global grid has ROWS x COLS interior points and fixed boundary temperatures
 * (top 100, bottom 0, left 75, right 50). Rows are split among the ranks, each rank
 * exchanges one halo row with each neighbour per iteration. The update of a point is
 * the same expression in every decomposition, so the final grid is bit-exact whatever
 * the rank count and whatever migrations happen.
 *
 * Rank 0 prints iterations per second, lattice updates per second and a checksum of
 * the final grid (FNV-1a over its bytes); -o writes the grid as raw doubles, row-major.
 *
 * -s STOP_FILE ends the run early, for tests whose job must last exactly as long as the
 * test needs it: every STOP_EVERY iterations all ranks check whether the file exists (one
 * allreduce, so they agree) and, if it does, stop there. The printed line then names the
 * iterations done: the grid equals that of a run of that many iterations (-i) to the bit.
 *
 * Built twice from this file: `heat` with PCM, `heat-nopcm` with -DHEAT_NO_PCM (plain
 * MPI) for measuring the PCM overhead.
 */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifndef HEAT_NO_PCM
#include <pcm.h>
#endif

#define T_TOP 100.0
#define T_BOTTOM 0.0
#define T_LEFT 75.0
#define T_RIGHT 50.0

#define STOP_EVERY 100

typedef struct {
    int rows, cols, iters, quiet;
    const char *out, *stop;
} options;

static void usage(const char *prog) {
    fprintf(stderr, "usage: %s [-r ROWS] [-c COLS] [-i ITERS] [-o GRID_FILE] [-s STOP_FILE] [-q]\n", prog);
}

static int parse(int argc, char **argv, options *o) {
    *o = (options){.rows = 512, .cols = 512, .iters = 500};
    int c;
    while ((c = getopt(argc, argv, "r:c:i:o:s:qh")) != -1) {
        switch (c) {
        case 'r': o->rows = atoi(optarg); break;
        case 'c': o->cols = atoi(optarg); break;
        case 'i': o->iters = atoi(optarg); break;
        case 'o': o->out = optarg; break;
        case 's': o->stop = optarg; break;
        case 'q': o->quiet = 1; break;
        default: return -1;
        }
    }
    if (o->rows < 1 || o->cols < 1 || o->iters < 0) return -1;
    return 0;
}

/* First global interior row and row count of rank r among p. */
static void decompose(int rows, int p, int r, int *first, int *count) {
    int base = rows / p, extra = rows % p;
    *count = base + (r < extra ? 1 : 0);
    *first = r * base + (r < extra ? r : extra);
}

/* The local block: (n + 2) x (cols + 2), halo rows 0 and n+1, boundary columns 0 and cols+1. */
static void init_block(double *u, int n, int cols, int first, int rows) {
    int w = cols + 2;
    for (int i = 0; i < n + 2; i++)
        for (int j = 0; j < w; j++) u[(size_t)i * w + j] = 0.0;
    for (int i = 0; i < n + 2; i++) {
        u[(size_t)i * w] = T_LEFT;
        u[(size_t)i * w + cols + 1] = T_RIGHT;
    }
    if (first == 0)
        for (int j = 1; j <= cols; j++) u[j] = T_TOP;
    if (first + n == rows)
        for (int j = 1; j <= cols; j++) u[(size_t)(n + 1) * w + j] = T_BOTTOM;
}

static void exchange(double *u, int n, int cols, int up, int down, MPI_Comm comm) {
    int w = cols + 2;
    MPI_Sendrecv(u + w + 1, cols, MPI_DOUBLE, up, 1, u + (size_t)(n + 1) * w + 1, cols, MPI_DOUBLE,
                 down, 1, comm, MPI_STATUS_IGNORE);
    MPI_Sendrecv(u + (size_t)n * w + 1, cols, MPI_DOUBLE, down, 2, u + 1, cols, MPI_DOUBLE, up, 2,
                 comm, MPI_STATUS_IGNORE);
}

static void sweep(const double *restrict u, double *restrict v, int n, int cols) {
    int w = cols + 2;
    for (int i = 1; i <= n; i++) {
        const double *a = u + (size_t)(i - 1) * w, *b = u + (size_t)i * w, *c = u + (size_t)(i + 1) * w;
        double *o = v + (size_t)i * w;
        for (int j = 1; j <= cols; j++) o[j] = 0.25 * ((a[j] + c[j]) + (b[j - 1] + b[j + 1]));
    }
}

/* Wall-clock seconds: comparable between a process and its replacement (MPI_Wtime is not). */
static double wall(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t fnv1a(const void *p, size_t n, uint64_t h) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

/* Gather the interior to rank 0; print checksum; optionally write the grid. */
static int finish(const double *u, int n, const options *o, MPI_Comm comm, double secs) {
    int rank, p;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &p);
    int w = o->cols + 2;
    double *mine = malloc((size_t)n * o->cols * sizeof *mine + 1);
    for (int i = 0; i < n; i++) memcpy(mine + (size_t)i * o->cols, u + (size_t)(i + 1) * w + 1, o->cols * sizeof(double));
    double *all = NULL;
    int *counts = NULL, *displs = NULL;
    if (rank == 0) {
        all = malloc((size_t)o->rows * o->cols * sizeof *all);
        counts = malloc(p * sizeof *counts);
        displs = malloc(p * sizeof *displs);
        for (int r = 0; r < p; r++) {
            int f, c;
            decompose(o->rows, p, r, &f, &c);
            counts[r] = c * o->cols;
            displs[r] = f * o->cols;
        }
    }
    MPI_Gatherv(mine, n * o->cols, MPI_DOUBLE, all, counts, displs, MPI_DOUBLE, 0, comm);
    free(mine);
    int rc = 0;
    if (rank == 0) {
        size_t total = (size_t)o->rows * o->cols;
        uint64_t h = fnv1a(all, total * sizeof(double), 14695981039346656037ull);   /* FNV-1a 64 basis */
        double sum = 0;
        for (size_t k = 0; k < total; k++) sum += all[k];
        double ups = (double)total * o->iters / (secs > 0 ? secs : 1e-9);
        printf("heat: grid %dx%d ranks %d iterations %d time %.3f s iter/s %.1f "
               "updates/s %.4g updates/s/rank %.4g checksum %016llx sum %.10e\n",
               o->rows, o->cols, p, o->iters, secs, o->iters / (secs > 0 ? secs : 1e-9), ups,
               ups / p, (unsigned long long)h, sum);
        if (o->out) {
            FILE *f = fopen(o->out, "wb");
            if (!f || fwrite(all, sizeof(double), total, f) != total) {
                fprintf(stderr, "heat: cannot write %s\n", o->out);
                rc = 1;
            }
            if (f) fclose(f);
        }
        free(all);
        free(counts);
        free(displs);
    }
    return rc;
}

#ifdef HEAT_NO_PCM
#define PCM_CHECK(call) ((void)0)
#else
#define PCM_CHECK(call)                                                          \
    do {                                                                         \
        int rc_ = (call);                                                        \
        if (rc_ < 0) {                                                           \
            fprintf(stderr, "heat: %s: %s\n", #call, PCM_Error_string(rc_));      \
            MPI_Abort(MPI_COMM_WORLD, 2);                                        \
        }                                                                        \
    } while (0)
#endif

#ifndef HEAT_NO_PCM
/* A resize (PCM_RESIZE; or PCM_Init in a process a grow started): the world holds
 * max(old, new) ranks until PCM_Resize_end. The iteration and the start time go to the
 * new processes, the rows move to the new decomposition (PCM_Redistribute_rows: whole
 * rows of the block, boundary columns included; the halo rows are exchanged before the
 * next sweep as in every iteration), and ranks beyond the new size leave in
 * PCM_Resize_end. Every point keeps its value, so the grid stays bit-exact. */
static void resize(MPI_Comm *world, double **u, double **v, int *n, size_t *cells, int *it, double *t0,
                   const options *o) {
    int old_p, new_p, rank, first = 0, nn = 0, w = o->cols + 2;
    PCM_CHECK(PCM_Resize_info(&old_p, &new_p));
    MPI_Comm_rank(*world, &rank);
    MPI_Bcast(it, 1, MPI_INT, 0, *world);
    MPI_Bcast(t0, 1, MPI_DOUBLE, 0, *world);
    if (rank < new_p) decompose(o->rows, new_p, rank, &first, &nn);
    size_t nc = (size_t)(nn + 2) * w;
    double *nu = malloc(nc * sizeof *nu), *nv = malloc(nc * sizeof *nv);
    if (!nu || !nv) MPI_Abort(*world, 3);
    init_block(nu, nn, o->cols, first, o->rows);
    init_block(nv, nn, o->cols, first, o->rows);
    PCM_CHECK(PCM_Redistribute_rows(*world, old_p, new_p, o->rows, w, MPI_DOUBLE, *u ? *u + w : NULL, nu + w));
    if (rank == 0 && !o->quiet) fprintf(stderr, "heat: resized %d -> %d ranks at iteration %d\n", old_p, new_p, *it);
    free(*u);
    free(*v);
    *u = nu;
    *v = nv;
    *n = nn;
    *cells = nc;
    PCM_CHECK(PCM_Resize_end(world));   /* a rank beyond the new size leaves here */
}
#endif

/* Whether any rank sees the stop file: every rank of the world calls it at the same iteration. */
static int stop_requested(const char *path, MPI_Comm world) {
    int here = access(path, F_OK) == 0, any = 0;
    MPI_Allreduce(&here, &any, 1, MPI_INT, MPI_MAX, world);
    return any;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    options o;
    if (parse(argc, argv, &o) != 0) {
        usage(argv[0]);
        MPI_Finalize();
        return 2;
    }
    MPI_Comm world;
#ifdef HEAT_NO_PCM
    MPI_Comm_dup(MPI_COMM_WORLD, &world);
#else
    PCM_CHECK(PCM_Init(&world));
    PCM_CHECK(PCM_Malleable());   /* it handles PCM_RESIZE (resize() below): the agents may resize it */
#endif
    int rank, p;
    MPI_Comm_rank(world, &rank);
    MPI_Comm_size(world, &p);
    if (p > o.rows) {
        if (rank == 0) fprintf(stderr, "heat: more ranks (%d) than rows (%d)\n", p, o.rows);
        MPI_Abort(world, 2);
    }
    int first, n;
    decompose(o.rows, p, rank, &first, &n);
    size_t cells = (size_t)(n + 2) * (o.cols + 2);
    double *u = NULL, *v = NULL;
    int it = 0;
    double t0 = 0;   /* wall-clock start, carried across migrations */
#ifndef HEAT_NO_PCM
    if (PCM_Process_Status() == PCM_STARTED_JOINED) {   /* started by a grow: join its redistribution */
        resize(&world, &u, &v, &n, &cells, &it, &t0, &o);
        MPI_Comm_rank(world, &rank);
        MPI_Comm_size(world, &p);
    } else
#endif
    {
        u = malloc(cells * sizeof *u);
        v = malloc(cells * sizeof *v);
        if (!u || !v) MPI_Abort(world, 3);
        init_block(u, n, o.cols, first, o.rows);
        init_block(v, n, o.cols, first, o.rows);
    }
#ifndef HEAT_NO_PCM
    if (PCM_Process_Status() == PCM_STARTED_JOINED) {
        /* the state came with the resize */
    } else if (PCM_Process_Status() == PCM_STARTED_RESTORED) {
        PCM_CHECK(PCM_Load("iteration", &it, MPI_INT, 1));
        PCM_CHECK(PCM_Load("t0", &t0, MPI_DOUBLE, 1));
        PCM_CHECK(PCM_Load("grid", u, MPI_DOUBLE, (int)cells));
        if (!o.quiet)
            fprintf(stderr, "heat: rank %d restored at iteration %d (moves %d, MPI_COMM_WORLD mapped: %s)\n", rank, it,
                    PCM_Moves(), PCM_Get_world_map() == 1 ? "yes" : "no");
    } else
#endif
    {
        MPI_Barrier(world);
        t0 = wall();
    }
    int up = rank > 0 ? rank - 1 : MPI_PROC_NULL, down = rank < p - 1 ? rank + 1 : MPI_PROC_NULL;
    for (; it < o.iters; it++) {
#ifndef HEAT_NO_PCM
        int s = PCM_Status(world);
        if (s == PCM_MIGRATE || s == PCM_RECONFIGURE) {
            int who;
            char host[256];
            PCM_Migration_info(&who, host, sizeof host);
            if (s == PCM_MIGRATE) {
                PCM_CHECK(PCM_Store("iteration", &it, MPI_INT, 1));
                PCM_CHECK(PCM_Store("t0", &t0, MPI_DOUBLE, 1));
                PCM_CHECK(PCM_Store("grid", u, MPI_DOUBLE, (int)cells));
            }
            int rc = PCM_Reconfigure(&world);   /* the migrating rank does not return */
            if (rc != PCM_SUCCESS && rank == 0)
                fprintf(stderr, "heat: migration of rank %d to %s failed at iteration %d: %s; continuing in place\n",
                        who, host, it, PCM_Error_string(rc));
            else if (rank == 0 && !o.quiet)
                fprintf(stderr, "heat: rank %d moved to %s at iteration %d\n", who, host, it);
        } else if (s == PCM_RESIZE) {
            int rc = PCM_Resize_begin(&world);
            if (rc == PCM_SUCCESS) {
                resize(&world, &u, &v, &n, &cells, &it, &t0, &o);
            } else if (rank == 0) {
                fprintf(stderr, "heat: resize failed at iteration %d: %s; continuing with %d ranks\n", it,
                        PCM_Error_string(rc), p);
            }
            MPI_Comm_rank(world, &rank);
            MPI_Comm_size(world, &p);
            up = rank > 0 ? rank - 1 : MPI_PROC_NULL;
            down = rank < p - 1 ? rank + 1 : MPI_PROC_NULL;
        } else if (s < 0) {
            PCM_CHECK(s);
        }
#endif
        /* after PCM_Status: a replacement restored at this iteration joins this check too */
        if (o.stop && it % STOP_EVERY == 0 && stop_requested(o.stop, world)) {
            if (rank == 0 && !o.quiet) fprintf(stderr, "heat: %s exists: stopping at iteration %d\n", o.stop, it);
            o.iters = it;
            break;
        }
        exchange(u, n, o.cols, up, down, world);
        sweep(u, v, n, o.cols);
        double *t = u;
        u = v;
        v = t;
    }
    double secs = wall() - t0;
    int rc = finish(u, n, &o, world, secs);
#ifdef HEAT_NO_PCM
    MPI_Comm_free(&world);
#else
    PCM_CHECK(PCM_Finalize(&world));
#endif
    free(u);
    free(v);
    MPI_Finalize();
    /* the program runs on after MPI_Finalize, also when libpcm ended the job without Open
     * MPI's final fence (a rank moved): its output and exit code are its own */
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (rank == 0 && !o.quiet) printf("heat: after MPI_Finalize (finalized: %s)\n", finalized ? "yes" : "no");
    return rc;
}
