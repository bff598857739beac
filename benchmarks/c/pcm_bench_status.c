/*
 * pcm_bench_status.c - the cost of PCM_Status, the call an instrumented application makes
 * once per iteration (one MPI_Allreduce of an int, plus a non-blocking look at the agent
 * socket). Prints the median, min and max microseconds per call over REPS repetitions of
 * CALLS calls, measured on rank 0 after a barrier:
 *     pcm_bench_status [-n CALLS] [-r REPS]
 * With -x the same loop calls a bare MPI_Allreduce of an int instead (the floor).
 */
#include <mpi.h>
#include <pcm.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int calls = 20000, reps = 7, bare = 0, c;
    while ((c = getopt(argc, argv, "n:r:x")) != -1) {
        if (c == 'n') calls = atoi(optarg);
        else if (c == 'r') reps = atoi(optarg);
        else if (c == 'x') bare = 1;
    }
    MPI_Comm world;
    if (PCM_Init(&world) != PCM_SUCCESS) MPI_Abort(MPI_COMM_WORLD, 2);
    int rank;
    MPI_Comm_rank(world, &rank);
    double *us = malloc(sizeof(double) * (size_t)reps);
    for (int r = 0; r < reps; r++) {
        MPI_Barrier(world);
        double t0 = now();
        for (int i = 0; i < calls; i++) {
            if (bare) {
                int x = rank, y;
                MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_MIN, world);
            } else if (PCM_Status(world) != PCM_CONTINUE) {
                MPI_Abort(world, 3);
            }
        }
        us[r] = (now() - t0) * 1e6 / calls;
    }
    if (rank == 0) {
        qsort(us, (size_t)reps, sizeof *us, cmp);
        printf("%s us/call median %.3f min %.3f max %.3f\n", bare ? "allreduce" : "pcm_status", us[reps / 2], us[0],
               us[reps - 1]);
    }
    free(us);
    PCM_Finalize(&world);
    MPI_Finalize();
    return 0;
}
