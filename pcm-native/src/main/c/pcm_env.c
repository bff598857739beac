/*
 * pcm_env.c - the one place libpcm reads its environment (the table: pcm_env.h).
 *
 * pcm_env_load runs at the start of PCM_Init, before any MPI call on the world, so that a bad
 * value fails every rank alike (the environment of a job is the same everywhere, mpirun -x).
 * Numbers are decimal integers, nothing else on the line; flags are 0 or 1. Paths and names
 * are copied (the application may change its environment later).
 */
#include "pcm_internal.h"
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

pcm_env_settings pcm_env = {
    .reconnect_ms = 1000,
    .check_host = 1,
    .world_map = 1,
    .stall_ms = PCM_STALL_DEFAULT_MS,
    .eager_mb = 64,
    .spawn_timeout_ms = PCM_SPAWN_TIMEOUT_DEFAULT_MS,
    .spawn_tries = PCM_SPAWN_TRIES_DEFAULT,
    .yield = 1,
};

static int bad(const char *name, const char *value, const char *allowed) {
    fprintf(stderr, "[pcm error pid %d] PCM_Init: %s='%s' is not allowed: %s\n", (int)getpid(), name, value,
            allowed);
    fflush(stderr);
    return PCM_ERR_ENV;
}

static const char *value_of(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* An integer from min to max; def when unset. */
static int integer(const char *name, long min, long max, long def, long *out, const char *unit) {
    const char *v = value_of(name);
    *out = def;
    if (!v) return PCM_SUCCESS;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (errno || end == v || *end || x < min || x > max) {
        char allowed[160];
        snprintf(allowed, sizeof allowed, "an integer from %ld to %ld%s (unset: %ld)", min, max, unit, def);
        return bad(name, v, allowed);
    }
    *out = x;
    return PCM_SUCCESS;
}

/* 0 or 1; def when unset. */
static int flag(const char *name, int def, int *out, const char *meaning) {
    const char *v = value_of(name);
    *out = def;
    if (!v) return PCM_SUCCESS;
    if ((v[0] == '0' || v[0] == '1') && !v[1]) {
        *out = v[0] - '0';
        return PCM_SUCCESS;
    }
    char allowed[160];
    snprintf(allowed, sizeof allowed, "0 or 1 (%s; unset: %d)", meaning, def);
    return bad(name, v, allowed);
}

/* A string of 1 to max bytes, copied; NULL when unset. */
static int text(const char *name, size_t max, const char **out, const char *what) {
    free((void *)*out);
    *out = NULL;
    const char *v = value_of(name);
    if (!v) return PCM_SUCCESS;
    if (strlen(v) > max) {
        char allowed[160];
        snprintf(allowed, sizeof allowed, "%s of at most %zu bytes", what, max);
        return bad(name, v, allowed);
    }
    *out = strdup(v);
    return *out ? PCM_SUCCESS : PCM_ERR_NOMEM;
}

int pcm_env_load(void) {
    pcm_env_settings *e = &pcm_env;
    int rc;
    /* the socket path, before %h is expanded, must fit a Unix socket address */
    if ((rc = text("ROAM_AGENT_SOCKET", sizeof(((struct sockaddr_un *)0)->sun_path) - 1, &e->agent_socket,
                   "a socket path or none")) ||
        (rc = text("ROAM_HOST", PCM_HOST_MAX - 1, &e->host, "a host name")) ||
        (rc = text("ROAM_JOB_HOSTS", PCM_JOB_HOSTS_MAX - 1, &e->job_hosts, "host names, comma-separated,")) ||
        (rc = integer("ROAM_PCM_RECONNECT_MS", 1, PCM_ENV_RECONNECT_MS_MAX, 1000, &e->reconnect_ms, " ms")) ||
        (rc = flag("ROAM_PCM_CHECK_HOST", 1, &e->check_host, "0: do not check that a target host resolves")) ||
        (rc = flag("ROAM_PCM_DEBUG", 0, &e->debug, "1: log the agent conversation")) ||
        (rc = flag("ROAM_PCM_WORLD_MAP", 1, &e->world_map, "0: MPI_COMM_WORLD is not mapped to the PCM world")) ||
        (rc = integer("ROAM_PCM_STALL_MS", 0, PCM_ENV_STALL_MS_MAX, PCM_STALL_DEFAULT_MS, &e->stall_ms,
                      " ms, 0 = no watchdog")) ||
        (rc = integer("ROAM_PCM_EAGER_MB", 0, PCM_ENV_EAGER_MB_MAX, 64, &e->eager_mb, " MiB")) ||
        (rc = integer("ROAM_PCM_SPAWN_TIMEOUT_MS", 0, PCM_ENV_SPAWN_TIMEOUT_MS_MAX, PCM_SPAWN_TIMEOUT_DEFAULT_MS,
                      &e->spawn_timeout_ms, " ms, 0 = Open MPI's own 600 s")) ||
        (rc = integer("ROAM_PCM_SPAWN_TRIES", 1, PCM_ENV_SPAWN_TRIES_MAX, PCM_SPAWN_TRIES_DEFAULT, &e->spawn_tries,
                      " tries of one move's spawn")) ||
        (rc = flag("ROAM_PCM_ADD_HOST", 0, &e->add_host, "1: spawn with the add-host key")) ||
        (rc = flag("ROAM_PCM_YIELD", 1, &e->yield, "0: waiting ranks poll without yielding during a reconfiguration")) ||
        (rc = text("ROAM_PCM_KEEPER", PCM_PATH_MAX - 1, &e->keeper, "a path")) ||
        (rc = text("ROAM_PCM_TEST_GATE", PCM_PATH_MAX - 64, &e->test_gate, "a directory")) ||
        (rc = text("ROAM_PCM_TEST_RESIZE", PCM_JOB_HOSTS_MAX - 1, &e->test_resize,
                   "resize orders K:N[@host,host..] separated by ';'")))
        return rc;
    if (e->spawn_timeout_ms > 0 && e->spawn_timeout_ms < PCM_SPAWN_TIMEOUT_MIN_MS) {
        char allowed[160];
        snprintf(allowed, sizeof allowed, "0 (Open MPI's own 600 s) or an integer from %ld to %ld ms (unset: %ld)",
                 PCM_SPAWN_TIMEOUT_MIN_MS, PCM_ENV_SPAWN_TIMEOUT_MS_MAX, PCM_SPAWN_TIMEOUT_DEFAULT_MS);
        return bad("ROAM_PCM_SPAWN_TIMEOUT_MS", value_of("ROAM_PCM_SPAWN_TIMEOUT_MS"), allowed);
    }
    if (e->stall_ms > 0 && e->spawn_timeout_ms > 0 && e->spawn_timeout_ms * e->spawn_tries >= e->stall_ms) {
        /* the ranks that stay wait in one step while the spawn is tried: the watchdog would end the job first */
        fprintf(stderr,
                "[pcm warn pid %d] ROAM_PCM_SPAWN_TIMEOUT_MS=%ld x ROAM_PCM_SPAWN_TRIES=%ld is not below "
                "ROAM_PCM_STALL_MS=%ld: a spawn that never completes ends the job before its tries are used up\n",
                (int)getpid(), e->spawn_timeout_ms, e->spawn_tries, e->stall_ms);
        fflush(stderr);
    }
    const char *r = value_of("ROAM_PCM_REPLACEMENT");
    e->replacement = r != NULL;
    e->replacement_order = 0;
    if (r) {
        char *end;
        errno = 0;
        e->replacement_order = strtoull(r, &end, 10);
        if (errno || end == r || *end || *r == '-')
            return bad("ROAM_PCM_REPLACEMENT", r, "an order id (set by libpcm in a replacement; never set it)");
    }
    const char *j = value_of("ROAM_PCM_JOINER");
    e->joiner = j != NULL;
    e->joiner_order = 0;
    if (j) {
        char *end;
        errno = 0;
        e->joiner_order = strtoull(j, &end, 10);
        if (errno || end == j || *end || *j == '-')
            return bad("ROAM_PCM_JOINER", j, "an order id (set by libpcm in a process a grow started; never set it)");
    }
    return PCM_SUCCESS;
}

void pcm_env_default_socket(char *out, size_t cap) {
    if (geteuid() == 0) {
        snprintf(out, cap, "/run/roam/agent-%%h.sock");
        return;
    }
    const char *runtime = value_of("XDG_RUNTIME_DIR");
    struct stat st;
    if (runtime && stat(runtime, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(out, cap, "%s/roam/agent-%%h.sock", runtime);
        return;
    }
    struct passwd *pw = getpwuid(getuid());
    const char *home = pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : value_of("HOME");
    snprintf(out, cap, "%s/.roam/agent-%%h.sock", home ? home : "/tmp");
}
