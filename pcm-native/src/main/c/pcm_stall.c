/*
 * pcm_stall.c - no silent hang: a watchdog over reconfigurations.
 *
 * A reconfiguration is a chain of blocking MPI calls in every process of the job (the
 * departing rank, the ranks that stay, the replacement). Normally each step takes
 * milliseconds; when one never returns (a lost daemon, a PMIx fence that waits for good,
 * a program error), the whole job would hang with nothing said. So every process marks
 * the step it waits in (pcm_stall_enter, from pcm_migrate.c, pcm_transfer.c, pcm_core.c),
 * and a thread started at PCM_Init watches the marks:
 *
 *  - idle (no reconfiguration under way) it sleeps on a condition variable: no cost;
 *  - when a reconfiguration has made no progress (no new step, no state chunk) for
 *    ROAM_PCM_STALL_MS (default 60000; 0 = off), it prints what it waits in on stderr and
 *    sends MIGRATION_STALLED with the same detail to its agent (pcm_agent.c guards the
 *    socket with a mutex: the main thread is inside MPI meanwhile);
 *  - after a grace (min(10 s, the bound)), so that the other processes of the job, whose
 *    bounds fall due at about the same time, report as well, it ends the process with
 *    _exit(PCM_STALL_EXIT_CODE). mpirun then aborts the whole job and exits non-zero.
 *
 * Why end the job: once the replacement is spawned the ranks are inside collectives that
 * MPI cannot cancel (Open MPI 4.1 has no way to interrupt a blocking call or to drop a
 * process from a communicator under construction), so there is no safe way back; a
 * stalled job would otherwise hold its hosts for ever. A stall is declared for good:
 * progress during the grace does not undo it. Why _exit and not MPI_Abort: this thread is
 * not the one that initialized MPI, and below MPI_THREAD_MULTIPLE it may not call MPI.
 */
#define _GNU_SOURCE
#include "pcm_internal.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int started;
    int active;                 /* a reconfiguration is under way in this process */
    int role;
    uint64_t bound_ns, grace_ns;
    uint64_t begun_ns;          /* monotonic: the reconfiguration began */
    uint64_t progress_ns;       /* monotonic: its last step or state chunk */
    uint64_t step_ns;           /* monotonic: the current step began (0: no step) */
    char what[160];
    /* the move, copied from pcm_g by the main thread */
    uint64_t order_id;
    int mig_rank, rank;
    char host[PCM_HOST_MAX];
    char job_id[PCM_JOB_MAX];
} S = {.lock = PTHREAD_MUTEX_INITIALIZER, .role = PCM_STALL_STAYING};

static const char *role_name(int role, int rank, char *buf, size_t len) {
    switch (role) {
    case PCM_STALL_DEPARTING: return "the departing process";
    case PCM_STALL_ARRIVING: return "the replacement";
    default: snprintf(buf, len, "rank %d (staying)", rank); return buf;
    }
}

/* The detail of a stall: who, which move, which MPI call and step, for how long. */
static void describe(char *out, size_t len, uint64_t now) {
    char who[48], rank[16] = "?";
    if (S.mig_rank >= 0) snprintf(rank, sizeof rank, "%d", S.mig_rank);
    snprintf(out, len, "%s of job %s waits in %s for %llu ms (move of rank %s to %s, order %llu, "
             "under way for %llu ms)", role_name(S.role, S.rank, who, sizeof who), S.job_id, S.what,
             (unsigned long long)((now - S.progress_ns) / 1000000ull), rank, S.host,
             (unsigned long long)S.order_id, (unsigned long long)((now - S.begun_ns) / 1000000ull));
}

static void sleep_ns(uint64_t ns) {
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000ull), .tv_nsec = (long)(ns % 1000000000ull)};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void stalled(uint64_t now) __attribute__((noreturn));
static void stalled(uint64_t now) {
    char detail[1024];
    describe(detail, sizeof detail, now);
    uint64_t waited_ms = (now - S.progress_ns) / 1000000ull, order = S.order_id;
    int mig_rank = S.mig_rank, rank = S.rank;
    char job[PCM_JOB_MAX];
    memcpy(job, S.job_id, sizeof job);
    pthread_mutex_unlock(&S.lock);   /* the main thread may still mark a step: it changes nothing now */
    fflush(stdout);
    fprintf(stderr, "[pcm error rank %d pid %d] migration stalled: %s; no progress within ROAM_PCM_STALL_MS=%llu\n",
            rank, (int)getpid(), detail, (unsigned long long)(S.bound_ns / 1000000ull));
    fflush(stderr);
    pcm_agent_send_stalled(order, mig_rank < 0 ? 0 : (uint32_t)mig_rank, waited_ms, detail);
    sleep_ns(S.grace_ns);   /* the job's other processes report meanwhile */
    fprintf(stderr,
            "[pcm error rank %d pid %d] ending job %s: its reconfiguration stalled (%s). Once the replacement is\n"
            "  spawned there is no safe way back (docs/failure-model.md), and a stalled job would hang for good.\n"
            "  Exit code %d; mpirun aborts the job.\n",
            rank, (int)getpid(), job, detail, PCM_STALL_EXIT_CODE);
    fflush(stderr);
    _exit(PCM_STALL_EXIT_CODE);
}

