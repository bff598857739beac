/*
 * pcm_early.c - the rule of a replacement's start.
 *
 * A replacement runs main from the start while the other ranks of its job are already
 * past PCM_Reconfigure, at the iteration its predecessor left. Between PCM_Init and its
 * first PCM_Status it must therefore not communicate on the world: a collective there (a
 * parameter broadcast, an error-check reduction) is one the other ranks entered long ago
 * and will never enter again, and a message there is matched against the wrong iteration.
 * Without a check the job hangs for good, the replacement in its collective and the
 * others in their halo exchange, and nothing says why.
 *
 * So, in a replacement from PCM_Init to its first PCM_Status (and PCM_Finalize), every
 * wrapper of a communication call (point-to-point and collective communication, blocking
 * or not: the PCM_EARLY line of the generated wrappers, gen/pcm_map_gen.awk) checks its
 * communicator: on the world (the PCM world handle, or MPI_COMM_WORLD while it is mapped
 * to it) the call is refused with a message on stderr naming the call and the rule, and
 * the job is aborted (PMPI_Abort over the PCM world, error code PCM_EARLY_ABORT_CODE, which
 * mpirun exits with). Everything else stays allowed: local calls (MPI_Comm_rank,
 * MPI_Comm_size, attributes, names, groups, topology queries, persistent request set-up),
 * calls on other communicators, and the calls that build communicators, windows and files
 * from the world, which a replacement makes at its start to match the other ranks'
 * re-derivation after PCM_Reconfigure (docs/instrumenting.md, step 7).
 *
 * Why abort and not return an error: the call can never complete correctly (the value it
 * was to bring is the others' of long ago; PCM_Store/PCM_Load is the way to get it), most
 * programs do not check MPI return codes, and the PCM world has MPI_ERRORS_RETURN: a
 * program that went on past a returned error would run with unset parameters into another
 * hang or a wrong result. An abort ends mpirun at once with a non-zero exit and the
 * reason; MPI_COMM_WORLD's default handler (MPI_ERRORS_ARE_FATAL) would abort as well,
 * only without saying why.
 *
 * Cost outside that window: one relaxed load of pcm_early_guard per communication call.
 */
#include "pcm_internal.h"
#include <stdio.h>
#include <unistd.h>

int pcm_early_guard;
int (*pcm_early_test_hook)(const char *call, const char *comm_name);

void pcm_early_arm(int on) {
    __atomic_store_n(&pcm_early_guard, on, __ATOMIC_RELEASE);
}

/* What the program called "the world" by, or NULL when comm is another communicator. */
static const char *world_name(MPI_Comm comm) {
    MPI_Comm mapped = __atomic_load_n(&pcm_map_world, __ATOMIC_ACQUIRE);
    if (comm == MPI_COMM_WORLD) return mapped != MPI_COMM_WORLD ? "MPI_COMM_WORLD" : NULL;
    if (comm == pcm_g.world) return "the PCM world";
    if (mapped != MPI_COMM_WORLD && comm == mapped) return "MPI_COMM_WORLD";
    return NULL;
}

int pcm_early_refuse(const char *call, MPI_Comm comm) {
    if (!__atomic_load_n(&pcm_early_guard, __ATOMIC_ACQUIRE)) return MPI_SUCCESS;
    const char *name = world_name(comm);
    if (!name) return MPI_SUCCESS;
    if (pcm_early_test_hook) return pcm_early_test_hook(call, name);
    fflush(stdout);
    fprintf(stderr,
            "[pcm error rank %d pid %d] %s on %s in a replacement process before its first PCM_Status.\n"
            "  The rule: between PCM_Init and its first PCM_Status a replacement makes no communication on the\n"
            "  world (no collective, no point-to-point) other than through PCM. The other ranks of job %s are\n"
            "  already past this point, in the iteration where this rank's previous process left them, and will\n"
            "  never enter this call: the job would hang. Compute such values at the start of a fresh run only,\n"
            "  keep them with PCM_Store, and in the replacement load them with PCM_Load instead of taking part\n"
            "  (docs/instrumenting.md, step 4). Aborting the job (exit code %d).\n",
            pcm_g.rank, (int)getpid(), call, name, pcm_g.job_id, PCM_EARLY_ABORT_CODE);
    fflush(stderr);
    PMPI_Abort(pcm_g.world, PCM_EARLY_ABORT_CODE);
    _exit(PCM_EARLY_ABORT_CODE);   /* PMPI_Abort does not return; if it ever did, do not hang */
}
