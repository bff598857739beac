/*
 * pcm_internal.h - what the parts of libpcm share. Not installed.
 */
#ifndef ROAM_PCM_INTERNAL_H
#define ROAM_PCM_INTERNAL_H

#include "pcm.h"
#include "pcm_env.h"
#include "pcm_wire.h"
#include <stdint.h>
#include <stddef.h>

#define PCM_HOST_MAX 256
#define PCM_JOB_MAX 64
#define PCM_PATH_MAX 4096

/* ---- time (pcm_util.c) ---- */
uint64_t pcm_now_mono_ns(void);
uint64_t pcm_now_real_ns(void);
void pcm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pcm_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* MPI_Bcast that sleeps while it waits (pcm_util.c); every process of the broadcast calls it. */
int pcm_bcast_sleeping(void *buf, int count, MPI_Datatype type, int root, MPI_Comm comm);
/* A round trip through this process's Open MPI daemon to mpirun, after a spawn and before the
 * new process is built into a communicator: the daemon then knows its job (pcm_util.c). */
void pcm_daemon_sync(void);
/* Open MPI's yield_when_idle on for a reconfiguration, the job's own setting back after it
 * (pcm_yield.c; called by pcm_stall_begin and pcm_stall_leave). */
void pcm_yield_begin(void);
void pcm_yield_end(void);
/* The test gates (ROAM_PCM_TEST_GATE): in the test build only (pcm_gate.c, -DPCM_TEST_GATES);
 * in the production library PCM_TEST_GATE(phase) compiles to nothing. */
#ifdef PCM_TEST_GATES
void pcm_test_gate(const char *phase);
void pcm_test_gate_in(const char *dir, const char *phase);
#define PCM_TEST_GATE(phase) pcm_test_gate(phase)
/* Before MPI_Init, where pcm_env is not loaded yet (pcm_init.c). */
#define PCM_TEST_GATE_EARLY(phase) pcm_test_gate_in(getenv("ROAM_PCM_TEST_GATE"), phase)
#else
#define PCM_TEST_GATE(phase) ((void)0)
#define PCM_TEST_GATE_EARLY(phase) ((void)0)
#endif
/* This host's name as the agent should know it: ROAM_HOST, else gethostname. */
void pcm_host_name(char *out, size_t len);
int pcm_job_host(const char *host);   /* host is one of pcm_g.job_hosts, or they are not known */
int pcm_host_in_list(const char *list, const char *host);   /* host is one of "a,b" */

/* ---- may a process of the job be started on a host (pcm_target.c) ---- */
/* PCM_SUCCESS, or the error code and why in why: the host does not resolve, a spawn of the
 * job stalled there, or it is not one of the job's hosts. what: "moves" or "grows". */
int pcm_target_refused(const char *host, const char *what, char *why, size_t len);
/* 1 (and why) if the program file a new process would run is no longer this process's (pcm_target.c) */
int pcm_program_replaced(const char *what, char *why, size_t len);
int pcm_stalled_host(const char *host);   /* a spawn onto host stalled earlier in this job */
void pcm_stalled_add(const char *host);
size_t pcm_hosts_packed_len(void);        /* the job's hosts and the stalled ones, as metadata carries them */
void pcm_hosts_pack(unsigned char *dst);  /* pcm_hosts_packed_len() bytes */
void pcm_hosts_unpack(const unsigned char *src, size_t len);
int pcm_host_resolves(const char *host);   /* pcm_target.c: getaddrinfo, unless ROAM_PCM_CHECK_HOST=0 */

/* ---- datatypes (pcm_state.c) ---- */
/* Stable wire codes for the predefined MPI datatypes PCM can store; 0 = unsupported. */
int pcm_type_code(MPI_Datatype type);
size_t pcm_type_code_size(int code);
const char *pcm_type_code_name(int code);

/* ---- the state registry (pcm_state.c) ---- */
typedef struct pcm_entry {
    char key[PCM_MAX_KEY + 1];
    int type_code;
    int64_t count;
    void *data;          /* stored: the application's buffer; restored: see loaded */
    int owned;           /* restored: data is a library buffer (pcm_buf_alloc) to free */
    int received;        /* restored: the bytes have arrived */
    int loaded;          /* restored: PCM_Load copied it out at least once */
    int posted;          /* restored: its receives are posted */
    int first_req, n_req;  /* restored: its receive requests in pcm_g.reqs */
    struct pcm_entry *next;
} pcm_entry;

typedef struct {
    pcm_entry *head;
    pcm_entry *tail;
    int n;
} pcm_registry;