static void *watch(void *arg) {
    (void)arg;
    pthread_mutex_lock(&S.lock);
    for (;;) {
        while (!S.active) pthread_cond_wait(&S.cond, &S.lock);
        uint64_t now = pcm_now_mono_ns(), due = S.progress_ns + S.bound_ns;
        if (now >= due) stalled(now);
        struct timespec ts = {.tv_sec = (time_t)(due / 1000000000ull), .tv_nsec = (long)(due % 1000000000ull)};
        pthread_cond_timedwait(&S.cond, &S.lock, &ts);   /* CLOCK_MONOTONIC: see pcm_stall_start */
    }
    return NULL;
}

void pcm_stall_start(void) {
    long ms = pcm_env.stall_ms;
    pthread_mutex_lock(&S.lock);
    if (S.started || ms <= 0) {
        pthread_mutex_unlock(&S.lock);
        return;
    }
    S.bound_ns = (uint64_t)ms * 1000000ull;
    S.grace_ns = S.bound_ns < PCM_STALL_GRACE_NS ? S.bound_ns : PCM_STALL_GRACE_NS;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&S.cond, &ca);
    pthread_condattr_destroy(&ca);
    /* The watchdog takes no signal: the application's handlers run in its own threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_t t;
    pthread_attr_t ta;
    pthread_attr_init(&ta);
    pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&ta, 256 * 1024);
    if (pthread_create(&t, &ta, watch, NULL) == 0) {
        S.started = 1;
        pthread_setname_np(t, "pcm-stall");
    } else {
        pcm_log("no stall watchdog (pthread_create failed): a stalled migration would hang the job");
    }
    pthread_attr_destroy(&ta);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_mutex_unlock(&S.lock);
}

void pcm_stall_begin(int role) {
    pcm_yield_begin();   /* the waiting ranks leave the cores to the others (pcm_yield.c) */
    pthread_mutex_lock(&S.lock);
    S.role = role;
    S.active = 0;   /* pcm_stall_enter starts the clock */
    pthread_mutex_unlock(&S.lock);
}

/* With ROAM_PCM_DEBUG=1, how long the step that ends now took: the breakdown of a move's
 * phases (benchmarks/results/pcm-migration-hosts.md). Called with S.lock held. */
static void step_done(uint64_t now) {
    if (S.step_ns) pcm_debug("step %s took %.2f ms", S.what, (double)(now - S.step_ns) / 1e6);
}

void pcm_stall_enter(const char *what) {
    pthread_mutex_lock(&S.lock);
    uint64_t now = pcm_now_mono_ns();
    step_done(now);
    S.step_ns = now;
    if (!S.active) S.begun_ns = now;
    S.active = S.started;
    S.progress_ns = now;
    snprintf(S.what, sizeof S.what, "%s", what);
    S.order_id = pcm_g.mig_order_id;
    S.mig_rank = pcm_g.mig_rank;
    S.rank = pcm_g.rank;
    memcpy(S.host, pcm_g.mig_host, sizeof S.host);
    S.host[sizeof S.host - 1] = 0;
    memcpy(S.job_id, pcm_g.job_id, sizeof S.job_id);
    S.job_id[sizeof S.job_id - 1] = 0;
    if (S.active) pthread_cond_signal(&S.cond);
    pthread_mutex_unlock(&S.lock);
}

void pcm_stall_progress(void) {
    pthread_mutex_lock(&S.lock);
    S.progress_ns = pcm_now_mono_ns();
    pthread_mutex_unlock(&S.lock);
}

void pcm_stall_leave(void) {
    pcm_yield_end();
    pthread_mutex_lock(&S.lock);
    step_done(pcm_now_mono_ns());
    S.step_ns = 0;
    S.active = 0;
    pthread_mutex_unlock(&S.lock);
}
