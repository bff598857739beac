/*
 * pcm_prof.c - libpcm's MPI wrappers (the MPI profiling interface, PMPI): application
 * profiling (time spent inside MPI, messages and bytes sent to each peer of the PCM
 * world), the mapping of MPI_COMM_WORLD to the PCM world (pcm_map.c) and the rule of a
 * replacement's start (pcm_early.c).
 *
 * One wrapper per MPI function. The wrappers of every function that takes a
 * communicator are generated from pcm_map.list by gen/pcm_map_gen.awk into
 * pcm_map_wrappers.inc, included at the end of this file: each maps its communicator
 * arguments, and those the profile needs also count (count_send) and time (TIMED). The
 * few profiled functions without a communicator (MPI_Wait*) are written here.
 * The profiling costs two clock reads and a few additions; before PCM_Init (and after
 * PCM_Finalize) the wrappers only forward.
 *
 * Thread-safe (MPI_THREAD_MULTIPLE, as the JNI binding runs): the nesting depth is per
 * thread and the counters are added atomically. With several threads inside MPI at once,
 * mpi_ns adds up each thread's time in MPI.
 */
#include "pcm_internal.h"
#include <stdlib.h>
#include <string.h>

static struct {
    int on;
    int n;
    uint64_t *msgs;
    uint64_t *bytes;
    uint64_t mpi_ns;
} P;

/* Nesting depth of this thread's MPI calls (a wrapper that calls another is timed once). */
static __thread int depth;

static inline void add(uint64_t *x, uint64_t v) { __atomic_fetch_add(x, v, __ATOMIC_RELAXED); }
static inline uint64_t get(const uint64_t *x) { return __atomic_load_n(x, __ATOMIC_RELAXED); }

void pcm_prof_start(int world_size) {
    free(P.msgs);
    free(P.bytes);
    memset(&P, 0, sizeof P);
    P.msgs = calloc((size_t)world_size, sizeof *P.msgs);
    P.bytes = calloc((size_t)world_size, sizeof *P.bytes);
    if (!P.msgs || !P.bytes) return;
    P.n = world_size;
    P.on = 1;
}

void pcm_prof_stop(void) { P.on = 0; }

uint64_t pcm_prof_mpi_ns(void) { return get(&P.mpi_ns); }

int pcm_prof_peers(int *ranks, uint64_t *msgs, uint64_t *bytes, int max) {
    int k = 0;
    for (int i = 0; i < P.n && k < max; i++) {
        uint64_t m = get(&P.msgs[i]);
        if (!m) continue;
        ranks[k] = i;
        msgs[k] = m;
        bytes[k] = get(&P.bytes[i]);
        k++;
    }
    return k;
}

int PCM_Get_profile(PCM_Profile *out) {
    if (!pcm_g.initialized) return PCM_ERR_NOT_INITIALIZED;
    if (!out) return PCM_ERR_ARG;
    uint64_t elapsed = pcm_now_mono_ns() - pcm_g.t_init_mono;
    memset(out, 0, sizeof *out);
    out->iterations = pcm_g.iteration;
    uint64_t mpi = get(&P.mpi_ns);
    out->mpi_ns = mpi;
    out->compute_ns = elapsed > mpi ? elapsed - mpi : 0;
    for (int i = 0; i < P.n; i++) {
        out->messages_sent += get(&P.msgs[i]);
        out->bytes_sent += get(&P.bytes[i]);
    }
    return PCM_SUCCESS;
}

int PCM_Get_peer_traffic(int peer, unsigned long long *messages, unsigned long long *bytes) {
    if (!pcm_g.initialized) return PCM_ERR_NOT_INITIALIZED;
    if (peer < 0 || peer >= P.n || !messages || !bytes) return PCM_ERR_ARG;
    *messages = get(&P.msgs[peer]);
    *bytes = get(&P.bytes[peer]);
    return PCM_SUCCESS;
}

/* The PCM world rank of rank r of comm, or -1. */
static int world_rank_of(MPI_Comm comm, int r) {
    if (r < 0) return -1;                        /* MPI_PROC_NULL, MPI_ANY_SOURCE */
    if (comm == pcm_g.world) return r;
    if (comm == MPI_COMM_WORLD) {
        /* unmapped: in a process mpirun started its ranks are the PCM world's */
        if (!pcm_g.restored) return r;
    } else if (comm == pcm_map_world) {
        return r;                                /* the PCM world's duplicate: the same ranks */
    }
    int inter = 0;
    PMPI_Comm_test_inter(comm, &inter);
    if (inter) return -1;
    MPI_Group g, wg;
    int out = MPI_UNDEFINED;
    if (PMPI_Comm_group(comm, &g) != MPI_SUCCESS) return -1;
    if (PMPI_Comm_group(pcm_g.world, &wg) == MPI_SUCCESS) {
        PMPI_Group_translate_ranks(g, 1, &r, wg, &out);
        PMPI_Group_free(&wg);
    }
    PMPI_Group_free(&g);
    return out == MPI_UNDEFINED ? -1 : out;
}

static inline uint64_t enter(void) {
    return (P.on && depth++ == 0) ? pcm_now_mono_ns() : 0;
}

static inline void leave(uint64_t t0) {
    if (P.on && --depth == 0 && t0) add(&P.mpi_ns, pcm_now_mono_ns() - t0);
}

static void count_send(MPI_Comm comm, int dest, int count, MPI_Datatype type) {
    if (!P.on || pcm_g.world == MPI_COMM_NULL) return;
    int w = world_rank_of(comm, dest);
    if (w < 0 || w >= P.n) return;
    int size = 0;
    PMPI_Type_size(type, &size);
    add(&P.msgs[w], 1);
    add(&P.bytes[w], (uint64_t)count * (uint64_t)size);
}

#define TIMED(call)                  \
    do {                             \
        uint64_t t0_ = enter();      \
        int rc_ = (call);            \
        leave(t0_);                  \
        return rc_;                  \
    } while (0)

/* The rule of a replacement's start (pcm_early.c): one relaxed load unless armed. */
#define PCM_EARLY(call, comm)                                                   \
    do {                                                                        \
        if (__builtin_expect(__atomic_load_n(&pcm_early_guard, __ATOMIC_RELAXED), 0)) { \
            int e_ = pcm_early_refuse(call, comm);                              \
            if (e_ != MPI_SUCCESS) return e_;                                   \
        }                                                                       \
    } while (0)

PCM_API int MPI_Wait(MPI_Request *req, MPI_Status *status) { TIMED(PMPI_Wait(req, status)); }

PCM_API int MPI_Waitall(int n, MPI_Request reqs[], MPI_Status statuses[]) {
    TIMED(PMPI_Waitall(n, reqs, statuses));
}

PCM_API int MPI_Waitany(int n, MPI_Request reqs[], int *index, MPI_Status *status) {
    TIMED(PMPI_Waitany(n, reqs, index, status));
}

PCM_API int MPI_Waitsome(int n, MPI_Request reqs[], int *outcount, int indices[], MPI_Status statuses[]) {
    TIMED(PMPI_Waitsome(n, reqs, outcount, indices, statuses));
}

/* Every function with a communicator argument (generated: see the Makefile). */
#include "pcm_map_wrappers.inc"
