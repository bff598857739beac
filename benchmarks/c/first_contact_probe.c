/*
 * first_contact_probe.c - the first contact with a spawned process, step by step, as libpcm
 * makes it: rank 1 spawns one process on host argv[1] over MPI_COMM_SELF, sends it a first
 * message, merges with it, then every rank builds the new world (MPI_Intercomm_create over
 * the world with the pair as the bridge, merge, barrier); each process prints each step's
 * time. With a third argument, the spawned process alone gets mpi_event_tick_rate 100 (us).
 * Run: mpirun -np 2 over three namespace hosts (one slot on the first two), host 3 as
 * argv[1]; see results/pcm-migration-hosts-runs/README.md.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static double T0;
static void step(const char *who, const char *what, double t) { printf("%s %-28s %7.2f ms\n", who, what, (MPI_Wtime() - t) * 1e3); fflush(stdout); }
int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm parent; MPI_Comm_get_parent(&parent);
    double t;
    if (parent == MPI_COMM_NULL) {
        int rank; MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        char who[16]; snprintf(who, sizeof who, "rank%d", rank);
        MPI_Comm inter = MPI_COMM_NULL, pair = MPI_COMM_NULL, inter2, big;
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 1) {
            MPI_Info info; MPI_Info_create(&info); MPI_Info_set(info, "host", argv[1]); if (argc > 2) MPI_Info_set(info, "env", "OMPI_MCA_mpi_event_tick_rate=100");
            t = MPI_Wtime(); MPI_Comm_spawn(argv[0], MPI_ARGV_NULL, 1, info, 0, MPI_COMM_SELF, &inter, MPI_ERRCODES_IGNORE); step(who, "spawn", t);
            int x = 1; t = MPI_Wtime(); MPI_Send(&x, 1, MPI_INT, 0, 1, inter); step(who, "first send to child", t);
            t = MPI_Wtime(); MPI_Intercomm_merge(inter, 0, &pair); step(who, "pair merge", t);
        }
        MPI_Barrier(MPI_COMM_WORLD);
        t = MPI_Wtime(); MPI_Intercomm_create(MPI_COMM_WORLD, 1, rank == 1 ? pair : MPI_COMM_WORLD, 1, 5, &inter2); step(who, "intercomm_create", t);
        t = MPI_Wtime(); MPI_Intercomm_merge(inter2, 0, &big); step(who, "merge", t);
        t = MPI_Wtime(); MPI_Barrier(big); step(who, "barrier big", t);
        MPI_Comm_free(&big); MPI_Comm_free(&inter2);
        if (rank == 1) { MPI_Comm_free(&pair); MPI_Comm_disconnect(&inter); }
    } else {
        const char *who = "child";
        int x; MPI_Comm pair, inter2, big;
        t = MPI_Wtime(); MPI_Recv(&x, 1, MPI_INT, 0, 1, parent, MPI_STATUS_IGNORE); step(who, "first recv", t);
        t = MPI_Wtime(); MPI_Intercomm_merge(parent, 1, &pair); step(who, "pair merge", t);
        t = MPI_Wtime(); MPI_Intercomm_create(MPI_COMM_SELF, 0, pair, 0, 5, &inter2); step(who, "intercomm_create", t);
        t = MPI_Wtime(); MPI_Intercomm_merge(inter2, 1, &big); step(who, "merge", t);
        t = MPI_Wtime(); MPI_Barrier(big); step(who, "barrier big", t);
        MPI_Comm_free(&big); MPI_Comm_free(&inter2); MPI_Comm_free(&pair); MPI_Comm_disconnect(&parent);
    }
    MPI_Finalize();
    return 0;
}