int pcm_key_check(const char *key);
pcm_entry *pcm_registry_find(const pcm_registry *r, const char *key);
/* Add or update key -> (data, code, count). */
int pcm_registry_put(pcm_registry *r, const char *key, void *data, int code, int64_t count);
int pcm_registry_remove(pcm_registry *r, const char *key);
uint64_t pcm_registry_bytes(const pcm_registry *r);
void pcm_registry_clear(pcm_registry *r);
/* Library buffers for state: page-aligned anonymous memory, backed by transparent huge
 * pages where the kernel allows, so that faulting it in costs little. */
void *pcm_buf_alloc(uint64_t bytes);
void pcm_buf_free(void *p, uint64_t bytes);
/* Ask for huge pages on the 2 MiB-aligned interior of an application buffer that is
 * about to be written in full (a no-op for small buffers). */
void pcm_buf_advise(void *p, uint64_t bytes);
static inline uint64_t pcm_entry_bytes(const pcm_entry *e) {
    return (uint64_t)e->count * pcm_type_code_size(e->type_code);
}

/* ---- the agent connection (pcm_agent.c) ---- */
typedef struct {
    int has;
    uint64_t order_id;
    char host[PCM_HOST_MAX];
    uint64_t not_before;
    uint64_t t_order;   /* realtime ns when read */
} pcm_order;

typedef struct {
    uint64_t order_id;
    char job_id[PCM_JOB_MAX];
    int rank;
    char source_host[PCM_HOST_MAX];
    int source_pid;
    uint64_t state_bytes;
    uint64_t t_order, t_decided, t_spawned, t_merged, t_transferred, t_resumed;
} pcm_done_report;

void pcm_agent_open(void);            /* connect and REGISTER; no agent: one line on stderr */
void pcm_agent_poll(void);            /* read pending frames, reconnect if due */
void pcm_agent_heartbeat_if_due(void);
void pcm_agent_send_started(uint64_t order_id, uint64_t iteration);
void pcm_agent_send_progress(uint64_t order_id, uint64_t sent, uint64_t total); /* while the state moves */
void pcm_agent_send_failed(uint64_t order_id, int code, const char *msg);   /* logs "migration order" */
void pcm_agent_send_failed_frame(uint64_t order_id, int code, const char *msg);   /* the frame alone */
void pcm_agent_send_done(const pcm_done_report *d);
void pcm_agent_send_bye(int reason);
void pcm_agent_send_resize_done(const pcm_resize_report *rep);   /* rank 0 of the new world */
/* From the stall watchdog's thread: the socket is guarded by a mutex (pcm_agent.c). */
void pcm_agent_send_stalled(uint64_t order_id, uint32_t rank, uint64_t waited_ms, const char *detail);
void pcm_agent_close(void);
int pcm_agent_connected(void);
/* PCM_Malleable: adds flags (PCM_FLAG_*) to what this process declares, sent in PROCESS_FLAGS now
 * if connected and after every REGISTER; pcm_agent_flags: what it declared so far. */
void pcm_agent_add_flags(uint32_t flags);
uint32_t pcm_agent_flags(void);

/* ---- profiling (pcm_prof.c) ---- */
void pcm_prof_start(int world_size);
void pcm_prof_stop(void);
uint64_t pcm_prof_mpi_ns(void);
int pcm_prof_peers(int *ranks, uint64_t *msgs, uint64_t *bytes, int max);

/* ---- MPI_COMM_WORLD mapping (pcm_map.c; the wrappers: pcm_map.list, pcm_prof.c) ---- */
/* What an MPI_COMM_WORLD argument stands for: MPI_COMM_WORLD itself, or (mapping on,
 * between PCM_Init and PCM_Finalize) a duplicate of the application's PCM world. */
extern MPI_Comm pcm_map_world;
int pcm_map_open(void);       /* collective over pcm_g.world: (re)make the duplicate */
void pcm_map_close(void);     /* MPI_COMM_WORLD is itself again */
int pcm_map_predefined_key(int keyval);   /* MPI_TAG_UB, MPI_APPNUM, ... */
static inline MPI_Comm pcm_map(MPI_Comm c) {
    return c == MPI_COMM_WORLD ? __atomic_load_n(&pcm_map_world, __ATOMIC_ACQUIRE) : c;
}
/* Attribute queries: the predefined attributes are the real MPI_COMM_WORLD's. */
static inline MPI_Comm pcm_map_attr(MPI_Comm c, int keyval) {
    return pcm_map_predefined_key(keyval) ? c : pcm_map(c);
}

