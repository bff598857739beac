/*
 * spawn_floor.c - the floor of a migration's merge + split with a new process in it, under the
 * same CPU noise, without PCM: Open MPI's own cost of what libpcm's move makes (pcm_migrate.c),
 * with no state, no metadata and no agent.
 *
 *   mpirun -np N ... spawn_floor -n REPS -H host1,host2,... [-p PAUSE_MS] [-S]
 *
 * Each repetition, after a barrier and PAUSE_MS of sleep, rank m = REP % N (the "departing"
 * rank) spawns one process of this program over MPI_COMM_SELF onto the next host of -H
 * (round robin), while the others wait for its outcome (MPI_Bcast); with -S each of them then
 * makes the round trip to mpirun that libpcm makes there (pcm_daemon_sync, pcm_util.c: an
 * MPI_Lookup_name that nobody answers); then, as libpcm does: MPI_Intercomm_merge of the
 * spawn's intercommunicator (the pair), MPI_Intercomm_create between the world and the new
 * process through the pair, MPI_Intercomm_merge, MPI_Comm_split without rank m (the new
 * world). Rank 0 prints "spawn ns S merge ns M" for each: S the spawn on rank m, M from the
 * spawn's return on rank m to the last process's end of the split (CLOCK_REALTIME: the
 * namespace hosts share one clock), as libpcm's merge + split is timed. The new process then
 * leaves (MPI_Comm_disconnect from m, MPI_Finalize), as the departing process does in a move.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TAG_IC 4711

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The world (or the new process through the pair) builds the new world; returns the end time. */
static long long build(MPI_Comm world, int m, MPI_Comm pair, int child, MPI_Comm *big) {
    MPI_Comm inter2, nw;
    int me = -1;
    if (child) {
        MPI_Intercomm_create(MPI_COMM_SELF, 0, pair, 0, TAG_IC, &inter2);
    } else {
        MPI_Comm_rank(world, &me);
        MPI_Intercomm_create(world, m, me == m ? pair : world, 1, TAG_IC, &inter2);
    }
    MPI_Intercomm_merge(inter2, child ? 1 : 0, big);
    MPI_Comm_split(*big, me == m ? MPI_UNDEFINED : 0, child ? m : me, &nw);
    long long end = now_ns();
    if (nw != MPI_COMM_NULL) MPI_Comm_free(&nw);
    MPI_Comm_free(&inter2);
    return end;
}

/* Gathers the repetition's largest end time and the spawn's times at rank 0 of `big` (the
 * world's rank 0: the merge puts the world's ranks first). */
static void report(MPI_Comm big, long long end, long long spawned, long long spawn_ns) {
    long long in[3] = {end, spawned, spawn_ns}, out[3] = {0, 0, 0};
    MPI_Reduce(in, out, 3, MPI_LONG_LONG, MPI_MAX, 0, big);
    int r;
    MPI_Comm_rank(big, &r);
    if (r == 0) printf("spawn ns %lld merge ns %lld\n", out[2], out[0] - out[1]);
}

int main(int argc, char **argv) {
    int reps = 60, pause_ms = 20, child = 0, sync = 0;
    char hosts[4096] = "";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--child")) child = 1;
        else if (!strcmp(argv[i], "-S")) sync = 1;
        else if (i + 1 < argc && !strcmp(argv[i], "-n")) reps = atoi(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "-p")) pause_ms = atoi(argv[++i]);
        else if (i + 1 < argc && !strcmp(argv[i], "-H")) snprintf(hosts, sizeof hosts, "%s", argv[++i]);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);   /* each repetition's line at once: a run that hangs is killed */
    MPI_Init(&argc, &argv);
    if (child) {
        MPI_Comm parent, pair, big;
        MPI_Comm_get_parent(&parent);
        int m = -1;
        MPI_Recv(&m, 1, MPI_INT, 0, 1, parent, MPI_STATUS_IGNORE);
        MPI_Intercomm_merge(parent, 1, &pair);
        long long end = build(MPI_COMM_NULL, m, pair, 1, &big);
        report(big, end, 0, 0);
        MPI_Comm_free(&big);
        MPI_Comm_free(&pair);
        MPI_Comm_disconnect(&parent);
        MPI_Finalize();
        return 0;
    }
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    char *host[64];
    int nh = 0;
    for (char *s = strtok(hosts, ","); s && nh < 64; s = strtok(NULL, ",")) host[nh++] = s;
    if (size < 2 || reps < 1 || pause_ms < 0 || nh < 1) {
        if (rank == 0) fprintf(stderr, "spawn_floor: needs 2 ranks or more, -n >= 1, -p >= 0, -H host,...\n");
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
    char *args[] = {"--child", NULL};
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);   /* the lookup's "not found" */
    for (int r = 0; r < reps; r++) {
        int m = r % size;
        MPI_Barrier(MPI_COMM_WORLD);
        if (pause_ms) usleep((useconds_t)pause_ms * 1000);
        MPI_Barrier(MPI_COMM_WORLD);
        MPI_Comm inter = MPI_COMM_NULL, pair = MPI_COMM_NULL, big;
        long long spawned = 0, spawn_ns = 0;
        if (rank == m) {
            MPI_Info info;
            MPI_Info_create(&info);
            MPI_Info_set(info, "host", host[r % nh]);
            long long t0 = now_ns();
            MPI_Comm_spawn(argv[0], args, 1, info, 0, MPI_COMM_SELF, &inter, MPI_ERRCODES_IGNORE);
            spawned = now_ns();
            spawn_ns = spawned - t0;
            MPI_Info_free(&info);
            MPI_Send(&m, 1, MPI_INT, 0, 1, inter);
            MPI_Intercomm_merge(inter, 0, &pair);
        }
        int ok = 1;
        MPI_Bcast(&ok, 1, MPI_INT, m, MPI_COMM_WORLD);
        if (sync && rank != m) {
            char port[MPI_MAX_PORT_NAME];
            MPI_Lookup_name("roam-spawn-floor-sync", MPI_INFO_NULL, port);
        }
        long long end = build(MPI_COMM_WORLD, m, pair, 0, &big);
        report(big, end, spawned, spawn_ns);
        MPI_Comm_free(&big);
        if (rank == m) {
            MPI_Comm_free(&pair);
            MPI_Comm_disconnect(&inter);
        }
    }
    fflush(stdout);
    MPI_Finalize();
    return 0;
}
