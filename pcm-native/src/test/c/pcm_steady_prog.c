/*
 * pcm_steady_prog - a PCM application that must simply keep going whatever its agent does.
 * Run by MisbehavingAgentTest against a server that answers every connection with garbage,
 * huge lengths, wrong versions, a MIGRATE to a host that does not resolve, or an abrupt close:
 * every PCM_Status must say PCM_CONTINUE, the sum must be right, PCM_Finalize must succeed.
 * Usage: pcm_steady_prog ITERATIONS RECONNECT_MS
 */
#include "pcm_test.h"
#include <pcm.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s ITERATIONS RECONNECT_MS\n", argv[0]);
        return 2;
    }
    int iterations = atoi(argv[1]);
    setenv("ROAM_PCM_RECONNECT_MS", argv[2], 1);
    MPI_Init(&argc, &argv);
    MPI_Comm world;
    EXPECT_EQ(PCM_Init(&world), PCM_SUCCESS);
    int rank, size;
    MPI_Comm_rank(world, &rank);
    MPI_Comm_size(world, &size);
    long sum = 0;
    EXPECT_EQ(PCM_Store("sum", &sum, MPI_LONG, 1), PCM_SUCCESS);
    for (int it = 0; it < iterations; it++) {
        int s = PCM_Status(world);
        if (s != PCM_CONTINUE) {
            fprintf(stderr, "rank %d iteration %d: PCM_Status %d (%s)\n", rank, it, s, PCM_Error_string(s));
            EXPECT_EQ(s, PCM_CONTINUE);
            break;
        }
        long mine = rank + it, all = 0;
        MPI_Allreduce(&mine, &all, 1, MPI_LONG, MPI_SUM, world);
        sum += all;
        usleep(5000);
    }
    long expected = 0;
    for (int it = 0; it < iterations; it++) expected += (long)size * it + (long)size * (size - 1) / 2;
    EXPECT_EQ(sum, expected);
    EXPECT_EQ(PCM_Finalize(&world), PCM_SUCCESS);
    if (rank == 0 && pcm_test_failures == 0) printf("steady ok: %d iterations, sum %ld\n", iterations, sum);
    MPI_Finalize();
    return pcm_test_failures ? 1 : 0;
}