/* ---- the rule of a replacement's start (pcm_early.c) ---- */
/* mpirun's exit code when a replacement communicates on the world before its first
 * PCM_Status (EX_SOFTWARE: a program error). */
#define PCM_EARLY_ABORT_CODE 70
extern int pcm_early_guard;     /* set in a replacement from PCM_Init to its first PCM_Status */
void pcm_early_arm(int on);
/* A communication call on comm: MPI_SUCCESS if allowed; on the world while armed it reports
 * and aborts the job (or, in unit tests, returns what pcm_early_test_hook returns). */
int pcm_early_refuse(const char *call, MPI_Comm comm);
extern int (*pcm_early_test_hook)(const char *call, const char *comm_name);   /* unit tests only */

/* ---- the stall watchdog (pcm_stall.c) ---- */
/* mpirun's exit code when a reconfiguration stalled and the job was ended (EX_TEMPFAIL:
 * the program may be run again). */
#define PCM_STALL_EXIT_CODE 75
#define PCM_STALL_DEFAULT_MS 60000L          /* ROAM_PCM_STALL_MS when unset; 0 = off */
#define PCM_STALL_GRACE_NS 10000000000ull    /* at most, between the report and the end */
/* A spawn that never completes (pcm_init.c): ROAM_PCM_SPAWN_TIMEOUT_MS when unset (0 = Open
 * MPI's own 600 s; else at least 2000) and the tries of one move's spawn (ROAM_PCM_SPAWN_TRIES). */
#define PCM_SPAWN_TIMEOUT_DEFAULT_MS 20000L
#define PCM_SPAWN_TIMEOUT_MIN_MS 2000L
#define PCM_SPAWN_TRIES_DEFAULT 1L
long pcm_spawn_timeout_ms_from_env(void);
enum { PCM_STALL_STAYING, PCM_STALL_DEPARTING, PCM_STALL_ARRIVING };
void pcm_stall_start(void);              /* PCM_Init: the watchdog thread (once per process) */
void pcm_stall_begin(int role);          /* a reconfiguration begins in this process, in this role */
void pcm_stall_enter(const char *what);  /* the MPI call and step now waited in: progress */
void pcm_stall_progress(void);           /* the step moves on (a state chunk): progress */
void pcm_stall_leave(void);              /* the reconfiguration is over here */

/* ---- migration (pcm_migrate.c) ---- */
int pcm_migrate_depart(MPI_Comm *world);     /* the migrating rank: never returns on success */
int pcm_migrate_stay(MPI_Comm *world);       /* every other rank */
int pcm_migrate_arrive(MPI_Comm parent, MPI_Comm *world); /* PCM_Init in a replacement */
int pcm_transfer_post_sends(MPI_Comm inter, MPI_Request **reqs, int *n);
int pcm_transfer_wait_sends(MPI_Request *reqs, int n, uint64_t order_id);
int pcm_transfer_await_receipt(MPI_Comm inter); /* the replacement's word that all arrived: its rc */
int pcm_transfer_post_receives(MPI_Comm parent);
int pcm_transfer_receive(pcm_entry *target, void *user_buf); /* PCM_Load of a pending entry */
int pcm_transfer_wait(pcm_entry *upto);     /* the state up to this entry (NULL: all) has arrived */
int pcm_transfer_finish(void);               /* all arrived; disconnect; report MIGRATION_DONE */

/* ---- resizing the job (pcm_resize.c, pcm_resize_order.c; redistribution: pcm_redist.c) ---- */
#define PCM_RESIZE_MAX_GROW 64        /* processes one grow may add */
typedef struct {
    int has;
    uint64_t order_id;
    int new_size;
    char hosts[PCM_JOB_HOSTS_MAX];    /* the new processes' hosts, "a,b" (cycled); "": this host */
    uint64_t not_before;
    uint64_t t_order;
} pcm_resize_order;
/* An order (agent frame or test hook): checked (size, hosts), then pending; else why. */
int pcm_resize_accept(uint64_t order_id, int new_size, const char *hosts, uint64_t not_before, char *why,
                      size_t why_len);
int pcm_resize_test_load(void);                 /* PCM_Init: ROAM_PCM_TEST_RESIZE, checked */
void pcm_resize_test_poll(uint64_t iteration);  /* PCM_Status on rank 0: a due test order is pending */
int pcm_resize_arrive(MPI_Comm parent, MPI_Comm *world);   /* PCM_Init in a process a grow spawned */
/* A resize order failed or was refused: MIGRATION_FAILED with "resize to N processes ...: why". */
void pcm_resize_failed(uint64_t order_id, int new_size, int code, const char *why);
MPI_Info pcm_spawn_info(const char *host, const char *role_var, uint64_t order_id);   /* pcm_migrate.c */
int pcm_keep_round_mask(MPI_Comm world, const unsigned char *leaving);   /* pcm_keep.c: several leave */

