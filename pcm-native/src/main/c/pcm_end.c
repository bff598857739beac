/*
 * pcm_end.c - how the processes of a PCM job end.
 *
 * Open MPI 4.1 ends a job in MPI_Finalize with a fence (PMIx) over every process the job
 * started. A process whose rank moved away is one of them; if it has exited, the fence
 * never completes and the job hangs at its end; if it waits in MPI_Finalize instead, it
 * stays on the host it left, spinning Open MPI's progress loop, until the whole job ends.
 * libpcm therefore ends a job in which a rank moved without that fence:
 *
 *  - a departed process says BYE and _exit(0)s as soon as its state is delivered and the
 *    connection to its replacement is closed (pcm_end_departed): nothing of it stays;
 *  - at PCM_Finalize the live ranks agree (one MPI_Allreduce over the PCM world) whether
 *    any rank of the job ever moved. If none did, nothing changes: MPI_Finalize is Open
 *    MPI's. If one did, they take part in one MPI_Barrier (so that no process leaves while
 *    the agreement's messages are in flight) and libpcm's MPI_Finalize returns
 *    MPI_SUCCESS without calling PMPI_Finalize; the program runs on to its exit, and
 *    mpirun (with orte_allowed_exit_without_sync, which roam run sets) ends the job when
 *    every process has exited. MPI_Finalized answers true from then on.
 *
 * A program that calls MPI_Finalize without PCM_Finalize gets the agreement from the
 * MPI_Finalize wrapper (every live rank must then call it, as MPI requires anyway).
 */
#include "pcm_internal.h"
#include <stdio.h>
#include <unistd.h>

static int end_without_finalize;   /* agreed: a rank moved, skip Open MPI's final fence */
static int ended;                  /* MPI_Finalize returned without PMPI_Finalize */

int pcm_end_agree(MPI_Comm world) {
    int mine = pcm_g.job_moved ? 1 : 0, any = 0;
    if (PMPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, world) != MPI_SUCCESS) return PCM_ERR_MPI;
    if (!any) return PCM_SUCCESS;
    if (PMPI_Barrier(world) != MPI_SUCCESS) return PCM_ERR_MPI;
    pcm_keep_release_all();   /* the job's keepers on hosts it left (pcm_keep.c) */
    end_without_finalize = 1;
    pcm_debug("a rank of job %s moved: this process ends without MPI_Finalize's fence", pcm_g.job_id);
    return PCM_SUCCESS;
}

void pcm_end_departed(void) {
    pcm_stall_leave();   /* the move is over for this process: no stall to watch (a keeper waits long) */
    fflush(NULL);
    pcm_agent_send_bye(1);
    pcm_agent_close();
    pcm_keep_wait_if_keeper();   /* the last original process on this host waits for the job's end */
    _exit(0);
}

int pcm_end_skips_finalize(void) { return end_without_finalize; }

PCM_API int MPI_Finalize(void) {
    if (pcm_g.initialized && !pcm_g.finalized) {
        MPI_Comm w = pcm_g.world;
        int rc = PCM_Finalize(&w);
        if (rc != PCM_SUCCESS) pcm_log("PCM_Finalize from MPI_Finalize: %s", PCM_Error_string(rc));
    }
    if (!end_without_finalize) return PMPI_Finalize();
    if (ended) return MPI_ERR_OTHER;   /* a second MPI_Finalize is erroneous, as in MPI */
    fflush(NULL);
    ended = 1;
    return MPI_SUCCESS;
}

PCM_API int MPI_Finalized(int *flag) {
    if (ended) {
        if (!flag) return MPI_ERR_ARG;
        *flag = 1;
        return MPI_SUCCESS;
    }
    return PMPI_Finalized(flag);
}
