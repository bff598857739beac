/*
 * pcm_yield.c - waiting ranks give the cores away while a reconfiguration runs.
 *
 * Every step of a move (the merges, MPI_Intercomm_create, MPI_Comm_split, the state stream)
 * is a blocking MPI call in which most processes only wait for a few others: the departing
 * rank, the replacement, the ranks that build the new world first. Open MPI's blocking waits
 * poll without end, so on a machine with more runnable processes than cores (ranks beside
 * other work, or more ranks than cores) each waiting rank keeps the core it polls on until
 * the scheduler takes it away, and the processes the wait is for get a core only a time
 * slice later, at every message of every step. With opal_progress's yield_when_idle on, a
 * poll that found nothing calls sched_yield, and the scheduler runs the others first.
 *
 * Open MPI turns it on for a whole job only when mpirun sees it oversubscribed (more ranks
 * than slots); it does not know about the other work on the hosts. libpcm turns it on for the
 * reconfiguration only, from pcm_stall_begin to pcm_stall_leave (the span in which the stall
 * watchdog watches the process), and gives back the job's own setting afterwards: the
 * application's iterations poll as before. The switch, opal_progress_set_yield_when_idle, is
 * Open MPI's (libopen-pal, OPAL_DECLSPEC), not part of the MPI standard: it is looked up at run
 * time, and without it (another MPI) this does nothing. ROAM_PCM_YIELD=0 turns it off.
 */
#define _GNU_SOURCE
#include "pcm_internal.h"
#include <dlfcn.h>
#include <stdbool.h>

typedef bool (*set_yield_fn)(bool);

static set_yield_fn set_yield;
static int looked_up;
static int on;          /* this reconfiguration turned it on ... */
static bool before;     /* ... and the job's own setting was this */

void pcm_yield_begin(void) {
    if (on || !pcm_env.yield) return;
    if (!looked_up) {
        looked_up = 1;
        set_yield = (set_yield_fn)dlsym(RTLD_DEFAULT, "opal_progress_set_yield_when_idle");
        pcm_debug("opal_progress_set_yield_when_idle %s", set_yield ? "found" : "not found: waits poll as before");
    }
    if (!set_yield) return;
    before = set_yield(true);
    on = 1;
}

void pcm_yield_end(void) {
    if (!on) return;
    set_yield(before);
    on = 0;
}
