/*
 * comm_floor.c - the floor of a migration's merge + split under the same CPU noise, without
 * PCM and without a spawn: the communicator constructions a reconfiguration makes, among the
 * ranks of a running job that all wait for them (as they do in PCM_Reconfigure).
 *
 *   mpirun -np N ... comm_floor -n REPS [-p PAUSE_MS]
 *
 * Each repetition, after a barrier and PAUSE_MS of sleep: MPI_Comm_split of the world in two
 * (rank 0 alone, as the moving rank's side, and the others), MPI_Intercomm_create between the
 * two, MPI_Intercomm_merge, MPI_Comm_split of the merged communicator (the new world's order):
 * four constructions, as libpcm's merge + split makes (two merges, an intercommunicator, a
 * split). Rank 0 prints "floor ns N" for each: the largest of the ranks' times, from the
 * barrier's end to the last construction's end (gathered after the timing).
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    int reps = 100, pause_ms = 20;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-n")) reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "-p")) pause_ms = atoi(argv[i + 1]);
    }
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size < 2 || reps < 1 || pause_ms < 0) {
        if (rank == 0) fprintf(stderr, "comm_floor: needs 2 ranks or more, -n >= 1, -p >= 0\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    for (int r = 0; r < reps; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        if (pause_ms) usleep((useconds_t)pause_ms * 1000);
        MPI_Barrier(MPI_COMM_WORLD);
        long long t0 = now_ns();
        int side = rank == 0 ? 0 : 1;
        MPI_Comm local, inter, merged, world2;
        MPI_Comm_split(MPI_COMM_WORLD, side, rank, &local);
        MPI_Intercomm_create(local, 0, MPI_COMM_WORLD, side == 0 ? 1 : 0, 77, &inter);
        MPI_Intercomm_merge(inter, side, &merged);
        MPI_Comm_split(merged, 0, rank, &world2);
        long long mine = now_ns() - t0, most = 0;
        MPI_Reduce(&mine, &most, 1, MPI_LONG_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
        if (rank == 0) printf("floor ns %lld\n", most);
        MPI_Comm_free(&world2);
        MPI_Comm_free(&merged);
        MPI_Comm_free(&inter);
        MPI_Comm_free(&local);
    }
    fflush(stdout);
    MPI_Finalize();
    return 0;
}
