/*
 * pcm_init.c - libpcm's MPI_Init and MPI_Init_thread: a spawn that never completes must not
 * hang the job.
 *
 * With Debian's Open MPI 4.1.4 (external PMIx 4.2), about one spawn in fifty to a few hundred
 * never completes: the new process waits for good in PMIx_Init inside MPI_Init, and the
 * process that spawned it in MPI_Comm_spawn, in the PMIx lookup of the child's port (the
 * connect/accept exchange, ompi/dpm/dpm.c; seen on mpirun's own host, docs/architecture.md
 * "A spawn that never completes"). The exchange waits 600 s by default; the stall watchdog
 * (pcm_stall.c) would end the whole job long before. Both ends are made to give up instead:
 *
 *  - Before Open MPI starts, every process of a PCM program gets the MCA parameter
 *    pmix_base_exchange_timeout (unless the user set it): the spawner's exchange then fails
 *    after about ROAM_PCM_SPAWN_TIMEOUT_MS and MPI_Comm_spawn returns an error. ORTE's PMIx
 *    server counts a request's timeout down by twice its 2 s tick at each tick
 *    (orte/orted/pmix/pmix_server.c, eviction_cbfunc), so the parameter is twice the wanted
 *    seconds (and at least 4: with 2 the countdown skips zero and never ends). The spawner tries again (ROAM_PCM_SPAWN_TRIES, pcm_migrate.c); when the
 *    tries are used up the move fails and the job goes on where it was.
 *  - A process that libpcm spawned (ROAM_PCM_REPLACEMENT or ROAM_PCM_JOINER in its
 *    environment) watches its own MPI_Init: when it has not returned within three quarters
 *    of the spawn timeout, it _exit(0)s with a line on stderr, so that nothing of it stays.
 *    It gives up before its spawner does, on purpose: a spawned process whose MPI_Init went
 *    on after the spawner had given up would fail in it (its parent's port is gone) and
 *    MPI_ERRORS_ARE_FATAL would abort the whole job (measured). Exit code 0: it never joined
 *    the job, and a non-zero exit would make mpirun abort the job that goes on without it.
 *
 * The timeout is read here, before PCM_Init validates the environment (pcm_env.c): a bad
 * value falls back to the default here and fails PCM_Init with its clear message there.
 */
#define _GNU_SOURCE
#include "pcm_internal.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define EXCHANGE_VAR "OMPI_MCA_pmix_base_exchange_timeout"

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int watching, done;
    uint64_t due_ns;   /* monotonic */
    long bound_ms;
} W = {.lock = PTHREAD_MUTEX_INITIALIZER};

long pcm_spawn_timeout_ms_from_env(void) {
    const char *v = getenv("ROAM_PCM_SPAWN_TIMEOUT_MS");
    if (!v || !*v) return PCM_SPAWN_TIMEOUT_DEFAULT_MS;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < 0 || (x > 0 && x < PCM_SPAWN_TIMEOUT_MIN_MS) ||
        x > PCM_ENV_SPAWN_TIMEOUT_MS_MAX)
        return PCM_SPAWN_TIMEOUT_DEFAULT_MS;
    return x;
}

static void *watch_init(void *arg) {
    (void)arg;
    pthread_mutex_lock(&W.lock);
    while (!W.done) {
        if (pcm_now_mono_ns() >= W.due_ns) {
            pthread_mutex_unlock(&W.lock);
            fflush(stdout);
            fprintf(stderr,
                    "[pcm error pid %d] this process was spawned by libpcm (%s) and its MPI_Init has not completed\n"
                    "  within %ld ms (three quarters of ROAM_PCM_SPAWN_TIMEOUT_MS): Open MPI's start of a spawned\n"
                    "  process stalled, and the process that spawned it gives up on it at that timeout\n"
                    "  (docs/failure-model.md). Exiting, so that nothing of it stays; the job goes on without it.\n",
                    (int)getpid(), getenv("ROAM_PCM_JOINER") ? "a grow's new process" : "a replacement",
                    W.bound_ms);
            fflush(stderr);
            _exit(0);
        }
        struct timespec ts = {.tv_sec = (time_t)(W.due_ns / 1000000000ull),
                              .tv_nsec = (long)(W.due_ns % 1000000000ull)};
        pthread_cond_timedwait(&W.cond, &W.lock, &ts);
    }
    pthread_mutex_unlock(&W.lock);
    return NULL;
}

static void start_watch(long bound_ms) {
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&W.cond, &ca);
    pthread_condattr_destroy(&ca);
    W.bound_ms = bound_ms;
    W.due_ns = pcm_now_mono_ns() + (uint64_t)bound_ms * 1000000ull;
    W.done = 0;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);   /* the program's signals stay with its threads */
    pthread_t t;
    pthread_attr_t ta;
    pthread_attr_init(&ta);
    pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&ta, 128 * 1024);
    if (pthread_create(&t, &ta, watch_init, NULL) == 0) {
        W.watching = 1;
        pthread_setname_np(t, "pcm-init");
    }
    pthread_attr_destroy(&ta);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void before_init(void) {
    long ms = pcm_spawn_timeout_ms_from_env();
    if (ms <= 0) return;
    if (!getenv(EXCHANGE_VAR)) {
        char secs[32];
        snprintf(secs, sizeof secs, "%ld", 2 * ((ms + 999) / 1000));
        setenv(EXCHANGE_VAR, secs, 0);
    }
    if (getenv("ROAM_PCM_REPLACEMENT") || getenv("ROAM_PCM_JOINER")) {
        start_watch(ms * 3 / 4);
        PCM_TEST_GATE_EARLY("init");   /* a test holds a spawned process here: a start that stalls */
    }
}

static void after_init(void) {
    if (!W.watching) return;
    pthread_mutex_lock(&W.lock);
    W.done = 1;
    pthread_cond_signal(&W.cond);
    pthread_mutex_unlock(&W.lock);
    W.watching = 0;
}

PCM_API int MPI_Init(int *argc, char ***argv) {
    before_init();
    int rc = PMPI_Init(argc, argv);
    after_init();
    return rc;
}

PCM_API int MPI_Init_thread(int *argc, char ***argv, int required, int *provided) {
    before_init();
    int rc = PMPI_Init_thread(argc, argv, required, provided);
    after_init();
    return rc;
}