/* ---- keeping the original job known on the hosts it left (pcm_keep.c) ---- */
#define PCM_KEEPERS_MAX 64
typedef struct {
    char host[PCM_HOST_MAX];
    int32_t port, pad;
} pcm_keeper;
/* Collective, in a move's round: does the mover stay as keeper? In two halves: post (before the
 * spawn, every rank), then finish, or cancel when the spawn failed. */
typedef struct {
    uint64_t mine[2];
    uint64_t *all;
    MPI_Request req;
} pcm_keep_pending;
int pcm_keep_post(MPI_Comm world, pcm_keep_pending *p);
int pcm_keep_finish(MPI_Comm world, pcm_keep_pending *p);
void pcm_keep_cancel(pcm_keep_pending *p);
void pcm_keep_wait_if_keeper(void);      /* the departed process: waits there until released, or returns */
void pcm_keep_release_all(void);         /* at the job's end (rank 0): every keeper exits */

/* ---- the end of a process (pcm_end.c) ---- */
int pcm_end_agree(MPI_Comm world);   /* PCM_Finalize, collective: did a rank of the job ever move? */
void pcm_end_departed(void) __attribute__((noreturn));   /* a rank that moved away: BYE, _exit(0) */
int pcm_end_skips_finalize(void);    /* agreed: MPI_Finalize will not call PMPI_Finalize */

/* ---- global state (pcm_core.c) ---- */
typedef struct {
    int initialized;
    int finalized;
    MPI_Comm world;
    int rank, size;
    char job_id[PCM_JOB_MAX];
    char host[PCM_HOST_MAX];
    char job_hosts[PCM_JOB_HOSTS_MAX];   /* the hosts mpirun started the job on, "a,b"; "": not known */
    char stalled_hosts[PCM_JOB_HOSTS_MAX];   /* where a spawn of the job stalled, "a,b" (pcm_target.c) */
    int restored;
    int original;                 /* started by mpirun, not a replacement */
    pcm_keeper keepers[PCM_KEEPERS_MAX];   /* original processes that stay where the job left (pcm_keep.c) */
    int n_keepers;
    int moves;
    int job_moved;                /* a rank of the job moved while this process was in it */
    uint64_t iteration;
    int skip_status;              /* replacement: the first PCM_Status is its predecessor's */
    uint64_t t_init_mono;
    /* iteration cadence since the last heartbeat */
    uint64_t t_last_status_mono;
    uint64_t iter_sum_ns;
    uint64_t iter_n;
    /* the command line, for the replacement */
    char exe[PCM_PATH_MAX];
    char **argv;        /* argv[0..argc-1], NULL terminated */
    int argc;
    /* state */
    pcm_registry stored;
    pcm_registry restored_state;
    /* migration */
    pcm_order order;              /* pending order from the agent */
    int decided;                  /* a PCM_Status decision awaits PCM_Reconfigure */
    int mig_rank;
    char mig_host[PCM_HOST_MAX];
    uint64_t mig_order_id, mig_t_order, mig_t_decided;
    /* replacement: transfer from the old process */
    MPI_Comm parent;              /* intercommunicator with the old process */
    MPI_Comm pair;                /* old (0) + this (1) */
    MPI_Request *reqs;            /* receives of the state, posted at arrival */
    int n_reqs;
    int transfer_open;            /* the old process is still connected */
    pcm_done_report done;         /* sent when the transfer completes */
    /* resize (pcm_resize.c) */
    pcm_resize_order resize;      /* pending order */
    int rs_state;                 /* 0 none, 1 decided (PCM_RESIZE), 2 begun (between begin and end) */
    int rs_old, rs_new, rs_who;
    uint64_t rs_order_id;
    char rs_hosts[PCM_JOB_HOSTS_MAX];
    uint64_t rs_t_order;          /* realtime ns the order reached its rank */
    /* monotonic ns: decided (PCM_Status), spawn over, begin over, end entered; phases (ns) */
    uint64_t rs_m_decided, rs_m_begun, rs_m_end, rs_spawn_ns, rs_world_ns;
    int joined;                   /* this process was started by a grow */
} pcm_global;

extern pcm_global pcm_g;

#endif
