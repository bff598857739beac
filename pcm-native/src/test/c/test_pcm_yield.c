/* Waiting ranks yield during a reconfiguration (pcm_yield.c), run under mpirun by `make check`
 * (2 ranks): pcm_stall_begin turns Open MPI's yield_when_idle on, pcm_stall_leave gives the
 * job's own setting back (off, or on as mpirun sets it for an oversubscribed job), a second
 * begin changes nothing, ROAM_PCM_YIELD=0 (pcm_env.yield) leaves it alone, and collectives
 * complete with it on. The variable is read where Open MPI keeps it (libopen-pal). */
#define _GNU_SOURCE
#include "pcm_internal.h"
#include "pcm_test.h"
#include <dlfcn.h>
#include <stdbool.h>

static bool *yielding;
static bool (*set_yield)(bool);

static void round_trip(int job_setting, int expect_during) {
    set_yield(job_setting);
    pcm_stall_begin(PCM_STALL_STAYING);
    pcm_stall_enter("test: the first step");
    EXPECT_EQ(*yielding, expect_during);
    pcm_stall_begin(PCM_STALL_STAYING);   /* a second begin (a resize's move) keeps the job's setting */
    int x = 1, sum = 0;
    EXPECT_EQ(PMPI_Allreduce(&x, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD), MPI_SUCCESS);
    EXPECT_EQ(sum, 2);
    EXPECT_EQ(*yielding, expect_during);
    pcm_stall_leave();
    EXPECT_EQ(*yielding, job_setting);
    pcm_stall_leave();   /* nothing to give back twice */
    EXPECT_EQ(*yielding, job_setting);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    yielding = (bool *)dlsym(RTLD_DEFAULT, "opal_progress_yield_when_idle");
    set_yield = (bool (*)(bool))dlsym(RTLD_DEFAULT, "opal_progress_set_yield_when_idle");
    EXPECT(yielding != NULL && set_yield != NULL);   /* Open MPI 4.1's libopen-pal has both */
    if (yielding && set_yield) {
        pcm_env.yield = 1;
        round_trip(0, 1);
        round_trip(1, 1);
        pcm_env.yield = 0;
        round_trip(0, 0);
        round_trip(1, 1);
    }
    int failed = TEST_SUMMARY("test_pcm_yield"), any = 0;
    MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Finalize();
    return any;
}
