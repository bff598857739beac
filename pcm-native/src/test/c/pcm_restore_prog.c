/*
 * pcm_restore_prog - the store/load contract across a real migration. Run by
 * PcmRestoreContractTest: 2 ranks, the agent (a Java PcmServer) moves rank 1 at
 * iteration 3 or, should its order come late, at the first iteration after it arrives
 * (iterations last 5 ms, so it has 0.5 s). The replacement checks every PCM_Load error path, out-of-order loads,
 * a count-0 entry and a key it never loads, prints "restore-check ok" and goes on.
 */
#include "pcm_test.h"
#include <pcm.h>
#include <stdint.h>
#include <unistd.h>

#define N 100000

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm world;
    EXPECT_EQ(PCM_Init(&world), PCM_SUCCESS);
    int rank;
    MPI_Comm_rank(world, &rank);
    static double big[N];
    static int64_t ids[7];
    int it = 0;
    char tag[16] = "state-v1";
    if (PCM_Process_Status() == PCM_STARTED_RESTORED) {
        int count = -1;
        double probe[N];
        EXPECT_EQ(PCM_Moves(), 1);
        /* errors first: nothing is copied, the state stays loadable */
        EXPECT_EQ(PCM_Load("missing", probe, MPI_DOUBLE, N), PCM_ERR_KEY);
        EXPECT_EQ(PCM_Load("big", probe, MPI_FLOAT, N), PCM_ERR_TYPE);
        EXPECT_EQ(PCM_Load("big", probe, MPI_DOUBLE, N - 1), PCM_ERR_COUNT);
        EXPECT_EQ(PCM_Load("big", probe, MPI_DOUBLE, -1), PCM_ERR_ARG);
        EXPECT_EQ(PCM_Load("", probe, MPI_DOUBLE, N), PCM_ERR_KEY_LENGTH);
        EXPECT_EQ(PCM_Load_count("big", &count), PCM_SUCCESS);
        EXPECT_EQ(count, N);
        /* out of order: "ids" was stored after "big", so "big" goes to a library buffer */
        EXPECT_EQ(PCM_Load("ids", ids, MPI_INT64_T, 7), PCM_SUCCESS);
        for (int i = 0; i < 7; i++) EXPECT_EQ(ids[i], 1000 + i);
        EXPECT_EQ(PCM_Load("big", big, MPI_DOUBLE, N), PCM_SUCCESS);
        int bad = 0;
        for (int i = 0; i < N; i++) bad += big[i] != i * 0.5;
        EXPECT_EQ(bad, 0);
        EXPECT_EQ(PCM_Load("empty", NULL, MPI_INT, 0), PCM_SUCCESS);
        EXPECT_EQ(PCM_Load("it", &it, MPI_INT, 1), PCM_SUCCESS);
        EXPECT(it >= 3 && it < 100);
        /* "tag" is never loaded: the first PCM_Status drains it, the load still works after */
        printf("restore-check %s rank %d checks %d\n", pcm_test_failures ? "FAILED" : "ok", rank,
               pcm_test_checks);
        fflush(stdout);
    } else {
        for (int i = 0; i < N; i++) big[i] = i * 0.5;
        for (int i = 0; i < 7; i++) ids[i] = 1000 + i;
    }
    for (; it < 100; it++) {
        int s = PCM_Status(world);
        if (s == PCM_MIGRATE) {
            PCM_Store("big", big, MPI_DOUBLE, N);
            PCM_Store("ids", ids, MPI_INT64_T, 7);
            PCM_Store("empty", NULL, MPI_INT, 0);
            PCM_Store("tag", tag, MPI_CHAR, (int)sizeof tag);
            PCM_Store("it", &it, MPI_INT, 1);
        }
        if (s == PCM_MIGRATE || s == PCM_RECONFIGURE) EXPECT_EQ(PCM_Reconfigure(&world), PCM_SUCCESS);
        MPI_Barrier(world);
        usleep(5000);
    }
    if (PCM_Process_Status() == PCM_STARTED_RESTORED) {
        char back[16] = {0};
        EXPECT_EQ(PCM_Load("tag", back, MPI_CHAR, (int)sizeof back), PCM_SUCCESS);
        EXPECT(strcmp(back, "state-v1") == 0);
        printf("drained-check %s\n", pcm_test_failures ? "FAILED" : "ok");
    }
    int size;
    MPI_Comm_size(world, &size);
    EXPECT_EQ(size, 2);
    EXPECT_EQ(PCM_Finalize(&world), PCM_SUCCESS);
    MPI_Finalize();
    return pcm_test_failures ? 1 : 0;
}
