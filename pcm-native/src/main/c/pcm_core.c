/*
 * pcm_core.c - the PCM API entry points: init, status, store/load, reconfigure, finalize.
 * The migration mechanics are in pcm_migrate.c, the agent socket in pcm_agent.c.
 */
#include "pcm_internal.h"
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pcm_global pcm_g = {.world = MPI_COMM_NULL, .parent = MPI_COMM_NULL, .pair = MPI_COMM_NULL};

#define CHECK_INIT()                                             \
    do {                                                         \
        if (!pcm_g.initialized || pcm_g.finalized) return PCM_ERR_NOT_INITIALIZED; \
    } while (0)

/* Read /proc/self/cmdline and /proc/self/exe: the replacement runs the same command. */
static int record_command_line(void) {
    ssize_t n = readlink("/proc/self/exe", pcm_g.exe, sizeof pcm_g.exe - 1);
    if (n <= 0) return PCM_ERR_INTERNAL;
    pcm_g.exe[n] = 0;
    static const char deleted[] = " (deleted)";   /* the file was replaced before PCM_Init: keep its path */
    size_t dl = sizeof deleted - 1;
    if ((size_t)n > dl && strcmp(pcm_g.exe + n - dl, deleted) == 0) pcm_g.exe[n - dl] = 0;
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return PCM_ERR_INTERNAL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) { close(fd); return PCM_ERR_NOMEM; }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r <= 0) break;
        len += (size_t)r;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    close(fd);
    int argc = 0;
    for (size_t i = 0; i < len; i++) if (buf[i] == 0) argc++;
    char **argv = calloc((size_t)argc + 1, sizeof *argv);
    if (!argv) { free(buf); return PCM_ERR_NOMEM; }
    for (size_t i = 0, k = 0; i < len && (int)k < argc; k++) {
        argv[k] = buf + i;
        i += strlen(buf + i) + 1;
    }
    pcm_g.argv = argv;   /* buf is owned through argv[0] */
    pcm_g.argc = argc;
    return PCM_SUCCESS;
}

static void make_job_id(char *out, size_t len) {
    char host[64];
    pcm_host_name(host, sizeof host);
    snprintf(out, len, "%.40s-%d-%llx", host, (int)getpid(),
             (unsigned long long)(pcm_now_real_ns() / 1000000ull) & 0xffffffffull);
}

