/*
 * pcm_derived_prog - MPI_COMM_WORLD and derived communicators across a real migration.
 * Run by PcmDerivedCommTest: 3 ranks; the agent (a Java PcmServer) moves rank 1 at
 * iteration 3. The program uses MPI_COMM_WORLD only (mapped to the PCM world) and derives
 * three communicators from it, as programs do: MPI_Comm_dup, MPI_Cart_create (a ring)
 * and MPI_Comm_split (even and odd ranks).
 *
 * The design under test: derived communicators are the program's. After PCM_Reconfigure
 * those derived before it still hold the departed process (MPI_Comm_compare with
 * MPI_COMM_WORLD says MPI_UNEQUAL); the program frees them and derives them again, and
 * the replacement derives them once at its start, which matches the others' second
 * derivation. Every iteration uses all three. Prints "stale-check ok" in the ranks that
 * stayed, "world-check ok" in the replacement and "derived-check ok rank R" at the end.
 */
#include "pcm_test.h"
#include <pcm.h>
#include <unistd.h>

#define ITERS 40

typedef struct {
    MPI_Comm dup, ring, half;
} derived;

static void derive(derived *d) {
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Comm_dup(MPI_COMM_WORLD, &d->dup);
    int dims[1] = {size}, periods[1] = {1};
    MPI_Cart_create(MPI_COMM_WORLD, 1, dims, periods, 0, &d->ring);
    MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &d->half);
}

static void release(derived *d) {
    MPI_Comm_free(&d->dup);
    MPI_Comm_free(&d->ring);
    MPI_Comm_free(&d->half);
}

/* One round over each derived communicator, with results that depend on the ranks. */
static void use(const derived *d, int rank, int size) {
    int sum = -1;
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, d->dup);
    EXPECT_EQ(sum, size * (size - 1) / 2);
    int src, dst, got = -1;
    MPI_Cart_shift(d->ring, 0, 1, &src, &dst);
    MPI_Sendrecv(&rank, 1, MPI_INT, dst, 9, &got, 1, MPI_INT, src, 9, d->ring, MPI_STATUS_IGNORE);
    EXPECT_EQ(got, (rank + size - 1) % size);
    int hs = 0, hsum = -1;
    MPI_Comm_size(d->half, &hs);
    MPI_Allreduce(&rank, &hsum, 1, MPI_INT, MPI_SUM, d->half);
    int expect = 0, n = 0;
    for (int r = rank % 2; r < size; r += 2) expect += r, n++;
    EXPECT_EQ(hs, n);
    EXPECT_EQ(hsum, expect);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm pcm;
    EXPECT_EQ(PCM_Init(&pcm), PCM_SUCCESS);
    int rank, size, it = 0, stale = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    derived d;
    derive(&d);
    if (PCM_Process_Status() == PCM_STARTED_RESTORED) {
        EXPECT_EQ(PCM_Load("it", &it, MPI_INT, 1), PCM_SUCCESS);
        /* the replacement's MPI_COMM_WORLD is the job's world, not a world of one */
        int res = -1;
        MPI_Comm_compare(MPI_COMM_WORLD, MPI_COMM_SELF, &res);
        EXPECT(res != MPI_IDENT && res != MPI_CONGRUENT);
        printf("world-check %s rank %d size %d moves %d\n", pcm_test_failures ? "FAILED" : "ok", rank, size,
               PCM_Moves());
        fflush(stdout);
    }
    for (; it < ITERS; it++) {
        int s = PCM_Status(pcm);
        if (s == PCM_MIGRATE) EXPECT_EQ(PCM_Store("it", &it, MPI_INT, 1), PCM_SUCCESS);
        if (s == PCM_MIGRATE || s == PCM_RECONFIGURE) {
            EXPECT_EQ(PCM_Reconfigure(&pcm), PCM_SUCCESS);   /* rank 1's process ends here */
            /* what was derived before holds the departed process */
            int res = -1, r2 = -1;
            MPI_Comm_compare(d.dup, MPI_COMM_WORLD, &res);
            EXPECT_EQ(res, MPI_UNEQUAL);
            MPI_Comm_compare(d.ring, MPI_COMM_WORLD, &res);
            EXPECT_EQ(res, MPI_UNEQUAL);
            MPI_Comm_rank(MPI_COMM_WORLD, &r2);
            EXPECT_EQ(r2, rank);
            stale++;
            release(&d);
            derive(&d);
            MPI_Comm_compare(d.dup, MPI_COMM_WORLD, &res);
            EXPECT_EQ(res, MPI_CONGRUENT);
            printf("stale-check %s rank %d\n", pcm_test_failures ? "FAILED" : "ok", rank);
            fflush(stdout);
        }
        use(&d, rank, size);
        usleep(5000);
    }
    release(&d);
    int n = 0;
    MPI_Allreduce(&stale, &n, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    EXPECT_EQ(n, size - 1);   /* every rank but the moved one saw one reconfiguration */
    printf("derived-check %s rank %d checks %d\n", pcm_test_failures ? "FAILED" : "ok", rank, pcm_test_checks);
    fflush(stdout);
    EXPECT_EQ(PCM_Finalize(&pcm), PCM_SUCCESS);
    MPI_Finalize();
    return pcm_test_failures ? 1 : 0;
}
