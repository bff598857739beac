/*
 * transfer_fin.c - Open MPI's own state transfer and disconnect, without PCM: a process
 * spawns a child over MPI_COMM_SELF, sends it N messages of S bytes (MPI_Isend, MPI_Waitall)
 * and disconnects; with -R it first waits for the child's receipt (one int) as libpcm does
 * (pcm_transfer.c). The child receives (MPI_Irecv, then MPI_Waitall, or with -b MPI_Testall
 * every 200 us: MPI progress now and then, as an application between two MPI calls or a
 * process on a CPU-starved host makes it), sends the receipt with -R, and disconnects.
 * One line per repetition on stdout: "rep K ms T". benchmarks/transfer-fin.sh runs it.
 * Usage: mpirun -np 1 transfer_fin [-n N (4)] [-s S (1048576)] [-r REPS (20)] [-R] [-b]
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = 4, size = 1 << 20, reps = 20, receipt = 0, bursts = 0, opt;
    while ((opt = getopt(argc, argv, "n:s:r:Rb")) != -1) {
        if (opt == 'n') n = atoi(optarg);
        else if (opt == 's') size = atoi(optarg);
        else if (opt == 'r') reps = atoi(optarg);
        else if (opt == 'R') receipt = 1;
        else if (opt == 'b') bursts = 1;
        else { fprintf(stderr, "usage: transfer_fin [-n N] [-s S] [-r REPS] [-R] [-b]\n"); return 2; }
    }
    if (n < 1 || n > 1024 || size < 1 || reps < 1) { fprintf(stderr, "transfer_fin: bad -n, -s or -r\n"); return 2; }
    MPI_Init(&argc, &argv);
    MPI_Comm parent, inter;
    MPI_Comm_get_parent(&parent);
    char *buf = malloc((size_t)n * (size_t)size);
    MPI_Request *req = calloc((size_t)n, sizeof *req);
    if (!buf || !req) MPI_Abort(MPI_COMM_WORLD, 1);
    int one = 1;
    if (parent == MPI_COMM_NULL) {
        setvbuf(stdout, NULL, _IOLBF, 0);
        for (int r = 0; r < reps; r++) {
            double t0 = MPI_Wtime();
            memset(buf, r & 0xff, (size_t)n * (size_t)size);
            MPI_Comm_spawn(argv[0], argv + 1, 1, MPI_INFO_NULL, 0, MPI_COMM_SELF, &inter, MPI_ERRCODES_IGNORE);
            for (int i = 0; i < n; i++) MPI_Isend(buf + (size_t)i * size, size, MPI_BYTE, 0, 1, inter, &req[i]);
            MPI_Waitall(n, req, MPI_STATUSES_IGNORE);
            if (receipt) MPI_Recv(&one, 1, MPI_INT, 0, 2, inter, MPI_STATUS_IGNORE);
            MPI_Comm_disconnect(&inter);
            printf("rep %d ms %.1f\n", r, (MPI_Wtime() - t0) * 1e3);
        }
    } else {
        for (int i = 0; i < n; i++) MPI_Irecv(buf + (size_t)i * size, size, MPI_BYTE, 0, 1, parent, &req[i]);
        for (int done = 0; !done;) {
            if (!bursts) { MPI_Waitall(n, req, MPI_STATUSES_IGNORE); break; }
            MPI_Testall(n, req, &done, MPI_STATUSES_IGNORE);
            if (!done) usleep(200);
        }
        for (size_t i = 1; i < (size_t)n * (size_t)size; i++)
            if (buf[i] != buf[0]) { fprintf(stderr, "transfer_fin: byte %zu differs\n", i); MPI_Abort(parent, 3); }
        if (receipt) MPI_Send(&one, 1, MPI_INT, 0, 2, parent);
        MPI_Comm_disconnect(&parent);
    }
    free(buf);
    free(req);
    MPI_Finalize();
    return 0;
}
