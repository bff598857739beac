/*
 * pcm_bench_resize.c - the program benchmarks/resize.sh resizes, and its checkpoint-restart twin.
 *
 *   mpirun -np P pcm_bench_resize -m MIB [-i ITERS]            a resize (ROAM_PCM_TEST_RESIZE)
 *   mpirun -np P pcm_bench_resize -m MIB -w FILE               write a checkpoint, then exit
 *   mpirun -np Q pcm_bench_resize -m MIB -r FILE               restart from it at size Q
 *
 * The data is a grid of MIB MiB of doubles in rows of 1024, in the block decomposition of
 * PCM_Block_rows, every value a function of its row and column. An iteration is a PCM_Status
 * and one pass over the rank's rows (a sum: the work of a memory-bound sweep). In the first
 * form the job runs ITERS iterations (default 40); ROAM_PCM_TEST_RESIZE orders the resize
 * (for example "10:4"). Rank 0 prints, per resize:
 *   "pcm_bench_resize: resize OLD -> NEW begin_ms B redistribute_ms R end_ms E total_ms T"
 * (begin: PCM_Resize_begin, a grow's spawn and new world; redistribute: PCM_Redistribute_rows;
 * end: PCM_Resize_end, a shrink's new world) and the median iteration time before and after:
 *   "pcm_bench_resize: iteration_ms before X after Y"
 * The -w form writes each rank's rows to FILE at their offset (pwrite) and prints
 * "pcm_bench_resize: write_ms W"; the -r form prints, after MPI_Init and a barrier,
 * "pcm_bench_resize: started_ns S" (CLOCK_REALTIME, for the launch time the script measures),
 * reads its rows of the new decomposition (pread) and prints "pcm_bench_resize: read_ms R".
 * Every form checks every value it holds at the end (outside the timed parts): a wrong one
 * prints "pcm_bench_resize: FAILED" and aborts.
 */
#include "bench_util.h"
#include <mpi.h>
#include <pcm.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COLS 1024

static double value(long row, long col) {
    return (double)(row * 7919 + col % 977) * 0.5;
}

static void fill(double *b, int first, int count) {
    for (long r = 0; r < count; r++)
        for (long c = 0; c < COLS; c++) b[r * COLS + c] = value(first + r, c);
}

static void check(const double *b, int first, int count, MPI_Comm world) {
    long bad = 0;
    for (long r = 0; r < count && !bad; r++)
        for (long c = 0; c < COLS; c++)
            if (b[r * COLS + c] != value(first + r, c)) bad = 1;
    long any = 0;
    MPI_Allreduce(&bad, &any, 1, MPI_LONG, MPI_MAX, world);
    if (any) {
        fprintf(stderr, "pcm_bench_resize: FAILED: a value differs after the resize\n");
        MPI_Abort(world, 3);
    }
}

static double pass(const double *b, int count) {
    double s = 0;
    for (long i = 0; i < (long)count * COLS; i++) s += b[i];
    return s;
}

