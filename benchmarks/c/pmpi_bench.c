/*
 * pmpi_bench.c - the cost of libpcm's MPI wrappers on the calls a program makes most: an
 * 8-byte ping-pong between ranks 0 and 1 and an MPI_Allreduce of one double, both on
 * MPI_COMM_WORLD. Built twice by benchmarks/pmpi-overhead.sh: linked with libpcm (the
 * wrappers; ROAM_PCM_WORLD_MAP=0 or 1 chooses whether MPI_COMM_WORLD is mapped) and with
 * -DNO_PCM against MPI alone. Prints, on rank 0, the median over REPS repetitions of
 * CALLS round trips / allreduces, in microseconds per round trip / per allreduce:
 *     pmpi_bench [-n CALLS] [-r REPS]
 *     pmpi_bench: map 1 pingpong_us 1.234 allreduce_us 0.567
 */
#include <mpi.h>
#ifndef NO_PCM
#include <pcm.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int calls = 20000, reps = 7, c, map = -1;
    while ((c = getopt(argc, argv, "n:r:")) != -1) {
        if (c == 'n') calls = atoi(optarg);
        else if (c == 'r') reps = atoi(optarg);
    }
#ifndef NO_PCM
    MPI_Comm pcm;
    if (PCM_Init(&pcm) != PCM_SUCCESS) MPI_Abort(MPI_COMM_WORLD, 2);
    map = PCM_Get_world_map();
#endif
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    double *pp = calloc(reps, sizeof *pp), *ar = calloc(reps, sizeof *ar);
    double msg = 1, x = rank, y = 0;
    for (int r = 0; r < reps; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double t0 = now();
        for (int i = 0; i < calls; i++) {
            if (rank == 0) {
                MPI_Send(&msg, 1, MPI_DOUBLE, 1, 0, MPI_COMM_WORLD);
                MPI_Recv(&msg, 1, MPI_DOUBLE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            } else if (rank == 1) {
                MPI_Recv(&msg, 1, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                MPI_Send(&msg, 1, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD);
            }
        }
        pp[r] = (now() - t0) * 1e6 / calls;
        MPI_Barrier(MPI_COMM_WORLD);
        t0 = now();
        for (int i = 0; i < calls; i++) MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        ar[r] = (now() - t0) * 1e6 / calls;
    }
    qsort(pp, reps, sizeof *pp, cmp);
    qsort(ar, reps, sizeof *ar, cmp);
    if (rank == 0) printf("pmpi_bench: map %d pingpong_us %.4f allreduce_us %.4f\n", map, pp[reps / 2], ar[reps / 2]);
#ifndef NO_PCM
    PCM_Finalize(&pcm);
#endif
    MPI_Finalize();
    return 0;
}
