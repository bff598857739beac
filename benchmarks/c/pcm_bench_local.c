/*
 * pcm_bench_local.c - the baselines of the migration benchmark on one machine, no MPI.
 *
 *   pcm_bench_local memcpy -s MB -n REPS
 *       Copies MB MiB from a touched buffer into fresh memory (a new anonymous mapping,
 *       never touched: every page faults in during the copy, as when a migrated state
 *       lands in a new process), and into memory already touched. One line per repetition:
 *         memcpy mb=64 fresh_ns=... warm_ns=...
 *
 *   pcm_bench_local ckpt -s MB -n REPS [-d DIR]
 *       The file-based migration a checkpointing tool performs: write the state to a new
 *       file in DIR (default /dev/shm, tmpfs: no disk in the measure), start a NEW
 *       process (posix_spawn of this program), which reads the file into fresh memory.
 *       The timed part ends when the read is complete; the child then checks the
 *       pattern (not timed) and the file is removed. One line per repetition:
 *         ckpt mb=64 write_ns=... start_ns=... read_ns=... total_ns=...
 *       start_ns runs from the end of the write to the child's main().
 *
 * Any failure prints a line starting "pcm_bench_local: FAILED" and exits with status 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PATTERN_SEED 0x5ca1ab1e0ddba11ull

extern char **environ;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);   /* comparable between parent and child */
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void fail(const char *what) {
    fprintf(stderr, "pcm_bench_local: FAILED: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
    exit(1);
}

static uint64_t word(size_t i) {
    return (i * 0x9e3779b97f4a7c15ull) ^ PATTERN_SEED;
}

static uint64_t *patterned(size_t bytes) {
    uint64_t *w = malloc(bytes);
    if (!w) fail("malloc");
    for (size_t i = 0; i < bytes / sizeof *w; i++) w[i] = word(i);
    return w;
}

static void bench_memcpy(size_t bytes, int reps, long mb) {
    uint64_t *src = patterned(bytes);
    unsigned char *warm = malloc(bytes);
    if (!warm) fail("malloc");
    memset(warm, 1, bytes);
    for (int r = 0; r < reps; r++) {
        /* A new mapping, never touched: what malloc gives for a large buffer in a new
         * process (mmap directly, as glibc would reuse freed memory for smaller sizes). */
        unsigned char *fresh = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (fresh == MAP_FAILED) fail("mmap");
        uint64_t t0 = now_ns();
        memcpy(fresh, src, bytes);
        uint64_t t1 = now_ns();
        memcpy(warm, src, bytes);
        uint64_t t2 = now_ns();
        if (memcmp(fresh, warm, bytes) != 0) {
            errno = 0;
            fail("copies differ");
        }
        munmap(fresh, bytes);
        printf("memcpy mb=%ld fresh_ns=%llu warm_ns=%llu\n", mb, (unsigned long long)(t1 - t0),
               (unsigned long long)(t2 - t1));
    }
    free(warm);
    free(src);
}

static void write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) fail("write");
        c += k;
        n -= (size_t)k;
    }
}

/* The NEW process: read FILE into fresh memory, report times on stdout, check the pattern. */
static int restore(const char *path, size_t bytes) {
    uint64_t t_start = now_ns();
    uint64_t *w = malloc(bytes);
    if (!w) fail("malloc");
    int fd = open(path, O_RDONLY);
    if (fd < 0) fail("open for reading");
    size_t got = 0;
    while (got < bytes) {
        ssize_t k = read(fd, (char *)w + got, bytes - got);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) fail("short read");
        got += (size_t)k;
    }
    close(fd);
    uint64_t t_read = now_ns();
    for (size_t i = 0; i < bytes / sizeof *w; i++)
        if (w[i] != word(i)) {
            errno = 0;
            fail("pattern wrong after reading the checkpoint");
        }
    printf("%llu %llu\n", (unsigned long long)t_start, (unsigned long long)t_read);
    free(w);
    return 0;
}

static void bench_ckpt(size_t bytes, int reps, long mb, const char *dir) {
    uint64_t *state = patterned(bytes);
    char path[4096], size_arg[32];
    snprintf(path, sizeof path, "%s/pcm-bench-ckpt-%d.bin", dir, (int)getpid());
    snprintf(size_arg, sizeof size_arg, "%zu", bytes);
    for (int r = 0; r < reps; r++) {
        int out[2];
        if (pipe(out) != 0) fail("pipe");
        uint64_t t0 = now_ns();
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) fail("open for writing");
        write_all(fd, state, bytes);
        if (close(fd) != 0) fail("close");
        uint64_t t_written = now_ns();

        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        posix_spawn_file_actions_addclose(&fa, out[0]);
        char *args[] = {"pcm_bench_local", "restore", path, size_arg, NULL};
        pid_t pid;
        if ((errno = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, args, environ)) != 0) fail("posix_spawn");
        posix_spawn_file_actions_destroy(&fa);
        close(out[1]);
        char line[128] = {0};
        ssize_t n = 0, k;
        while ((k = read(out[0], line + n, sizeof line - 1 - (size_t)n)) > 0) n += k;
        close(out[0]);
        int status;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            errno = 0;
            fail("the restoring process failed");
        }
        unsigned long long t_start, t_read;
        if (sscanf(line, "%llu %llu", &t_start, &t_read) != 2) {
            errno = 0;
            fail("no times from the restoring process");
        }
        unlink(path);
        printf("ckpt mb=%ld write_ns=%llu start_ns=%llu read_ns=%llu total_ns=%llu\n", mb,
               (unsigned long long)(t_written - t0), t_start - t_written, t_read - t_start, t_read - t0);
        fflush(stdout);
    }
    free(state);
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "restore") == 0) return restore(argv[2], (size_t)strtoull(argv[3], NULL, 10));
    if (argc < 2) goto usage;
    const char *mode = argv[1], *dir = "/dev/shm";
    long mb = 64;
    int reps = 5, c;
    optind = 2;
    while ((c = getopt(argc, argv, "s:n:d:")) != -1) {
        switch (c) {
        case 's': mb = atol(optarg); break;
        case 'n': reps = atoi(optarg); break;
        case 'd': dir = optarg; break;
        default: goto usage;
        }
    }
    if (mb < 1 || reps < 1) goto usage;
    size_t bytes = (size_t)mb << 20;
    if (strcmp(mode, "memcpy") == 0) bench_memcpy(bytes, reps, mb);
    else if (strcmp(mode, "ckpt") == 0) bench_ckpt(bytes, reps, mb, dir);
    else goto usage;
    return 0;
usage:
    fprintf(stderr, "usage: %s memcpy|ckpt -s MB -n REPS [-d DIR]\n", argv[0]);
    return 2;
}