static double median(double *v, int n) {
    if (n == 0) return 0;
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void io(const char *path, int write, double *b, int first, int count, MPI_Comm world) {
    int fd = open(path, write ? O_WRONLY | O_CREAT : O_RDONLY, 0600);
    if (fd < 0) { perror(path); MPI_Abort(world, 2); }
    size_t len = (size_t)count * COLS * sizeof *b, done = 0;
    off_t at = (off_t)first * COLS * (off_t)sizeof *b;
    while (done < len) {
        ssize_t n = write ? pwrite(fd, (char *)b + done, len - done, at + (off_t)done)
                          : pread(fd, (char *)b + done, len - done, at + (off_t)done);
        if (n <= 0) { perror(path); MPI_Abort(world, 2); }
        done += (size_t)n;
    }
    close(fd);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    long mib = 64, iters = 40;
    const char *wfile = NULL, *rfile = NULL;
    int c;
    while ((c = getopt(argc, argv, "m:i:w:r:")) != -1) {
        switch (c) {
        case 'm': mib = atol(optarg); break;
        case 'i': iters = atol(optarg); break;
        case 'w': wfile = optarg; break;
        case 'r': rfile = optarg; break;
        default:
            fprintf(stderr, "usage: pcm_bench_resize -m MIB [-i ITERS] [-w FILE | -r FILE]\n");
            MPI_Abort(MPI_COMM_WORLD, 2);
        }
    }
    int rows = (int)(mib * 1024 * 1024 / (COLS * (long)sizeof(double)));
    int rank, size, first, count;
    if (wfile || rfile) {   /* the checkpoint-restart baseline: plain MPI */
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        if (rfile) {
            MPI_Barrier(MPI_COMM_WORLD);
            struct timespec t;
            clock_gettime(CLOCK_REALTIME, &t);
            if (rank == 0) printf("pcm_bench_resize: started_ns %lld\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
        }
        PCM_Block_rows(rows, size, rank, &first, &count);
        double *b = malloc((size_t)count * COLS * sizeof *b + 1);
        if (wfile) fill(b, first, count);
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = now();
        io(wfile ? wfile : rfile, wfile != NULL, b, first, count, MPI_COMM_WORLD);
        MPI_Barrier(MPI_COMM_WORLD);
        double ms = (now() - t0) * 1e3;
        if (rank == 0) printf("pcm_bench_resize: %s_ms %.3f\n", wfile ? "write" : "read", ms);
        check(b, first, count, MPI_COMM_WORLD);
        free(b);
        MPI_Finalize();
        return 0;
    }

    MPI_Comm world;
    PCM_Init(&world);
    PCM_Malleable();
    MPI_Comm_rank(world, &rank);
    MPI_Comm_size(world, &size);
    double *b = NULL;
    long it = 0;
    double *times = calloc((size_t)iters + 1, sizeof *times);
    int resized_at = -1;
    if (PCM_Process_Status() == PCM_STARTED_JOINED) {
        int o, n;
        PCM_Resize_info(&o, &n);
        MPI_Bcast(&it, 1, MPI_LONG, 0, world);
        PCM_Block_rows(rows, n, rank, &first, &count);
        b = malloc((size_t)count * COLS * sizeof *b + 1);
        PCM_Redistribute_rows(world, o, n, rows, COLS, MPI_DOUBLE, NULL, b);
        PCM_Resize_end(&world);
        MPI_Comm_size(world, &size);
    } else {
        PCM_Block_rows(rows, size, rank, &first, &count);
        b = malloc((size_t)count * COLS * sizeof *b + 1);
        fill(b, first, count);
    }
    double sink = 0;
    for (; it < iters; it++) {
        double t = now();
        int s = PCM_Status(world);
        if (s == PCM_RESIZE) {
            double t0 = now();
            if (PCM_Resize_begin(&world) != PCM_SUCCESS) {
                if (rank == 0) fprintf(stderr, "pcm_bench_resize: FAILED: the resize did not start\n");
                MPI_Abort(world, 4);
            }
            double t1 = now();
            int o, n, nf = 0, nc = 0;
            PCM_Resize_info(&o, &n);
            MPI_Bcast(&it, 1, MPI_LONG, 0, world);
            if (rank < n) PCM_Block_rows(rows, n, rank, &nf, &nc);
            double *nb = malloc((size_t)nc * COLS * sizeof *nb + 1);
            PCM_Redistribute_rows(world, o, n, rows, COLS, MPI_DOUBLE, rank < o ? b : NULL, nb);
            double t2 = now();
            free(b);
            b = nb;
            first = nf;
            count = nc;
            PCM_Resize_end(&world);   /* ranks >= n leave here */
            double t3 = now();
            MPI_Comm_rank(world, &rank);
            MPI_Comm_size(world, &size);
            if (rank == 0)
                printf("pcm_bench_resize: resize %d -> %d begin_ms %.3f redistribute_ms %.3f end_ms %.3f total_ms %.3f\n",
                       o, n, (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t3 - t0) * 1e3);
            resized_at = (int)it;   /* this iteration's pass follows, as a joiner's first one does */
        }
        sink += pass(b, count);
        MPI_Barrier(world);
        times[it] = (now() - t) * 1e3;
    }
    check(b, first, count, world);
    if (rank == 0 && resized_at >= 0) {
        double *before = malloc((size_t)iters * sizeof *before), *after = malloc((size_t)iters * sizeof *after);
        int nb = 0, na = 0;
        for (long k = 1; k < iters; k++) {   /* the first iteration warms the caches */
            if (times[k] <= 0) continue;
            if (k < resized_at) before[nb++] = times[k];
            else if (k > resized_at + 1) after[na++] = times[k];
        }
        printf("pcm_bench_resize: iteration_ms before %.3f after %.3f\n", median(before, nb), median(after, na));
    }
    if (sink == 0.123) printf("%f\n", sink);   /* keeps the passes */
    PCM_Finalize(&world);
    MPI_Finalize();
    return 0;
}
