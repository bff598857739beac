/* The daemon sync (pcm_util.c, pcm_daemon_sync), run under mpirun by `make check` (2 ranks):
 * it returns (mpirun's data server answers the lookup "not found"), the error goes to no
 * handler of the application, and MPI_COMM_WORLD keeps the application's error handler: a
 * failed lookup of the application's own afterwards reaches that handler. */
#include "pcm_internal.h"
#include "pcm_test.h"

static int calls;

static void count(MPI_Comm *comm, int *code, ...) {
    (void)comm, (void)code;
    calls++;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Errhandler mine, now;
    MPI_Comm_create_errhandler(count, &mine);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, mine);
    for (int i = 0; i < 3; i++) {
        uint64_t t0 = pcm_now_mono_ns();
        pcm_daemon_sync();
        EXPECT((pcm_now_mono_ns() - t0) < 10ull * 1000000000ull);   /* a round trip, not a wait */
    }
    EXPECT_EQ(calls, 0);
    MPI_Comm_get_errhandler(MPI_COMM_WORLD, &now);
    EXPECT(now == mine);
    MPI_Errhandler_free(&now);
    char port[MPI_MAX_PORT_NAME];
    EXPECT(MPI_Lookup_name("test-pcm-sync-unpublished", MPI_INFO_NULL, port) != MPI_SUCCESS);
    EXPECT_EQ(calls, 1);   /* the application's handler is in place again */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    MPI_Errhandler_free(&mine);
    int failed = TEST_SUMMARY("test_pcm_sync"), any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return any;
}
