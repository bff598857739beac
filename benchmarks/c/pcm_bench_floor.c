/*
 * pcm_bench_floor.c - the floor of a move between two hosts, measured without PCM.
 *
 *   mpirun -np 2 ... pcm_bench_floor spawn -H HOST -n REPS [-p PAUSE_MS]
 *       rank 1 of a running job spawns a trivial program (this one, "child") on HOST over
 *       MPI_COMM_SELF, REPS times; prints "spawn ns N" for each (from the call to its return,
 *       the new process having finished MPI_Init), then disconnects from it.
 *   pcm_bench_floor tcp-recv -P PORT -s MB -n REPS
 *   pcm_bench_floor tcp-send -H ADDR -P PORT -s MB -n REPS
 *       a plain TCP stream of MB MiB, REPS times: the receiver reads into freshly mapped memory
 *       (advised to use huge pages, as libpcm's receive buffers are) and answers one byte once
 *       all arrived; the sender prints "tcp ns N" for each, from connect to that byte.
 *
 * No MPI is initialised in the tcp modes. Output lines are parsed by
 * io.roam.heat.bench.HostsBenchmark.
 */
#define _GNU_SOURCE
#include <mpi.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(1);
}

static int spawn_mode(int argc, char **argv, const char *host, long reps, long pause_ms) {
    char self[4096];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    if (len < 0) die("readlink /proc/self/exe");
    self[len] = 0;
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    for (long i = 0; i < reps; i++) {
        MPI_Barrier(MPI_COMM_WORLD);
        if (rank == 1) {
            MPI_Info info;
            MPI_Info_create(&info);
            MPI_Info_set(info, "host", (char *)host);
            char *child[] = {"child", NULL};
            MPI_Comm inter;
            int err = MPI_SUCCESS;
            long long t0 = now_ns();
            int rc = MPI_Comm_spawn(self, child, 1, info, 0, MPI_COMM_SELF, &inter, &err);
            long long t1 = now_ns();
            MPI_Info_free(&info);
            if (rc != MPI_SUCCESS || err != MPI_SUCCESS) {
                fprintf(stderr, "pcm_bench_floor: FAILED: MPI_Comm_spawn on %s\n", host);
                MPI_Abort(MPI_COMM_WORLD, 2);
            }
            printf("spawn ns %lld\n", t1 - t0);
            fflush(stdout);
            MPI_Comm_disconnect(&inter);
        }
        usleep((useconds_t)pause_ms * 1000);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    return 0;
}

static int child_mode(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm parent;
    MPI_Comm_get_parent(&parent);
    if (parent != MPI_COMM_NULL) MPI_Comm_disconnect(&parent);
    MPI_Finalize();
    return 0;
}

static int tcp_recv(int port, size_t bytes, long reps) {
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    if (ls < 0) die("socket");
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 4) < 0) die("bind/listen");
    printf("listening\n");
    fflush(stdout);
    for (long i = 0; i < reps; i++) {
        int s = accept(ls, NULL, NULL);
        if (s < 0) die("accept");
        unsigned char *buf = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (buf == MAP_FAILED) die("mmap");
        madvise(buf, bytes, MADV_HUGEPAGE);
        size_t got = 0;
        while (got < bytes) {
            ssize_t n = recv(s, buf + got, bytes - got, 0);
            if (n <= 0) die("recv");
            got += (size_t)n;
        }
        if (write(s, "k", 1) != 1) die("write");
        close(s);
        munmap(buf, bytes);
    }
    close(ls);
    return 0;
}

static int tcp_send(const char *addr, int port, size_t bytes, long reps) {
    unsigned char *buf = malloc(bytes);
    if (!buf) die("malloc");
    memset(buf, 0x5a, bytes);
    for (long i = 0; i < reps; i++) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) die("address");
        int s = -1;
        long long t0 = now_ns();
        for (int tries = 0; tries < 200; tries++) {   /* the receiver may still be starting */
            s = socket(AF_INET, SOCK_STREAM, 0);
            if (connect(s, (struct sockaddr *)&a, sizeof a) == 0) break;
            close(s);
            s = -1;
            usleep(10000);
            t0 = now_ns();
        }
        if (s < 0) die("connect");
        size_t sent = 0;
        while (sent < bytes) {
            ssize_t n = send(s, buf + sent, bytes - sent, 0);
            if (n <= 0) die("send");
            sent += (size_t)n;
        }
        char k;
        if (read(s, &k, 1) != 1) die("read ack");
        long long t1 = now_ns();
        printf("tcp ns %lld\n", t1 - t0);
        fflush(stdout);
        close(s);
        usleep(100000);
    }
    free(buf);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s spawn|child|tcp-recv|tcp-send [options]\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1], *host = "localhost";
    long reps = 5, mb = 16, pause_ms = 200;
    int port = 7399, c;
    if (strcmp(mode, "child") == 0) return child_mode(argc, argv);
    optind = 2;
    while ((c = getopt(argc, argv, "H:P:s:n:p:")) != -1) {
        switch (c) {
        case 'H': host = optarg; break;
        case 'P': port = atoi(optarg); break;
        case 's': mb = atol(optarg); break;
        case 'n': reps = atol(optarg); break;
        case 'p': pause_ms = atol(optarg); break;
        default: return 2;
        }
    }
    size_t bytes = (size_t)mb << 20;
    if (strcmp(mode, "spawn") == 0) return spawn_mode(argc, argv, host, reps, pause_ms);
    if (strcmp(mode, "tcp-recv") == 0) return tcp_recv(port, bytes, reps);
    if (strcmp(mode, "tcp-send") == 0) return tcp_send(host, port, bytes, reps);
    fprintf(stderr, "pcm_bench_floor: unknown mode %s\n", mode);
    return 2;
}