/* A failed MPI call of PCM_Init: say which, in this process's log, and give PCM_ERR_MPI. */
static int init_mpi_failed(const char *what, int mpi_rc) {
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    if (PMPI_Error_string(mpi_rc, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "MPI error %d", mpi_rc);
    pcm_log("PCM_Init: %s failed: %s", what, text);
    return PCM_ERR_MPI;
}

/* A fresh start: the PCM world is a duplicate of MPI_COMM_WORLD. Its error handler is set
 * first, before any other call on it: every later failure returns instead of aborting.
 * (The duplication itself reports through MPI_COMM_WORLD's handler, the application's.) */
static int init_fresh(void) {
    int rc = PMPI_Comm_dup(MPI_COMM_WORLD, &pcm_g.world);
    if (rc != MPI_SUCCESS) {
        pcm_g.world = MPI_COMM_NULL;
        return init_mpi_failed("MPI_Comm_dup(MPI_COMM_WORLD)", rc);
    }
    const char *what = "MPI_Comm_set_errhandler(MPI_ERRORS_RETURN)";
    if ((rc = PMPI_Comm_set_errhandler(pcm_g.world, MPI_ERRORS_RETURN)) == MPI_SUCCESS &&
        (what = "MPI_Comm_rank", rc = PMPI_Comm_rank(pcm_g.world, &pcm_g.rank)) == MPI_SUCCESS &&
        (what = "MPI_Comm_size", rc = PMPI_Comm_size(pcm_g.world, &pcm_g.size)) == MPI_SUCCESS) {
        if (pcm_g.rank == 0) make_job_id(pcm_g.job_id, sizeof pcm_g.job_id);
        what = "MPI_Bcast of the job id";
        rc = PMPI_Bcast(pcm_g.job_id, PCM_JOB_MAX, MPI_CHAR, 0, pcm_g.world);
    }
    if (rc != MPI_SUCCESS) {
        PMPI_Comm_free(&pcm_g.world);
        pcm_g.world = MPI_COMM_NULL;
        return init_mpi_failed(what, rc);
    }
    pcm_g.restored = 0;
    pcm_g.original = 1;
    pcm_g.moves = 0;
    pcm_g.iteration = 0;
    return PCM_SUCCESS;
}

static void forget_command_line(void) {
    if (!pcm_g.argv) return;
    free(pcm_g.argv[0]);
    free(pcm_g.argv);
    pcm_g.argv = NULL;
    pcm_g.argc = 0;
}

int PCM_Init(MPI_Comm *world) {
    int mpi_init = 0;
    int mrc = PMPI_Initialized(&mpi_init);
    if (mrc != MPI_SUCCESS) return init_mpi_failed("MPI_Initialized", mrc);
    if (!mpi_init) return PCM_ERR_MPI_NOT_INIT;
    if (pcm_g.initialized && !pcm_g.finalized) return PCM_ERR_INITIALIZED;
    if (!world) return PCM_ERR_ARG;
    int rc = pcm_env_load();   /* every ROAM_* variable, checked (pcm_env.c) */
    if (!rc) rc = pcm_resize_test_load();
    if (rc) return rc;
    MPI_Comm parent = MPI_COMM_NULL;
    if ((mrc = PMPI_Comm_get_parent(&parent)) != MPI_SUCCESS) return init_mpi_failed("MPI_Comm_get_parent", mrc);
    forget_command_line();   /* of an earlier PCM_Init that failed */
    if ((rc = record_command_line())) return rc;
    pcm_host_name(pcm_g.host, sizeof pcm_g.host);
    /* a replacement has them from its predecessor instead (pcm_migrate_arrive) */
    snprintf(pcm_g.job_hosts, sizeof pcm_g.job_hosts, "%s", pcm_env.job_hosts ? pcm_env.job_hosts : "");
    pcm_g.t_init_mono = pcm_now_mono_ns();
    pcm_g.t_last_status_mono = 0;
    pcm_stall_start();   /* the watchdog over reconfigurations (pcm_stall.c) */

    if (parent != MPI_COMM_NULL && pcm_env.replacement) {
        pcm_g.mig_order_id = pcm_env.replacement_order;   /* the move, for stall reports */
        pcm_g.mig_rank = -1;
        memcpy(pcm_g.mig_host, pcm_g.host, sizeof pcm_g.mig_host);
        rc = pcm_migrate_arrive(parent, &pcm_g.world);   /* registers with the agent too */
        if (rc) {
            pcm_stall_leave();
            return rc;
        }
        pcm_g.restored = 1;
        pcm_g.skip_status = 1;
        pcm_g.job_moved = 1;
        pcm_stall_enter("MPI_Comm_dup (MPI_COMM_WORLD's stand-in over the new world)");
    } else if (parent != MPI_COMM_NULL && pcm_env.joiner) {
        rc = pcm_resize_arrive(parent, &pcm_g.world);   /* the larger world (pcm_resize.c) */
        if (rc) {
            pcm_stall_leave();
            return rc;
        }
    } else if ((rc = init_fresh()) != PCM_SUCCESS) {
        return rc;
    }
#ifndef PCM_TEST_GATES
    if (pcm_env.test_gate && pcm_g.original && pcm_g.rank == 0)   /* one line per job */
        pcm_log("ROAM_PCM_TEST_GATE is set, but this libpcm has no test gates (only its test build has): ignored");
#endif
    rc = pcm_map_open();   /* MPI_COMM_WORLD -> the PCM world */
    pcm_stall_leave();
    if (rc != PCM_SUCCESS) {
        if (!pcm_g.restored) {   /* a fresh start leaves nothing behind (a replacement cannot go back) */
            PMPI_Comm_free(&pcm_g.world);
            pcm_g.world = MPI_COMM_NULL;
        }
        return rc;
    }
    pcm_g.initialized = 1;
    pcm_g.finalized = 0;
    pcm_prof_start(pcm_g.size);
    if (!pcm_g.restored) pcm_agent_open();
    *world = pcm_g.world;
    if (pcm_g.restored) pcm_early_arm(1);   /* no communication on the world until PCM_Status */
    return PCM_SUCCESS;
}

int PCM_Process_Status(void) {
    CHECK_INIT();
    return pcm_g.restored ? PCM_STARTED_RESTORED : pcm_g.joined ? PCM_STARTED_JOINED : PCM_STARTED_FRESH;
}

int PCM_Moves(void) {
    CHECK_INIT();
    return pcm_g.moves;
}

int PCM_Store(const char *key, void *buffer, MPI_Datatype type, int count) {
    CHECK_INIT();
    if (count < 0) return PCM_ERR_ARG;
    int code = pcm_type_code(type);
    if (!code) return PCM_ERR_DATATYPE;
    return pcm_registry_put(&pcm_g.stored, key, buffer, code, count);
}

int PCM_Unstore(const char *key) {
    CHECK_INIT();
    return pcm_registry_remove(&pcm_g.stored, key);
}

static int find_restored(const char *key, MPI_Datatype type, int count, pcm_entry **out) {
    int rc = pcm_key_check(key);
    if (rc) return rc;
    if (!pcm_g.restored) return PCM_ERR_NO_STATE;
    pcm_entry *e = pcm_registry_find(&pcm_g.restored_state, key);
    if (!e) return PCM_ERR_KEY;
    if (count < 0) return PCM_ERR_ARG;
    if (pcm_type_code(type) != e->type_code) return PCM_ERR_TYPE;
    if ((int64_t)count != e->count) return PCM_ERR_COUNT;
    *out = e;
    return PCM_SUCCESS;
}

int PCM_Load(const char *key, void *buffer, MPI_Datatype type, int count) {
    CHECK_INIT();
    pcm_entry *e;
    int rc = find_restored(key, type, count, &e);
    if (rc) return rc;
    if (count > 0 && !buffer) return PCM_ERR_ARG;
    if (e->loaded && !e->data) return PCM_ERR_KEY;   /* loaded once and given back */
    if (!e->posted) {
        rc = pcm_transfer_receive(e, buffer);          /* straight into the buffer */
    } else {
        rc = pcm_transfer_wait(e);
        if (rc == PCM_SUCCESS && count > 0 && e->data != buffer) {
            pcm_buf_advise(buffer, pcm_entry_bytes(e));
            memcpy(buffer, e->data, pcm_entry_bytes(e));
        }
    }
    pcm_stall_leave();   /* a wait for the state (pcm_transfer_wait) is over */
    if (rc == PCM_SUCCESS) e->loaded = 1;
    return rc;
}

int PCM_Load_count(const char *key, int *count) {
    CHECK_INIT();
    int rc = pcm_key_check(key);
    if (rc) return rc;
    if (!count) return PCM_ERR_ARG;
    if (!pcm_g.restored) return PCM_ERR_NO_STATE;
    pcm_entry *e = pcm_registry_find(&pcm_g.restored_state, key);
    if (!e) return PCM_ERR_KEY;
    *count = (int)e->count;
    return PCM_SUCCESS;
}

typedef struct {
    uint64_t order_id;
    uint64_t t_order;
    int32_t resize, new_size;     /* a resize decision, to new_size processes */
    char host[PCM_HOST_MAX];
    char hosts[PCM_JOB_HOSTS_MAX];   /* a grow's hosts */
} decision_msg;

/* The pending resize order of this rank, if due and still meaningful at this size. */
static int resize_due(uint64_t it) {
    pcm_resize_order *o = &pcm_g.resize;
    if (!o->has || it < o->not_before) return 0;
    const char *why = NULL;
    if (o->new_size == pcm_g.size) why = "the job has that many processes already";
    else if (o->new_size > pcm_g.size + PCM_RESIZE_MAX_GROW) why = "a grow adds at most 64 processes at once";
    if (!why) return 1;
    pcm_resize_failed(o->order_id, o->new_size, PCM_ERR_ARG, why);
    o->has = 0;
    return 0;
}

int PCM_Status(MPI_Comm world) {
    CHECK_INIT();
    if (world != pcm_g.world) return PCM_ERR_COMM;
    if (pcm_g.rs_state) return PCM_ERR_NO_RESIZE;   /* a resize is decided and not over */
    if (pcm_early_guard) pcm_early_arm(0);   /* a replacement's start is over (pcm_early.c) */
    if (pcm_g.transfer_open) {
        int rc = pcm_transfer_finish();
        if (rc) return rc;
    }
    uint64_t now = pcm_now_mono_ns();
    if (pcm_g.t_last_status_mono) {
        pcm_g.iter_sum_ns += now - pcm_g.t_last_status_mono;
        pcm_g.iter_n++;
    }
    pcm_g.t_last_status_mono = now;
    if (pcm_g.skip_status) {
        /* A replacement (or a grow's process) resumes inside the round its predecessor
         * (the others) took part in. */
        pcm_g.skip_status = 0;
        pcm_agent_poll();
        return PCM_CONTINUE;
    }
    uint64_t it = pcm_g.iteration++;
    pcm_agent_poll();
    pcm_agent_heartbeat_if_due();
    pcm_resize_test_poll(it);

    int resize = resize_due(it);
    int mine = (resize || (pcm_g.order.has && it >= pcm_g.order.not_before)) ? pcm_g.rank : INT_MAX;
    int who = INT_MAX;
    if (PMPI_Allreduce(&mine, &who, 1, MPI_INT, MPI_MIN, world) != MPI_SUCCESS) return PCM_ERR_MPI;
    if (who == INT_MAX) return PCM_CONTINUE;

    decision_msg d = {0};
    if (who == pcm_g.rank && resize) {   /* a due resize goes first; a migration order waits */
        d.resize = 1;
        d.order_id = pcm_g.resize.order_id;
        d.t_order = pcm_g.resize.t_order;
        d.new_size = pcm_g.resize.new_size;
        memcpy(d.hosts, pcm_g.resize.hosts, sizeof d.hosts);
    } else if (who == pcm_g.rank) {
        d.order_id = pcm_g.order.order_id;
        d.t_order = pcm_g.order.t_order;
        memcpy(d.host, pcm_g.order.host, sizeof d.host);
    }
    if (PMPI_Bcast(&d, (int)sizeof d, MPI_BYTE, who, world) != MPI_SUCCESS) return PCM_ERR_MPI;
    if (d.resize) {
        pcm_g.rs_state = 1;
        pcm_g.rs_old = pcm_g.size;
        pcm_g.rs_new = d.new_size;
        pcm_g.rs_who = who;
        pcm_g.rs_order_id = d.order_id;
        pcm_g.rs_t_order = d.t_order;
        pcm_g.rs_m_decided = pcm_now_mono_ns();
        pcm_g.rs_spawn_ns = pcm_g.rs_world_ns = 0;
        memcpy(pcm_g.rs_hosts, d.hosts, sizeof d.hosts);
        pcm_g.rs_hosts[PCM_JOB_HOSTS_MAX - 1] = 0;
        if (who == pcm_g.rank) pcm_g.resize.has = 0;
        return PCM_RESIZE;
    }
    pcm_g.decided = 1;
    pcm_g.mig_rank = who;
    pcm_g.mig_order_id = d.order_id;
    pcm_g.mig_t_order = d.t_order;
    pcm_g.mig_t_decided = pcm_now_real_ns();
    memcpy(pcm_g.mig_host, d.host, sizeof d.host);
    pcm_g.mig_host[PCM_HOST_MAX - 1] = 0;
    if (who == pcm_g.rank) {
        pcm_g.order.has = 0;
        pcm_agent_send_started(d.order_id, it);
        return PCM_MIGRATE;
    }
    return PCM_RECONFIGURE;
}

int PCM_Migration_info(int *rank, char *host, int host_len) {
    CHECK_INIT();
    if (!pcm_g.decided) return PCM_ERR_NO_MIGRATION;
    if (rank) *rank = pcm_g.mig_rank;
    if (host && host_len > 0) snprintf(host, (size_t)host_len, "%s", pcm_g.mig_host);
    return PCM_SUCCESS;
}

int PCM_Reconfigure(MPI_Comm *world) {
    CHECK_INIT();
    if (!world) return PCM_ERR_ARG;
    if (*world != pcm_g.world) return PCM_ERR_COMM;
    if (!pcm_g.decided) return PCM_ERR_NO_MIGRATION;
    pcm_g.decided = 0;
    int rc = (pcm_g.mig_rank == pcm_g.rank) ? pcm_migrate_depart(world) : pcm_migrate_stay(world);
    if (rc != PCM_SUCCESS) {
        pcm_stall_leave();
        return rc;
    }
    pcm_g.job_moved = 1;
    pcm_g.world = *world;
    pcm_stall_enter("MPI_Comm_dup (MPI_COMM_WORLD's stand-in over the new world)");
    rc = pcm_map_open();   /* the replacement makes its duplicate in PCM_Init */
    pcm_stall_leave();
    return rc;
}

int PCM_Finalize(MPI_Comm *world) {
    CHECK_INIT();
    if (!world || *world != pcm_g.world) return PCM_ERR_COMM;
    pcm_early_arm(0);
    int rc = pcm_transfer_finish();
    int end = pcm_end_agree(pcm_g.world);   /* collective: how the job ends (pcm_end.c) */
    if (rc == PCM_SUCCESS) rc = end;
    pcm_agent_send_bye(0);
    pcm_agent_close();
    pcm_prof_stop();
    pcm_map_close();
    PMPI_Comm_free(&pcm_g.world);
    *world = MPI_COMM_NULL;
    pcm_g.world = MPI_COMM_NULL;
    pcm_registry_clear(&pcm_g.stored);
    pcm_registry_clear(&pcm_g.restored_state);
    forget_command_line();
    pcm_g.finalized = 1;
    pcm_g.initialized = 0;
    return rc;
}
