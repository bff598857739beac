/*
 * pcm_util.c - clocks, logging, environment, error strings.
 */
#include "pcm_internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
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
    static int on = -1;
    if (on < 0) on = pcm_env_long("ROAM_PCM_DEBUG", 0) > 0;
    if (!on) return;
    va_list ap;
    va_start(ap, fmt);
    vlog("debug", fmt, ap);
    va_end(ap);
}

/* Test aid, off unless ROAM_PCM_TEST_GATE names a directory: at the named phase of a
 * migration the process writes DIR/PHASE.reached (its pid) and waits while the file
 * DIR/PHASE exists, at most 120 s. Fault tests use it to act (kill an agent, cut a link)
 * at an exact point of a migration instead of guessing with sleeps. */
void pcm_test_gate(const char *phase) {
    const char *dir = getenv("ROAM_PCM_TEST_GATE");
    if (!dir || !*dir) return;
    char gate[PCM_PATH_MAX], reached[PCM_PATH_MAX + 16], tmp[PCM_PATH_MAX + 32];
    snprintf(gate, sizeof gate, "%s/%s", dir, phase);
    struct stat st;
    if (stat(gate, &st) != 0) return;
    snprintf(reached, sizeof reached, "%s.reached", gate);
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", reached, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (f) {
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
        rename(tmp, reached);
    }
    pcm_log("test gate: waiting at '%s' while %s exists", phase, gate);
    for (int i = 0; i < 2400 && stat(gate, &st) == 0; i++) usleep(50000);
    pcm_log("test gate: '%s' passed", phase);
}

long pcm_env_long(const char *name, long def) {
    const char *v = getenv(name);
    if (!v || !*v) return def;
    char *end;
    long x = strtol(v, &end, 10);
    return *end ? def : x;
}

void pcm_host_name(char *out, size_t len) {
    const char *h = getenv("ROAM_HOST");
    if (h && *h) {
        snprintf(out, len, "%s", h);
        return;
    }
    if (gethostname(out, len) != 0) snprintf(out, len, "localhost");
    out[len - 1] = 0;
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
    case PCM_ERR_INTERNAL: return "PCM_ERR_INTERNAL: internal error in libpcm";
    default: return "PCM: unknown error code";
    }
}
