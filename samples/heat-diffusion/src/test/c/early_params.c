/*
 * early_params - a program that sets itself up the way many MPI programs do: rank 0 reads
 * the parameters and broadcasts them, and every rank checks its set-up with a reduction,
 * all before the iterations begin. Run by EarlyCollectiveTest under mpirun, with heat's
 * options (-r ROWS -c COLS -i ITERATIONS -o FILE: the parameters, which only rank 0 reads)
 * and one of these modes first:
 *
 *   -m naive-bcast      every process, a replacement too, broadcasts the parameters on
 *                       MPI_COMM_WORLD: a replacement's MPI_Bcast is refused (pcm_early.c)
 *   -m naive-allreduce  every process checks its set-up with an MPI_Allreduce on the PCM world
 *   -m recipe           docs/instrumenting.md's recipe: a fresh start broadcasts and checks,
 *                       then stores the parameters with PCM_Store; a replacement loads them
 *                       and takes part in neither. Before its first PCM_Status the replacement
 *                       makes the calls that stay allowed (rank, size, attributes, name, error
 *                       handler, deriving a communicator) and prints "allowed-calls ok".
 *
 * Each iteration: PCM_Status, then a ring exchange on a communicator derived from
 * MPI_COMM_WORLD (derived again after PCM_Reconfigure, once at a replacement's start).
 * Rank 0 prints "result" with every rank's value in hexadecimal floating point (exact) and
 * writes the same line to FILE.
 */
#include <mpi.h>
#include <pcm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    int rows, cols, iterations;
    double coeff;
} params;

static void check(int rc, const char *what) {
    if (rc != PCM_SUCCESS) {
        fprintf(stderr, "early_params: %s: %s\n", what, PCM_Error_string(rc));
        MPI_Abort(MPI_COMM_WORLD, 2);
    }
}

/* What rank 0 reads (here: its command line; in real programs, often an input file). */
static void read_params(int argc, char **argv, params *p, const char **mode, const char **out) {
    int opt;
    optind = 1;
    while ((opt = getopt(argc, argv, "m:r:c:i:o:")) != -1) {
        if (opt == 'm') *mode = optarg;
        else if (opt == 'r') p->rows = atoi(optarg);
        else if (opt == 'c') p->cols = atoi(optarg);
        else if (opt == 'i') p->iterations = atoi(optarg);
        else if (opt == 'o') *out = optarg;
    }
    p->coeff = 1.0 / (double)(p->rows + p->cols);
}

