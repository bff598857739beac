/*
 * pcm_map.c - MPI_COMM_WORLD stands for the application's PCM world.
 *
 * After a migration the replacement's own MPI_COMM_WORLD is a world of one and the
 * survivors' MPI_COMM_WORLD still holds the departed process, so a program that keeps
 * calling MPI with MPI_COMM_WORLD would break. While the mapping is on (the default),
 * every MPI function of libpcm's generated wrappers (pcm_map.list, all the C functions
 * of Open MPI 4.1 that take a communicator by value) replaces an MPI_COMM_WORLD
 * argument with pcm_map_world: a duplicate of the PCM world that libpcm makes at
 * PCM_Init and makes again after every PCM_Reconfigure. MPI_Comm_rank and MPI_Comm_size
 * on MPI_COMM_WORLD therefore answer for the PCM world, whose rank numbers never change.
 *
 * Why a duplicate and not the PCM world itself: the PCM world carries MPI_ERRORS_RETURN
 * and libpcm's own traffic (PCM_Status, the communicator surgery); MPI_COMM_WORLD keeps
 * the semantics a program expects of it: its error handler (MPI_ERRORS_ARE_FATAL unless
 * the program set another, carried from one duplicate to the next), its name, and
 * messages of its own. The predefined attributes (MPI_TAG_UB, MPI_APPNUM,
 * MPI_LASTUSEDCODE, ...) are read from the real MPI_COMM_WORLD.
 *
 * Before PCM_Init and after PCM_Finalize, or when the mapping is off
 * (ROAM_PCM_WORLD_MAP=0 or PCM_Set_world_map(0) before PCM_Init), MPI_COMM_WORLD is
 * itself. libpcm calls PMPI_* only, so nothing inside it is remapped.
 */
#include "pcm_internal.h"
#include <stdlib.h>

MPI_Comm pcm_map_world = MPI_COMM_WORLD;

static int setting = -1;    /* -1: ROAM_PCM_WORLD_MAP decides; 0 off; 1 on */

int PCM_Set_world_map(int on) {
    if (pcm_g.initialized && !pcm_g.finalized) return PCM_ERR_INITIALIZED;
    if (on != 0 && on != 1) return PCM_ERR_ARG;
    setting = on;
    return PCM_SUCCESS;
}

int PCM_Get_world_map(void) {
    if (!pcm_g.initialized || pcm_g.finalized) return PCM_ERR_NOT_INITIALIZED;
    return __atomic_load_n(&pcm_map_world, __ATOMIC_ACQUIRE) != MPI_COMM_WORLD;
}

static int wanted(void) {
    if (setting >= 0) return setting;
    return pcm_env.world_map;   /* ROAM_PCM_WORLD_MAP, checked by PCM_Init (pcm_env.c) */
}

int pcm_map_predefined_key(int keyval) {
    return keyval == MPI_TAG_UB || keyval == MPI_HOST || keyval == MPI_IO || keyval == MPI_WTIME_IS_GLOBAL ||
           keyval == MPI_APPNUM || keyval == MPI_UNIVERSE_SIZE || keyval == MPI_LASTUSEDCODE;
}

/* Collective over pcm_g.world: every rank of the PCM world calls it at the same point
 * (PCM_Init; PCM_Reconfigure in the ranks that stay, PCM_Init in the replacement). */
int pcm_map_open(void) {
    MPI_Comm old = pcm_map_world;
    if (old == MPI_COMM_WORLD && !wanted()) return PCM_SUCCESS;
    MPI_Errhandler eh = MPI_ERRHANDLER_NULL;
    /* the real world's, or the previous duplicate's; without it (a failure, local) the
     * duplicate keeps the PCM world's: the collective below runs on every rank all the same */
    if (PMPI_Comm_get_errhandler(old, &eh) != MPI_SUCCESS) eh = MPI_ERRHANDLER_NULL;
    MPI_Comm nw = MPI_COMM_NULL;
    int ok = PMPI_Comm_dup(pcm_g.world, &nw) == MPI_SUCCESS;
    if (ok && eh != MPI_ERRHANDLER_NULL) ok = PMPI_Comm_set_errhandler(nw, eh) == MPI_SUCCESS;
    if (eh != MPI_ERRHANDLER_NULL) PMPI_Errhandler_free(&eh);
    if (ok) ok = PMPI_Comm_set_name(nw, "MPI_COMM_WORLD") == MPI_SUCCESS;
    if (!ok) {
        if (nw != MPI_COMM_NULL) PMPI_Comm_free(&nw);
        return PCM_ERR_MPI;
    }
    __atomic_store_n(&pcm_map_world, nw, __ATOMIC_RELEASE);
    /* The old duplicate still holds the departed process: freeing it is local. */
    if (old != MPI_COMM_WORLD) PMPI_Comm_free(&old);
    return PCM_SUCCESS;
}

void pcm_map_close(void) {
    MPI_Comm old = pcm_map_world;
    __atomic_store_n(&pcm_map_world, MPI_COMM_WORLD, __ATOMIC_RELEASE);
    if (old != MPI_COMM_WORLD) PMPI_Comm_free(&old);
}
