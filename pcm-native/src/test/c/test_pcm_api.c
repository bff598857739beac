/* API misuse and the store/load contract, run under mpirun -np 2 by `make check`.
 * A migration needs an agent; this test drives the registry and the error paths. */
#include "pcm_internal.h"
#include "pcm_test.h"

int main(int argc, char **argv) {
    MPI_Comm world = MPI_COMM_NULL;
    setenv("ROAM_AGENT_SOCKET", "none", 1);
    EXPECT_EQ(PCM_Init(&world), PCM_ERR_MPI_NOT_INIT);
    MPI_Init(&argc, &argv);
    double grid[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    int it = 5;
    /* before PCM_Init */
    EXPECT_EQ(PCM_Store("grid", grid, MPI_DOUBLE, 8), PCM_ERR_NOT_INITIALIZED);
    EXPECT_EQ(PCM_Status(MPI_COMM_WORLD), PCM_ERR_NOT_INITIALIZED);
    EXPECT_EQ(PCM_Process_Status(), PCM_ERR_NOT_INITIALIZED);
    EXPECT_EQ(PCM_Reconfigure(&world), PCM_ERR_NOT_INITIALIZED);
    EXPECT_EQ(PCM_Init(NULL), PCM_ERR_ARG);
    /* a variable out of its range (pcm_env.c): PCM_Init fails on every rank alike, before
     * any communication, and leaves PCM as it was */
    setenv("ROAM_PCM_STALL_MS", "soon", 1);
    EXPECT_EQ(PCM_Init(&world), PCM_ERR_ENV);
    EXPECT(world == MPI_COMM_NULL);
    EXPECT_EQ(PCM_Process_Status(), PCM_ERR_NOT_INITIALIZED);
    EXPECT(strstr(PCM_Error_string(PCM_ERR_ENV), "ROAM_") != NULL);
    unsetenv("ROAM_PCM_STALL_MS");

    EXPECT_EQ(PCM_Init(&world), PCM_SUCCESS);
    EXPECT(world != MPI_COMM_NULL && world != MPI_COMM_WORLD);
    EXPECT_EQ(PCM_Init(&world), PCM_ERR_INITIALIZED);
    int rank, size, wrank;
    MPI_Comm_rank(world, &rank);
    MPI_Comm_size(world, &size);
    MPI_Comm_rank(MPI_COMM_WORLD, &wrank);
    EXPECT_EQ(rank, wrank);
    EXPECT_EQ(PCM_Process_Status(), PCM_STARTED_FRESH);
    EXPECT_EQ(PCM_Moves(), 0);

    /* store */
    EXPECT_EQ(PCM_Store("grid", grid, MPI_DOUBLE, 8), PCM_SUCCESS);
    EXPECT_EQ(PCM_Store("iter", &it, MPI_INT, 1), PCM_SUCCESS);
    EXPECT_EQ(PCM_Store("grid", grid, MPI_DOUBLE, 4), PCM_SUCCESS);   /* update */
    EXPECT_EQ(PCM_Store(NULL, grid, MPI_DOUBLE, 1), PCM_ERR_ARG);
    EXPECT_EQ(PCM_Store("", grid, MPI_DOUBLE, 1), PCM_ERR_KEY_LENGTH);
    EXPECT_EQ(PCM_Store("neg", grid, MPI_DOUBLE, -1), PCM_ERR_ARG);
    EXPECT_EQ(PCM_Store("nullbuf", NULL, MPI_DOUBLE, 3), PCM_ERR_ARG);
    MPI_Datatype vec;
    MPI_Type_contiguous(2, MPI_DOUBLE, &vec);
    MPI_Type_commit(&vec);
    EXPECT_EQ(PCM_Store("derived", grid, vec, 1), PCM_ERR_DATATYPE);
    MPI_Type_free(&vec);
    EXPECT_EQ(PCM_Unstore("iter"), PCM_SUCCESS);
    EXPECT_EQ(PCM_Unstore("iter"), PCM_ERR_KEY);

    /* load in a fresh process */
    double out[8];
    int count;
    EXPECT_EQ(PCM_Load("grid", out, MPI_DOUBLE, 8), PCM_ERR_NO_STATE);
    EXPECT_EQ(PCM_Load_count("grid", &count), PCM_ERR_NO_STATE);

    /* status without an agent: always continue, and it is collective */
    for (int i = 0; i < 50; i++) EXPECT_EQ(PCM_Status(world), PCM_CONTINUE);
    EXPECT_EQ(PCM_Status(MPI_COMM_WORLD), PCM_ERR_COMM);
    EXPECT_EQ(PCM_Reconfigure(&world), PCM_ERR_NO_MIGRATION);
    EXPECT_EQ(PCM_Migration_info(&rank, NULL, 0), PCM_ERR_NO_MIGRATION);
    PCM_Profile prof;
    EXPECT_EQ(PCM_Get_profile(&prof), PCM_SUCCESS);
    EXPECT_EQ(prof.iterations, 50);

    /* the PMPI layer counts point-to-point traffic per peer of the PCM world */
    if (size >= 2 && rank < 2) {
        double buf[16] = {0};
        int peer = 1 - rank;
        MPI_Sendrecv(buf, 16, MPI_DOUBLE, peer, 0, buf, 16, MPI_DOUBLE, peer, 0, world, MPI_STATUS_IGNORE);
        MPI_Sendrecv(buf, 3, MPI_INT, peer, 0, buf, 3, MPI_INT, peer, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        unsigned long long m, b;
        EXPECT_EQ(PCM_Get_peer_traffic(peer, &m, &b), PCM_SUCCESS);
        EXPECT_EQ(m, 2);
        EXPECT_EQ(b, 16 * sizeof(double) + 3 * sizeof(int));
        EXPECT_EQ(PCM_Get_peer_traffic(rank, &m, &b), PCM_SUCCESS);
        EXPECT_EQ(m, 0);
        EXPECT_EQ(PCM_Get_peer_traffic(size, &m, &b), PCM_ERR_ARG);
        EXPECT_EQ(PCM_Get_profile(&prof), PCM_SUCCESS);
        EXPECT_EQ(prof.messages_sent, 2);
        EXPECT(prof.mpi_ns > 0);
    }

    MPI_Comm other = MPI_COMM_WORLD;
    EXPECT_EQ(PCM_Finalize(&other), PCM_ERR_COMM);
    EXPECT_EQ(PCM_Finalize(&world), PCM_SUCCESS);
    EXPECT(world == MPI_COMM_NULL);
    EXPECT_EQ(PCM_Status(world), PCM_ERR_NOT_INITIALIZED);
    EXPECT_EQ(PCM_Store("grid", grid, MPI_DOUBLE, 8), PCM_ERR_NOT_INITIALIZED);
    MPI_Finalize();
    return TEST_SUMMARY("test_pcm_api");
}