static int allowed_calls(MPI_Comm pcm, int size) {
    int ok = 1, r = -1, s = -1, flag = 0, len = 0, res = -1;
    int *ub = NULL;
    char name[MPI_MAX_OBJECT_NAME] = "";
    MPI_Errhandler eh;
    ok &= MPI_Comm_rank(MPI_COMM_WORLD, &r) == MPI_SUCCESS && MPI_Comm_size(MPI_COMM_WORLD, &s) == MPI_SUCCESS;
    ok &= s == size;
    ok &= MPI_Comm_rank(pcm, &r) == MPI_SUCCESS && MPI_Comm_size(pcm, &s) == MPI_SUCCESS && s == size;
    ok &= MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &ub, &flag) == MPI_SUCCESS && flag && *ub > 0;
    ok &= MPI_Comm_get_name(MPI_COMM_WORLD, name, &len) == MPI_SUCCESS && strcmp(name, "MPI_COMM_WORLD") == 0;
    ok &= MPI_Comm_get_errhandler(MPI_COMM_WORLD, &eh) == MPI_SUCCESS;
    MPI_Errhandler_free(&eh);
    ok &= MPI_Comm_compare(MPI_COMM_WORLD, pcm, &res) == MPI_SUCCESS && res == MPI_CONGRUENT;
    return ok;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm pcm;
    check(PCM_Init(&pcm), "PCM_Init");
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    const char *mode = "recipe", *out = NULL;
    params p = {0};
    params mine = {0};
    read_params(argc, argv, &mine, &mode, &out);   /* only rank 0's values count */
    if (rank == 0) p = mine;
    int restored = PCM_Process_Status() == PCM_STARTED_RESTORED;
    int it = 0;
    double acc = rank + 1.0;

    if (strcmp(mode, "naive-bcast") == 0) {
        MPI_Bcast(&p, (int)sizeof p, MPI_BYTE, 0, MPI_COMM_WORLD);
    } else if (strcmp(mode, "naive-allreduce") == 0) {
        p = mine;
        int ok = p.iterations > 0, all = 0;
        MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, pcm);
        if (!all) MPI_Abort(MPI_COMM_WORLD, 3);
    } else if (strcmp(mode, "recipe") != 0) {
        fprintf(stderr, "early_params: unknown mode %s\n", mode);
        MPI_Abort(MPI_COMM_WORLD, 2);
    } else if (!restored) {
        MPI_Bcast(&p, (int)sizeof p, MPI_BYTE, 0, MPI_COMM_WORLD);   /* a fresh start: all ranks are here */
        int ok = p.iterations > 0, all = 0;
        MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        if (!all) MPI_Abort(MPI_COMM_WORLD, 3);
    } else {
        /* a replacement: what the start computed comes with the state, not from a collective */
        check(PCM_Load("params", &p, MPI_BYTE, (int)sizeof p), "PCM_Load params");
        check(PCM_Load("iteration", &it, MPI_INT, 1), "PCM_Load iteration");
        check(PCM_Load("acc", &acc, MPI_DOUBLE, 1), "PCM_Load acc");
        int ok = allowed_calls(pcm, size);
        printf("allowed-calls %s rank %d restored at iteration %d\n", ok ? "ok" : "FAILED", rank, it);
        fflush(stdout);
    }
    if (restored && strcmp(mode, "recipe") != 0) {   /* only reached if the rule did not stop it */
        printf("early-call not refused rank %d\n", rank);
        fflush(stdout);
    }
    check(PCM_Store("params", &p, MPI_BYTE, (int)sizeof p), "PCM_Store params");

    MPI_Comm ring;
    MPI_Comm_dup(MPI_COMM_WORLD, &ring);   /* derived at the start: matches the others' re-derivation */
    int left = (rank + size - 1) % size, right = (rank + 1) % size;
    for (; it < p.iterations; it++) {
        int s = PCM_Status(pcm);
        if (s == PCM_MIGRATE) {
            check(PCM_Store("iteration", &it, MPI_INT, 1), "PCM_Store iteration");
            check(PCM_Store("acc", &acc, MPI_DOUBLE, 1), "PCM_Store acc");
        }
        if (s == PCM_MIGRATE || s == PCM_RECONFIGURE) {
            check(PCM_Reconfigure(&pcm), "PCM_Reconfigure");   /* the moving rank ends here */
            MPI_Comm_free(&ring);
            MPI_Comm_dup(MPI_COMM_WORLD, &ring);
        } else if (s != PCM_CONTINUE) {
            check(s, "PCM_Status");
        }
        double from_left = 0, from_right = 0;
        MPI_Sendrecv(&acc, 1, MPI_DOUBLE, right, 1, &from_left, 1, MPI_DOUBLE, left, 1, ring, MPI_STATUS_IGNORE);
        MPI_Sendrecv(&acc, 1, MPI_DOUBLE, left, 2, &from_right, 1, MPI_DOUBLE, right, 2, ring, MPI_STATUS_IGNORE);
        acc += 0.125 * (from_left - 2.0 * acc + from_right) + p.coeff * (rank + 1);   /* history matters */
        usleep(5000);
    }
    double *all = rank == 0 ? calloc((size_t)size, sizeof *all) : NULL;
    MPI_Gather(&acc, 1, MPI_DOUBLE, all, 1, MPI_DOUBLE, 0, ring);
    if (rank == 0) {
        char line[4096];
        int n = snprintf(line, sizeof line, "result");
        for (int r = 0; r < size && n < (int)sizeof line - 32; r++) n += snprintf(line + n, sizeof line - (size_t)n, " %a", all[r]);
        printf("%s\n", line);
        fflush(stdout);
        if (out) {
            FILE *f = fopen(out, "w");
            if (f) {
                fprintf(f, "%s\n", line);
                fclose(f);
            }
        }
        free(all);
    }
    MPI_Comm_free(&ring);
    check(PCM_Finalize(&pcm), "PCM_Finalize");
    MPI_Finalize();
    return 0;
}
