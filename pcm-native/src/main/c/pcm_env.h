/*
 * pcm_env.h - every ROAM_* environment variable libpcm and its JNI binding read. Not installed.
 *
 * libpcm reads its variables in one place, pcm_env_load (pcm_env.c), at the start of each
 * PCM_Init, into pcm_env: a value out of its range fails PCM_Init with PCM_ERR_ENV and a line
 * on stderr naming the variable and what it allows. The rest of the library reads pcm_env,
 * never the environment. The one exception is the JNI binding (libroampcm_jni.so, a library
 * of its own that cannot see libpcm's internals): it reads ROAM_PCM_LIBMPI in JNI_OnLoad,
 * before MPI or PCM exist, through pcm_env_libmpi below.
 *
 * The table of the variables, for users, is in README.md ("Environment of a PCM process");
 * keep it and this file in step.
 *
 *   variable               field           allowed                        default
 *   ROAM_AGENT_SOCKET      agent_socket    a path (%h: host), or "none"   pcm_env_default_socket()
 *   ROAM_JOB_HOSTS         job_hosts       host names, comma-separated    unset (not known)
 *   ROAM_HOST              host            1..255 bytes                   gethostname()
 *   ROAM_PCM_RECONNECT_MS  reconnect_ms    1..3600000                     1000
 *   ROAM_PCM_CHECK_HOST    check_host      0, 1                           1
 *   ROAM_PCM_DEBUG         debug           0, 1                           0
 *   ROAM_PCM_WORLD_MAP     world_map       0, 1                           1
 *   ROAM_PCM_STALL_MS      stall_ms        0 (off), 1..86400000           60000
 *   ROAM_PCM_EAGER_MB      eager_mb        0..1048576                     64
 *   ROAM_PCM_ADD_HOST      add_host        0, 1                           0
 *   ROAM_PCM_YIELD         yield           0, 1                           1
 *   ROAM_PCM_KEEPER        keeper          a path                         roam-pcm-keeper beside libpcm
 *   ROAM_PCM_TEST_GATE     test_gate       a directory (test builds only) unset
 *   ROAM_PCM_REPLACEMENT   replacement     set by libpcm in a replacement unset
 *   ROAM_PCM_JOINER        joiner          set by libpcm in a grow's process unset
 *   ROAM_PCM_TEST_RESIZE   test_resize     K:N[@h1,h2,..][;K:N..] (tests) unset
 *   ROAM_PCM_LIBMPI        (JNI binding)   a libmpi file name or path     libmpi.so.40
 */
#ifndef ROAM_PCM_ENV_H
#define ROAM_PCM_ENV_H

#include <stdint.h>
#include <stdlib.h>

#define PCM_ENV_RECONNECT_MS_MAX 3600000L   /* 1 h */
#define PCM_ENV_STALL_MS_MAX 86400000L      /* 1 day */
#define PCM_ENV_EAGER_MB_MAX 1048576L       /* 1 TiB */
#define PCM_ENV_SPAWN_TIMEOUT_MS_MAX 3600000L   /* 1 h */
#define PCM_ENV_SPAWN_TRIES_MAX 10L

typedef struct {
    const char *agent_socket;   /* as given (%h not expanded); NULL: the default */
    const char *job_hosts;      /* mpirun's hosts, "a,b,c" (roam run sets it); NULL: not known */
    const char *host;           /* NULL: gethostname() */
    long reconnect_ms;
    int check_host;
    int debug;
    int world_map;
    long stall_ms;
    long eager_mb;
    long spawn_timeout_ms;
    long spawn_tries;
    int add_host;
    int yield;                  /* waiting ranks yield during a reconfiguration (pcm_yield.c) */
    const char *keeper;         /* NULL: beside libpcm */
    const char *test_gate;      /* NULL: unset; acted on by test builds only (PCM_TEST_GATES) */
    int replacement;            /* ROAM_PCM_REPLACEMENT is set ... */
    uint64_t replacement_order; /* ... to this order id */
    int joiner;                 /* ROAM_PCM_JOINER is set (a process spawned by a grow) ... */
    uint64_t joiner_order;      /* ... to this order id */
    const char *test_resize;    /* resize orders by iteration, read by rank 0 (pcm_resize_order.c) */
} pcm_env_settings;

/* The settings of the last PCM_Init (the defaults before the first one). */
extern pcm_env_settings pcm_env;

/* Read every variable into pcm_env: PCM_SUCCESS, or PCM_ERR_ENV after a line on stderr. */
int pcm_env_load(void);

/* The agent's socket when ROAM_AGENT_SOCKET is unset, as the agent computes it (RoamPaths.java):
 * /run/roam/agent-%h.sock for root, else $XDG_RUNTIME_DIR/roam/agent-%h.sock when that is a
 * directory, else ~/.roam/agent-%h.sock. */
void pcm_env_default_socket(char *out, size_t cap);

/* Longest ROAM_JOB_HOSTS, with its terminating zero (the wire's longest string, 4096 bytes). */
#define PCM_JOB_HOSTS_MAX 4097

/* The JNI binding's variable: the libmpi to load with RTLD_GLOBAL, def when unset. */
static inline const char *pcm_env_libmpi(const char *def) {
    const char *v = getenv("ROAM_PCM_LIBMPI");
    return v && *v ? v : def;
}

#endif
