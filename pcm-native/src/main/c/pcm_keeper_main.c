/*
 * pcm_keeper_main.c - roam-pcm-keeper, the image a keeper process runs (pcm_keep.c).
 *
 * A keeper must stay a process of its job on a host the job's ranks have left, so that
 * Open MPI's orted there keeps knowing the job; it needs nothing of MPI to do so. libpcm
 * therefore execs this small static program in the keeper's pid (the orted tracks the pid,
 * not the image), which drops the application's and MPI's memory: the keeper then holds
 * a few hundred KiB instead of about 10 MiB. It inherits the listening socket and the
 * parent-death signal (SIGKILL when the orted ends), and waits in accept() until the
 * world's rank 0 sends the job id at PCM_Finalize; then it exits 0.
 *
 * Usage (by libpcm only): roam-pcm-keeper FD JOB_ID
 */
#include "pcm_keeper_wait.h"
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    if (getppid() == 1) return 0;   /* the orted is already gone */
    pcm_keeper_wait(atoi(argv[1]), argv[2]);
    return 0;
}
