/*
 * pcm_util.c - clocks, logging, the host name, error strings.
 */
#include "pcm_internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t pcm_now_mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t pcm_now_real_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void vlog(const char *level, const char *fmt, va_list ap) {
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    fprintf(stderr, "[pcm %s rank %d pid %d] %s\n", level, pcm_g.rank, (int)getpid(), msg);
    fflush(stderr);
}

void pcm_log(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vlog("warn", fmt, ap);
    va_end(ap);
}

void pcm_debug(const char *fmt, ...) {
    if (!pcm_env.debug) return;
    va_list ap;
    va_start(ap, fmt);
    vlog("debug", fmt, ap);
    va_end(ap);
}

void pcm_host_name(char *out, size_t len) {
    if (pcm_env.host) {
        snprintf(out, len, "%s", pcm_env.host);
        return;
    }
    if (gethostname(out, len) != 0) snprintf(out, len, "localhost");
    out[len - 1] = 0;
}

int pcm_host_in_list(const char *list, const char *host) {
    const char *p = list;
    size_t n = strlen(host);
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, host, n) == 0) return 1;
        p += len + (end ? 1 : 0);
    }
    return 0;
}

int pcm_job_host(const char *host) {
    return !pcm_g.job_hosts[0] || pcm_host_in_list(pcm_g.job_hosts, host);
}

const char *PCM_Error_string(int code) {
    switch (code) {
    case PCM_SUCCESS: return "PCM_SUCCESS: no error";
    case PCM_ERR_NOT_INITIALIZED: return "PCM_ERR_NOT_INITIALIZED: PCM_Init has not been called (or PCM_Finalize has)";
    case PCM_ERR_INITIALIZED: return "PCM_ERR_INITIALIZED: PCM_Init was already called";
    case PCM_ERR_MPI_NOT_INIT: return "PCM_ERR_MPI_NOT_INIT: call MPI_Init before PCM_Init";
    case PCM_ERR_ARG: return "PCM_ERR_ARG: invalid argument (NULL pointer or negative count)";
    case PCM_ERR_KEY: return "PCM_ERR_KEY: no state is stored under this key";
    case PCM_ERR_TYPE: return "PCM_ERR_TYPE: the datatype differs from the one stored";
    case PCM_ERR_COUNT: return "PCM_ERR_COUNT: the count differs from the one stored";
    case PCM_ERR_NO_STATE: return "PCM_ERR_NO_STATE: this process was not restored, there is nothing to load";
    case PCM_ERR_NOMEM: return "PCM_ERR_NOMEM: out of memory";
    case PCM_ERR_MPI: return "PCM_ERR_MPI: an MPI call failed";
    case PCM_ERR_SPAWN: return "PCM_ERR_SPAWN: MPI_Comm_spawn failed; the rank stays where it is";
    case PCM_ERR_HOST: return "PCM_ERR_HOST: the target host name does not resolve";
    case PCM_ERR_NO_MIGRATION: return "PCM_ERR_NO_MIGRATION: PCM_Reconfigure without a migration decided by PCM_Status";
    case PCM_ERR_COMM: return "PCM_ERR_COMM: the communicator is not the world PCM gave the application";
    case PCM_ERR_AGENT: return "PCM_ERR_AGENT: the agent socket failed";
    case PCM_ERR_KEY_LENGTH: return "PCM_ERR_KEY_LENGTH: a key must be 1 to 63 bytes";
    case PCM_ERR_TRANSFER: return "PCM_ERR_TRANSFER: the state transfer failed";
    case PCM_ERR_DATATYPE: return "PCM_ERR_DATATYPE: only predefined MPI datatypes can be stored";
    case PCM_ERR_PROTOCOL: return "PCM_ERR_PROTOCOL: malformed frame on the agent socket";
    case PCM_ERR_SUPERSEDED: return "PCM_ERR_SUPERSEDED: a newer migration order replaced this one";
    case PCM_ERR_ENV: return "PCM_ERR_ENV: a ROAM_* environment variable has a value out of its range (stderr says which)";
    case PCM_ERR_NO_RESIZE: return "PCM_ERR_NO_RESIZE: a PCM_Resize call without a PCM_RESIZE decision, or out of order";
    case PCM_ERR_INTERNAL: return "PCM_ERR_INTERNAL: internal error in libpcm";
    default: return "PCM: unknown error code";
    }
}

/* A broadcast whose wait can be long (the outcome of a spawn: tens of ms on an idle machine,
 * seconds on a crowded one) without spinning: MPI_Ibcast, then MPI_Test with a sleep that
 * doubles from 20 us to 1 ms. Open MPI's blocking wait polls (with mpi_yield_when_idle, a
 * sched_yield per poll), so every waiting rank stays runnable and takes CPU from the spawner,
 * mpirun's daemons and the new process's MPI_Init, which are what the wait is for; asleep, the
 * waiting ranks leave them the cores and add at most 1 ms to the wait. Every process of the
 * broadcast must call this (a nonblocking collective matches only nonblocking ones). */
int pcm_bcast_sleeping(void *buf, int count, MPI_Datatype type, int root, MPI_Comm comm) {
    MPI_Request req;
    int rc = PMPI_Ibcast(buf, count, type, root, comm, &req);
    if (rc != MPI_SUCCESS) return rc;
    long sleep_ns = 20000;
    for (;;) {
        int done = 0;
        rc = PMPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS || done) return rc;
        struct timespec ts = {0, sleep_ns};
        nanosleep(&ts, NULL);
        if (sleep_ns < 1000000) sleep_ns *= 2;
    }
}

/* One round trip from this process through its Open MPI daemon (orted) to mpirun, before the
 * process builds a newly spawned one into a communicator. Open MPI 4.1's orted parks a
 * request for a process of a job it has not heard of yet, and nothing takes it up again
 * (orte/orted/pmix/pmix_server_fence.c, dmodex_req: "we will process it later"; the hotel's
 * timeout, 2 s steps from 10, never reaches its end), so a rank whose daemon had not yet
 * handled the launch of the new process's job (it was busy: CPU noise on its host) waited in
 * PMIx_Get inside MPI_Intercomm_create for ever, and the whole job with it
 * (benchmarks/results/spawn-race.md). mpirun sent that launch to every daemon before the spawn
 * returned; a name lookup goes to mpirun's data server through the daemon and comes back on
 * the same connection after it, and the daemon handles messages in order: when it returns,
 * the daemon knows the job. Nobody publishes the name: "not found" is the answer, returned
 * (MPI_COMM_WORLD's error handler, which MPI_Lookup_name reports to, is set to return for the
 * call and given back). */
void pcm_daemon_sync(void) {
    MPI_Errhandler was;
    if (PMPI_Comm_get_errhandler(MPI_COMM_WORLD, &was) != MPI_SUCCESS) return;
    PMPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    char port[MPI_MAX_PORT_NAME];
    int rc = PMPI_Lookup_name("roam-pcm-daemon-sync", MPI_INFO_NULL, port);
    PMPI_Comm_set_errhandler(MPI_COMM_WORLD, was);
    PMPI_Errhandler_free(&was);
    if (rc != MPI_SUCCESS && rc != MPI_ERR_NAME) pcm_debug("MPI_Lookup_name for the daemon sync: MPI error %d", rc);
}
