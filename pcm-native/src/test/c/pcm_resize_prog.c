/*
 * pcm_resize_prog - a malleable PCM program for the resize tests (make check, and the Java
 * tests). It holds ROWS rows of LEN doubles in the default block decomposition, row i
 * element j = i * 1000 + j + (the iterations done), and follows every resize that
 * ROAM_PCM_TEST_RESIZE (or its agent) orders: PCM_Resize_begin, PCM_Redistribute_rows,
 * PCM_Resize_end. After every iteration each rank checks every value it holds; at each
 * resize the ranks below min(old, new) must be the same processes (pids) as before.
 * Rank 0 prints one line per resize and, at the end, "resize-prog: SIZES ... ok" with the
 * sizes the job went through (or "FAILED"); the exit code is 1 on a failed check.
 *
 * Usage: pcm_resize_prog ITERATIONS [ROWS [LEN [SLEEP_MS]]]
 */
#include "pcm_test.h"
#include <pcm.h>
#include <unistd.h>

static int rows = 37, len = 5, sleep_ms = 0;
static int sizes[64], n_sizes;

static int check_block(const double *b, int rank, int size, int done) {
    int f, c, bad = 0;
    PCM_Block_rows(rows, size, rank, &f, &c);
    for (int i = 0; i < c; i++)
        for (int j = 0; j < len; j++)
            if (b[(size_t)i * len + j] != (double)(f + i) * 1000 + j + done) bad++;
    return bad;
}

/* The part of a resize every process does once the world holds max(old, new) ranks. */
static void follow(MPI_Comm *world, double **blk, int *it) {
    int o, n, rank;
    EXPECT_EQ(PCM_Resize_info(&o, &n), PCM_SUCCESS);
    MPI_Comm_rank(*world, &rank);
    int big = o > n ? o : n, pid = (int)getpid();
    int *before = calloc((size_t)big, sizeof *before), *after = calloc((size_t)big, sizeof *after);
    MPI_Allgather(&pid, 1, MPI_INT, before, 1, MPI_INT, *world);
    MPI_Bcast(it, 1, MPI_INT, 0, *world);   /* the application's own state for a joiner */
    int f = 0, c = 0;
    if (rank < n) PCM_Block_rows(rows, n, rank, &f, &c);
    double *nb = malloc((size_t)(c > 0 ? c : 1) * len * sizeof *nb);
    EXPECT_EQ(PCM_Redistribute_rows(*world, o, n, rows, len, MPI_DOUBLE, *blk, nb), PCM_SUCCESS);
    free(*blk);
    *blk = nb;
    if (rank < n) EXPECT_EQ(check_block(nb, rank, n, *it), 0);
    EXPECT_EQ(PCM_Resize_end(world), PCM_SUCCESS);   /* ranks >= n do not return */
    int size;
    MPI_Comm_size(*world, &size);
    EXPECT_EQ(size, n);
    MPI_Allgather(&pid, 1, MPI_INT, after, 1, MPI_INT, *world);
    for (int r = 0; r < (o < n ? o : n); r++) EXPECT_EQ(after[r], before[r]);
    if (rank == 0) {
        printf("resize-prog: iteration %d resized %d -> %d\n", *it, o, n);
        fflush(stdout);
    }
    if (n_sizes < 64) sizes[n_sizes++] = n;
    free(before);
    free(after);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s ITERATIONS [ROWS [LEN [SLEEP_MS]]]\n", argv[0]);
        return 2;
    }
    int iterations = atoi(argv[1]);
    if (argc > 2) rows = atoi(argv[2]);
    if (argc > 3) len = atoi(argv[3]);
    if (argc > 4) sleep_ms = atoi(argv[4]);
    MPI_Init(&argc, &argv);
    MPI_Comm world;
    EXPECT_EQ(PCM_Init(&world), PCM_SUCCESS);
    int rank, size, it = 0;
    MPI_Comm_rank(world, &rank);
    MPI_Comm_size(world, &size);
    sizes[n_sizes++] = size;
    double *blk = NULL;
    if (PCM_Process_Status() == PCM_STARTED_JOINED) {
        follow(&world, &blk, &it);
    } else {
        int f, c;
        PCM_Block_rows(rows, size, rank, &f, &c);
        blk = malloc((size_t)(c > 0 ? c : 1) * len * sizeof *blk);
        for (int i = 0; i < c; i++)
            for (int j = 0; j < len; j++) blk[(size_t)i * len + j] = (double)(f + i) * 1000 + j;
    }
    for (; it < iterations; it++) {
        int s = PCM_Status(world);
        if (s == PCM_RESIZE) {
            int rc = PCM_Resize_begin(&world);
            if (rc == PCM_SUCCESS) {
                follow(&world, &blk, &it);
            } else {
                if (rank == 0) printf("resize-prog: iteration %d resize failed: %s\n", it, PCM_Error_string(rc));
                EXPECT_EQ(rc, PCM_ERR_SPAWN);
            }
        } else {
            EXPECT_EQ(s, PCM_CONTINUE);
        }
        MPI_Comm_rank(world, &rank);
        MPI_Comm_size(world, &size);
        int f, c;
        PCM_Block_rows(rows, size, rank, &f, &c);
        for (long k = 0; k < (long)c * len; k++) blk[k] += 1;
        EXPECT_EQ(check_block(blk, rank, size, it + 1), 0);
        if (sleep_ms) usleep((useconds_t)sleep_ms * 1000);
    }
    int failures = pcm_test_failures, all = 0;
    MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, world);
    if (rank == 0) {
        printf("resize-prog: SIZES");
        for (int i = 0; i < n_sizes; i++) printf(" %d", sizes[i]);
        printf(" %s\n", all ? "FAILED" : "ok");
        fflush(stdout);
    }
    free(blk);
    EXPECT_EQ(PCM_Finalize(&world), PCM_SUCCESS);
    MPI_Finalize();
    return pcm_test_failures ? 1 : 0;
}
