/*
 * cc_probe.c - how long a barrier, MPI_Comm_dup, MPI_Comm_split and (i)allreduce take, medians
 * over N repetitions (argument 1, default 30), printed by rank 0. Used to find the "4 ms
 * steps" of communicator construction across namespace hosts (results/pcm-migration-hosts-runs/
 * README.md): build with `mpicc -O2 -o cc_probe cc_probe.c` and run it over three namespace
 * hosts with and without `--mca mpi_yield_when_idle 1`.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
static int cmp(const void *a, const void *b) { double x = *(double *)a, y = *(double *)b; return x < y ? -1 : x > y; }
static void report(const char *what, double *t, int n, int rank) {
    if (rank) return;
    qsort(t, n, sizeof *t, cmp);
    printf("%-20s median %8.3f ms  min %8.3f  max %8.3f\n", what, t[n / 2] * 1e3, t[0] * 1e3, t[n - 1] * 1e3);
}
int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, n = argc > 1 ? atoi(argv[1]) : 30;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    double t[1000];
    for (int i = 0; i < n; i++) { MPI_Barrier(MPI_COMM_WORLD); double t0 = MPI_Wtime(); MPI_Barrier(MPI_COMM_WORLD); t[i] = MPI_Wtime() - t0; }
    report("barrier", t, n, rank);
    for (int i = 0; i < n; i++) { MPI_Comm c; MPI_Barrier(MPI_COMM_WORLD); double t0 = MPI_Wtime(); MPI_Comm_dup(MPI_COMM_WORLD, &c); t[i] = MPI_Wtime() - t0; MPI_Comm_free(&c); }
    report("dup", t, n, rank);
    for (int i = 0; i < n; i++) { MPI_Comm c; MPI_Barrier(MPI_COMM_WORLD); double t0 = MPI_Wtime(); MPI_Comm_split(MPI_COMM_WORLD, 0, rank, &c); t[i] = MPI_Wtime() - t0; MPI_Comm_free(&c); }
    report("split", t, n, rank);
    for (int i = 0; i < n; i++) { int x = rank, y; MPI_Barrier(MPI_COMM_WORLD); double t0 = MPI_Wtime(); MPI_Allreduce(&x, &y, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD); t[i] = MPI_Wtime() - t0; }
    report("allreduce", t, n, rank);
    for (int i = 0; i < n; i++) { int x = rank, y; MPI_Request r; MPI_Barrier(MPI_COMM_WORLD); double t0 = MPI_Wtime(); MPI_Iallreduce(&x, &y, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &r); MPI_Wait(&r, MPI_STATUS_IGNORE); t[i] = MPI_Wtime() - t0; }
    report("iallreduce", t, n, rank);
    MPI_Finalize();
    return 0;
}
