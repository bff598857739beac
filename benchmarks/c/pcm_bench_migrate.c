/*
 * pcm_bench_migrate.c - the program whose rank 1 the migration benchmark moves back and forth.
 *
 *   mpirun -np 2 pcm_bench_migrate -s MB -n MIGRATIONS [-m MAX_ITERS] [-u ITER_US]
 *
 * Instrumented with PCM exactly like a user program. Rank 1 holds MB MiB of state (a
 * pattern of 64-bit words); every rank runs iterations of about ITER_US microseconds
 * (a sleep, default 1000) that start with PCM_Status. The agent (the Java driver,
 * io.roam.heat.bench.MigrationBenchmark) orders rank 1 to move; its replacement
 * PCM_Loads the state into a freshly malloc'd, never touched buffer (the page faults of
 * that memory are part of the measured transfer, as they would be for a real program),
 * then checks the pattern outside the timed part: a wrong byte prints a line starting
 * "pcm_bench_migrate: FAILED" and aborts the job.
 *
 * The job ends once MIGRATIONS moves are done, or after MAX_ITERS iterations (a safety
 * net, default 600000), whichever comes first. Every rank takes that decision from
 * numbers that are equal on every rank at the same iteration (the move count and the
 * iteration, itself part of the moved state), so all ranks leave the loop together.
 * Rank 0 prints "pcm_bench_migrate: done moves M iterations I", and for every move the
 * pause it saw: "pcm_bench_migrate: pause move M ns N", from the start of the PCM_Status
 * that announced the move to the start of its next iteration (what the application loses
 * on the ranks that stay).
 */
#include <mpi.h>
#include <pcm.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PATTERN_SEED 0x5ca1ab1e0ddba11ull

typedef struct {
    long mb, migrations, max_iters, iter_us;
} options;

static int parse(int argc, char **argv, options *o) {
    *o = (options){.mb = 64, .migrations = 7, .max_iters = 600000, .iter_us = 1000};
    int c;
    while ((c = getopt(argc, argv, "s:n:m:u:")) != -1) {
        switch (c) {
        case 's': o->mb = atol(optarg); break;
        case 'n': o->migrations = atol(optarg); break;
        case 'm': o->max_iters = atol(optarg); break;
        case 'u': o->iter_us = atol(optarg); break;
        default: return -1;
        }
    }
    /* PCM counts elements in an int: at most 2047 MiB of MPI_BYTE. */
    return (o->mb < 1 || o->mb > 2047 || o->migrations < 0 || o->max_iters < 1 || o->iter_us < 0) ? -1 : 0;
}

static uint64_t word(size_t i) {
    return (i * 0x9e3779b97f4a7c15ull) ^ PATTERN_SEED;
}

static void fill(uint64_t *w, size_t n) {
    for (size_t i = 0; i < n; i++) w[i] = word(i);
}

/* Index of the first wrong word, or n if the whole buffer holds the pattern. */
static size_t check(const uint64_t *w, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (w[i] != word(i)) return i;
    return n;
}

static void pause_us(long us) {
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void must(int rc, const char *what) {
    if (rc < 0) {
        fprintf(stderr, "pcm_bench_migrate: FAILED: %s: %s\n", what, PCM_Error_string(rc));
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    options o;
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: %s -s MB -n MIGRATIONS [-m MAX_ITERS] [-u ITER_US]\n", argv[0]);
        MPI_Finalize();
        return 2;
    }
    MPI_Comm world;
    must(PCM_Init(&world), "PCM_Init");
    int rank, size;
    MPI_Comm_rank(world, &rank);
    MPI_Comm_size(world, &size);
    if (size != 2) {
        if (rank == 0) fprintf(stderr, "pcm_bench_migrate: FAILED: needs exactly 2 ranks, got %d\n", size);
        MPI_Abort(world, 2);
    }

    size_t bytes = (size_t)o.mb << 20, words = bytes / sizeof(uint64_t);
    uint64_t *state = NULL;
    long long it = 0;        /* the iteration, equal on both ranks; moves with rank 1 */
    long moves = 0;          /* completed migrations, equal on both ranks */
    if (rank == 1) {
        state = malloc(bytes);   /* a replacement receives into this fresh memory */
        if (!state) {
            fprintf(stderr, "pcm_bench_migrate: FAILED: cannot allocate %ld MiB\n", o.mb);
            MPI_Abort(world, 3);
        }
        if (PCM_Process_Status() == PCM_STARTED_RESTORED) {
            /* Load in the order of the PCM_Store calls: the state arrives straight in `state`. */
            must(PCM_Load("iteration", &it, MPI_LONG_LONG, 1), "PCM_Load(iteration)");
            must(PCM_Load("state", state, MPI_BYTE, (int)bytes), "PCM_Load(state)");
            moves = PCM_Moves();
            size_t bad = check(state, words);   /* after MIGRATION_DONE: not timed */
            if (bad != words) {
                fprintf(stderr, "pcm_bench_migrate: FAILED: state pattern wrong after move %ld at byte %zu "
                        "(got %016llx, want %016llx)\n", moves, bad * sizeof(uint64_t),
                        (unsigned long long)state[bad], (unsigned long long)word(bad));
                MPI_Abort(world, 4);
            }
        } else {
            fill(state, words);
        }
        must(PCM_Store("iteration", &it, MPI_LONG_LONG, 1), "PCM_Store(iteration)");
        must(PCM_Store("state", state, MPI_BYTE, (int)bytes), "PCM_Store(state)");
    }

    while (moves < o.migrations && it < o.max_iters) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int s = PCM_Status(world);
        if (s == PCM_MIGRATE || s == PCM_RECONFIGURE) {
            int rc = PCM_Reconfigure(&world);   /* a migrating rank 1 never returns */
            if (rc == PCM_SUCCESS) {
                moves++;
                clock_gettime(CLOCK_MONOTONIC, &t1);
                if (rank == 0)
                    printf("pcm_bench_migrate: pause move %ld ns %lld\n", moves,
                           (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
            } else if (rank == 0) {
                fprintf(stderr, "pcm_bench_migrate: migration failed at iteration %lld: %s\n", it,
                        PCM_Error_string(rc));
            }
        } else {
            must(s, "PCM_Status");
        }
        pause_us(o.iter_us);
        it++;
    }

    if (rank == 0) printf("pcm_bench_migrate: done moves %ld iterations %lld\n", moves, it);
    must(PCM_Finalize(&world), "PCM_Finalize");
    free(state);
    MPI_Finalize();
    return 0;
}
