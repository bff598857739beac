/*
 * pcm_migrate.c - moving one rank: spawn, metadata, communicator surgery, state stream.
 *
 * The migrating rank r spawns its replacement alone (over MPI_COMM_SELF), so that a
 * failed spawn is a local error that r announces to the others with one broadcast: no
 * rank is left inside a collective spawn. On success:
 *
 *   r:      spawn -> inter(r, new) -> send metadata -> merge -> pair(r=0, new=1)
 *   world:  Intercomm_create(world, leader r, peer pair) <-> new: (SELF, peer pair)
 *           -> merge -> big (old ranks 0..n-1, new = n)
 *           -> split(color: r undefined, key: rank; new takes key r) -> the new world
 *   r:      streams the stored state over inter, waits for the replacement's receipt,
 *           frees pair, disconnects inter, says BYE
 *           and _exit(0)s at once (pcm_end.c: how the job then ends without it).
 *
 * The state stream (pcm_transfer.c) starts right after the metadata and overlaps the
 * communicator surgery: r posts its sends at once, the replacement posts its receives
 * into library buffers before it merges. The other ranks resume as soon as the new world
 * exists.
 *
 * Every process marks the MPI call and step it waits in (pcm_stall_enter): a step that
 * never ends is reported and ends the job instead of hanging it (pcm_stall.c).
 *
 * Never MPI_Comm_disconnect a merged intracommunicator (it hangs in Open MPI 4.1); free it,
 * then disconnect the intercommunicator (docs/architecture.md, "A migration, as implemented",
 * step 6).
 */
#define _GNU_SOURCE
#include "pcm_internal.h"
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define META_MAGIC 0x5243504du  /* "RCPM" */
#define META_VERSION 3
#define TAG_META 7001
#define TAG_IC 7002
/* The spawn's outcome, broadcast by the departing rank: the move goes on, or it failed, at
 * once or by running into ROAM_PCM_SPAWN_TIMEOUT_MS (then its host is listed, pcm_target.c). */
#define OUTCOME_FAILED 0
#define OUTCOME_OK 1
#define OUTCOME_STALLED 2

typedef struct {
    uint32_t magic, version;
    char job_id[PCM_JOB_MAX];
    int32_t rank, size, moves, source_pid;
    uint64_t iteration, order_id, t_order, t_decided, t_spawned;
    char source_host[PCM_HOST_MAX];
    int32_t n_entries, n_keepers;   /* followed by the entries, then the keepers, */
    int32_t job_hosts_len, pad;     /* then the job's hosts (no terminating zero) */
} meta_header;

typedef struct {
    char key[PCM_MAX_KEY + 1];
    int32_t type_code, pad;
    int64_t count;
} meta_entry;

/* The spawn's info for one process on host; role_var (ROAM_PCM_REPLACEMENT or ROAM_PCM_JOINER)
 * tells it what it is, set to order_id. */
MPI_Info pcm_spawn_info(const char *host, const char *role_var, uint64_t order_id) {
    MPI_Info info;
    PMPI_Info_create(&info);
    PMPI_Info_set(info, pcm_env.add_host ? "add-host" : "host", (char *)host);
    char cwd[PCM_PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) PMPI_Info_set(info, "wdir", cwd);
    /* A spawned job gets Open MPI's default binding for its own size (one process: a core),
     * whatever its parent's: a rank of an unbound job (mpirun --oversubscribe, or bind-to
     * none) would come back pinned to one core, and on hosts that share cores with other
     * ranks be slower than before it left. So the new process is bound as this one is. */
    cpu_set_t mine;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (sched_getaffinity(0, sizeof mine, &mine) == 0 && online > 0 && CPU_COUNT(&mine) >= online)
        PMPI_Info_set(info, "bind_to", "none");
    char env[PCM_HOST_MAX + 2 * PCM_PATH_MAX];
    /* The replacement maps MPI_COMM_WORLD as this process does, whatever its environment, and
     * libpcm's own settings follow the rank (mpirun's -x list does not reach spawned processes
     * on every launcher): their values as this process has them (pcm_env.c). */
    /* A new process has no TCP connection yet, and Open MPI then polls its sockets (libevent)
     * only every 10 ms: the first message to it (the metadata) waited 9 ms for its accept,
     * measured across namespace hosts (benchmarks/results/pcm-migration-hosts-runs/README.md).
     * So it polls every 100 us, unless the job sets mpi_event_tick_rate itself. */
    const char *tick = getenv("OMPI_MCA_mpi_event_tick_rate");
    int n = snprintf(env, sizeof env,
                     "%s=%llu\nROAM_HOST=%s\nROAM_PCM_WORLD_MAP=%d\n"
                     "ROAM_PCM_RECONNECT_MS=%ld\nROAM_PCM_STALL_MS=%ld\nROAM_PCM_YIELD=%d\n"
                     "OMPI_MCA_mpi_event_tick_rate=%s",
                     role_var, (unsigned long long)order_id, host, PCM_Get_world_map() == 1, pcm_env.reconnect_ms,
                     pcm_env.stall_ms, pcm_env.yield, tick && *tick && strlen(tick) < 16 ? tick : "100");
#ifdef PCM_TEST_GATES
    if (pcm_env.test_gate && n > 0 && (size_t)n < sizeof env)
        snprintf(env + n, sizeof env - (size_t)n, "\nROAM_PCM_TEST_GATE=%s", pcm_env.test_gate);
#else
    (void)n;
#endif
    PMPI_Info_set(info, "env", env);
    return info;
}

static int send_metadata(MPI_Comm inter, uint64_t t_spawned) {
    int n = pcm_g.stored.n;
    size_t hosts_len = pcm_hosts_packed_len();
    size_t len = sizeof(meta_header) + (size_t)n * sizeof(meta_entry) + (size_t)pcm_g.n_keepers * sizeof(pcm_keeper)
                 + hosts_len;
    unsigned char *buf = calloc(1, len);
    if (!buf) return PCM_ERR_NOMEM;
    meta_header *h = (meta_header *)buf;
    h->magic = META_MAGIC;
    h->version = META_VERSION;
    memcpy(h->job_id, pcm_g.job_id, sizeof h->job_id);
    h->rank = pcm_g.rank;
    h->size = pcm_g.size;
    h->moves = pcm_g.moves;
    h->source_pid = (int32_t)getpid();
    h->iteration = pcm_g.iteration;
    h->order_id = pcm_g.mig_order_id;
    h->t_order = pcm_g.mig_t_order;
    h->t_decided = pcm_g.mig_t_decided;
    h->t_spawned = t_spawned;
    memcpy(h->source_host, pcm_g.host, sizeof h->source_host);
    h->n_entries = n;
    h->n_keepers = pcm_g.n_keepers;
    h->job_hosts_len = (int32_t)hosts_len;
    meta_entry *me = (meta_entry *)(buf + sizeof *h);
    int i = 0;
    for (pcm_entry *e = pcm_g.stored.head; e; e = e->next, i++) {
        memcpy(me[i].key, e->key, sizeof me[i].key);
        me[i].type_code = e->type_code;
        me[i].count = e->count;
    }
    memcpy(me + n, pcm_g.keepers, (size_t)pcm_g.n_keepers * sizeof(pcm_keeper));
    pcm_hosts_pack((unsigned char *)(me + n) + (size_t)pcm_g.n_keepers * sizeof(pcm_keeper));
    int rc = PMPI_Send(buf, (int)len, MPI_BYTE, 0, TAG_META, inter);
    free(buf);
    return rc == MPI_SUCCESS ? PCM_SUCCESS : PCM_ERR_MPI;
}

/* Every rank of the old world, r included: build the world with the newcomer in r's place. */
static int join(MPI_Comm *world, MPI_Comm pair) {
    int r = pcm_g.mig_rank;
    int me = pcm_g.rank;
    MPI_Comm inter2, big, nw = MPI_COMM_NULL;
    pcm_stall_enter("MPI_Intercomm_create (building the new world: the old ranks meet the replacement)");
    if (PMPI_Intercomm_create(*world, r, me == r ? pair : *world, 1, TAG_IC, &inter2) != MPI_SUCCESS)
        return PCM_ERR_MPI;
    pcm_stall_enter("MPI_Intercomm_merge (building the new world)");
    if (PMPI_Intercomm_merge(inter2, 0, &big) != MPI_SUCCESS) return PCM_ERR_MPI;
    pcm_stall_enter("MPI_Comm_split (building the new world)");
    if (PMPI_Comm_split(big, me == r ? MPI_UNDEFINED : 0, me, &nw) != MPI_SUCCESS) return PCM_ERR_MPI;
    PMPI_Comm_free(&big);
    PMPI_Comm_free(&inter2);
    PMPI_Comm_free(world);
    *world = nw;
    return PCM_SUCCESS;
}

/* Every rank, once the spawn's outcome says it failed: the round ends, and a stalled host is listed. */
static void spawn_failed(int outcome, pcm_keep_pending *keep) {
    pcm_keep_cancel(keep);
    pcm_stall_leave();
    if (outcome == OUTCOME_STALLED) pcm_stalled_add(pcm_g.mig_host);
}

int pcm_migrate_depart(MPI_Comm *world) {
    char **args = pcm_g.argc > 1 ? pcm_g.argv + 1 : MPI_ARGV_NULL;
    MPI_Info info = pcm_spawn_info(pcm_g.mig_host, "ROAM_PCM_REPLACEMENT", pcm_g.mig_order_id);
    MPI_Comm inter = MPI_COMM_NULL;
    int errcode = MPI_SUCCESS, rc = MPI_SUCCESS;
    PMPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
    pcm_stall_begin(PCM_STALL_DEPARTING);
    /* The keep round's allgather runs during the spawn (pcm_keep.c), not after it. */
    pcm_keep_pending keep;
    if ((rc = pcm_keep_post(*world, &keep)) != PCM_SUCCESS) {
        PMPI_Info_free(&info);
        return rc;
    }
    PCM_TEST_GATE("spawn");
    char replaced[512] = "";   /* the program file changed since the order arrived: no spawn (pcm_target.c) */
    int no_spawn = pcm_program_replaced("moves", replaced, sizeof replaced);
    long try = 1, took_ms = 0;
    for (; !no_spawn; try++) {
        pcm_stall_enter(try == 1 ? "MPI_Comm_spawn (starting the replacement)"
                                 : "MPI_Comm_spawn (starting the replacement, again)");
        uint64_t t0 = pcm_now_mono_ns();
        errcode = MPI_SUCCESS;
        rc = PMPI_Comm_spawn(pcm_g.exe, args, 1, info, 0, MPI_COMM_SELF, &inter, &errcode);
        if (rc == MPI_SUCCESS && errcode == MPI_SUCCESS) break;
        /* Only a spawn that ran into the timeout is tried again (pcm_init.c: it fails at the
         * timeout, on ORTE's 2 s tick): one that failed fast (a host Open MPI does not know, a program that does not start) would
         * fail the same way. */
        took_ms = (long)((pcm_now_mono_ns() - t0) / 1000000ull);
        if (try >= pcm_env.spawn_tries || pcm_env.spawn_timeout_ms <= 0 || took_ms < pcm_env.spawn_timeout_ms / 2)
            break;
        pcm_log("MPI_Comm_spawn on host '%s' did not complete within %ld ms (ROAM_PCM_SPAWN_TIMEOUT_MS=%ld: Open "
                "MPI's start of the replacement stalled); trying again (try %ld of %ld)",
                pcm_g.mig_host, took_ms, pcm_env.spawn_timeout_ms, try + 1, pcm_env.spawn_tries);
    }
    PMPI_Info_free(&info);
    int ok = no_spawn ? OUTCOME_FAILED
             : (rc == MPI_SUCCESS && errcode == MPI_SUCCESS) ? OUTCOME_OK
             : pcm_env.spawn_timeout_ms > 0 && took_ms >= pcm_env.spawn_timeout_ms / 2 ? OUTCOME_STALLED
                                                                                   : OUTCOME_FAILED;
    uint64_t t_spawned = pcm_now_real_ns();
    pcm_stall_enter("MPI_Bcast (telling the other ranks the spawn's outcome)");
    if (pcm_bcast_sleeping(&ok, 1, MPI_INT, pcm_g.rank, *world) != MPI_SUCCESS) return PCM_ERR_MPI;
    if (no_spawn) {
        spawn_failed(ok, &keep);
        pcm_agent_send_failed(pcm_g.mig_order_id, PCM_ERR_SPAWN, replaced);
        return PCM_ERR_SPAWN;
    }
    if (ok != OUTCOME_OK) {
        spawn_failed(ok, &keep);
        char msg[PCM_HOST_MAX + MPI_MAX_ERROR_STRING + 256], err[MPI_MAX_ERROR_STRING];
        int len = 0;
        PMPI_Error_string(rc != MPI_SUCCESS ? rc : errcode, err, &len);
        snprintf(msg, sizeof msg, "MPI_Comm_spawn on host '%s' failed: %s (after %ld ms, try %ld of %ld)%s",
                 pcm_g.mig_host, err, took_ms, try, pcm_env.spawn_tries,
                 ok == OUTCOME_STALLED ? "; Open MPI's start of a process there stalled, so further moves and grows"
                                         " there are refused for the rest of the job" : "");
        pcm_agent_send_failed(pcm_g.mig_order_id, PCM_ERR_SPAWN, msg);
        return PCM_ERR_SPAWN;
    }
    pcm_stall_enter("MPI_Iallgather (which host keeps the job, pcm_keep.c)");
    if ((rc = pcm_keep_finish(*world, &keep)) != PCM_SUCCESS) return rc;   /* before the metadata: it carries the keepers */
    MPI_Comm pair;
    MPI_Request *sends = NULL;
    int n_sends = 0;
    PCM_TEST_GATE("spawned");
    pcm_stall_enter("MPI_Send (the metadata, to the replacement)");
    if ((rc = send_metadata(inter, t_spawned)) != PCM_SUCCESS) return rc;
    pcm_stall_enter("MPI_Intercomm_merge (merging with the replacement)");
    PCM_TEST_GATE("merge");
    if (PMPI_Intercomm_merge(inter, 0, &pair) != MPI_SUCCESS) return PCM_ERR_MPI;
    if ((rc = join(world, pair)) != PCM_SUCCESS) return rc;
    /* The state flows once the new world exists (the replacement posted its receives before the
     * surgery): every step of the surgery between this process and the replacement shares their
     * TCP connection, and a stream posted before it held the first merge behind it (16 MiB: 17
     * to 52 ms instead of under 1, pcm-migration-hosts.md), and the other ranks with it. */
    PCM_TEST_GATE("state");
    if ((rc = pcm_transfer_post_sends(inter, &sends, &n_sends)) != PCM_SUCCESS) return rc;
    pcm_stall_enter("MPI_Waitsome (streaming the state to the replacement)");
    rc = pcm_transfer_wait_sends(sends, n_sends, pcm_g.mig_order_id);
    /* Not before the replacement has it all: the last FIN may still wait here (pcm_transfer.c) */
    pcm_stall_enter("MPI_Recv (the replacement's receipt of the whole state)");
    if (rc == PCM_SUCCESS) rc = pcm_transfer_await_receipt(inter);
    pcm_stall_enter("MPI_Comm_disconnect (from the replacement)");
    PMPI_Comm_free(&pair);
    PMPI_Comm_disconnect(&inter);
    if (rc != PCM_SUCCESS) {
        /* The new world already holds the replacement; nothing to go back to. */
        pcm_log("state transfer to the replacement failed: %s", PCM_Error_string(rc));
    }
    pcm_end_departed();   /* BYE, _exit(0): nothing of this process stays (pcm_end.c) */
}

int pcm_migrate_stay(MPI_Comm *world) {
    int ok = 0;
    pcm_stall_begin(PCM_STALL_STAYING);
    pcm_keep_pending keep;   /* as the departing rank: posted before its spawn */
    int rc = pcm_keep_post(*world, &keep);
    if (rc) return rc;
    pcm_stall_enter("MPI_Bcast (waiting for the outcome of the departing rank's spawn)");
    if (pcm_bcast_sleeping(&ok, 1, MPI_INT, pcm_g.mig_rank, *world) != MPI_SUCCESS) return PCM_ERR_MPI;
    if (ok != OUTCOME_OK) {
        spawn_failed(ok, &keep);
        return PCM_ERR_SPAWN;
    }
    pcm_stall_enter("MPI_Lookup_name (a round trip to mpirun: this host's daemon learns the replacement's job)");
    pcm_daemon_sync();   /* the spawner's daemon learnt it from the spawn's answer */
    pcm_stall_enter("MPI_Iallgather (which host keeps the job, pcm_keep.c)");
    rc = pcm_keep_finish(*world, &keep);
    if (rc) return rc;
    rc = join(world, MPI_COMM_NULL);
    if (rc) return rc;
    PMPI_Comm_set_errhandler(*world, MPI_ERRORS_RETURN);
    return PCM_SUCCESS;
}

static int receive_metadata(MPI_Comm parent, meta_header **out) {
    MPI_Status st;
    int len = 0;
    if (PMPI_Probe(0, TAG_META, parent, &st) != MPI_SUCCESS) return PCM_ERR_MPI;
    PMPI_Get_count(&st, MPI_BYTE, &len);
    if (len < (int)sizeof(meta_header)) return PCM_ERR_TRANSFER;
    meta_header *h = malloc((size_t)len);
    if (!h) return PCM_ERR_NOMEM;
    if (PMPI_Recv(h, len, MPI_BYTE, 0, TAG_META, parent, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
        free(h);
        return PCM_ERR_MPI;
    }
    if (h->magic != META_MAGIC || h->version != META_VERSION || h->n_entries < 0 || h->n_keepers < 0 ||
        h->n_keepers > PCM_KEEPERS_MAX || h->job_hosts_len < 0 || h->job_hosts_len >= PCM_JOB_HOSTS_MAX ||
        (size_t)len != sizeof *h + (size_t)h->n_entries * sizeof(meta_entry) + (size_t)h->n_keepers * sizeof(pcm_keeper)
                           + (size_t)h->job_hosts_len) {
        free(h);
        return PCM_ERR_TRANSFER;
    }
    *out = h;
    return PCM_SUCCESS;
}

int pcm_migrate_arrive(MPI_Comm parent, MPI_Comm *world) {
    meta_header *h;
    pcm_stall_begin(PCM_STALL_ARRIVING);
    pcm_stall_enter("MPI_Probe (waiting for the metadata from the departing process)");
    int rc = receive_metadata(parent, &h);
    if (rc) return rc;
    /* Who this process is, from now on: the stall reports and the agent (registered now, so
     * that a stall in the surgery below reaches the agent of this host) name it. */
    memcpy(pcm_g.job_id, h->job_id, sizeof pcm_g.job_id);
    pcm_g.job_id[PCM_JOB_MAX - 1] = 0;
    pcm_g.rank = pcm_g.mig_rank = h->rank;
    pcm_g.size = h->size;
    pcm_g.moves = h->moves + 1;
    meta_entry *me0 = (meta_entry *)(h + 1);
    pcm_hosts_unpack((unsigned char *)(me0 + h->n_entries) + (size_t)h->n_keepers * sizeof(pcm_keeper),
                     (size_t)h->job_hosts_len);
    pcm_agent_open();
    /* Register the incoming entries and post their receives before the communicator
     * surgery, so that the state arrives while the communicators are built. */
    meta_entry *me = (meta_entry *)(h + 1);
    for (int i = 0; i < h->n_entries; i++) {
        me[i].key[PCM_MAX_KEY] = 0;
        if (me[i].count < 0 || !pcm_type_code_size(me[i].type_code) ||
            pcm_registry_put(&pcm_g.restored_state, me[i].key, NULL, me[i].type_code, 0) != PCM_SUCCESS) {
            free(h);
            return PCM_ERR_TRANSFER;
        }
        pcm_g.restored_state.tail->count = me[i].count;
    }
    pcm_g.n_keepers = h->n_keepers;
    memcpy(pcm_g.keepers, me + h->n_entries, (size_t)h->n_keepers * sizeof(pcm_keeper));
    if ((rc = pcm_transfer_post_receives(parent)) != PCM_SUCCESS) {
        free(h);
        return rc;
    }
    MPI_Comm pair, inter2, big, nw;
    if ((pcm_stall_enter("MPI_Intercomm_merge (merging with the departing process)"),
         PMPI_Intercomm_merge(parent, 1, &pair)) != MPI_SUCCESS ||
        (pcm_stall_enter("MPI_Intercomm_create (building the new world: meeting the old ranks)"),
         PMPI_Intercomm_create(MPI_COMM_SELF, 0, pair, 0, TAG_IC, &inter2)) != MPI_SUCCESS ||
        (pcm_stall_enter("MPI_Intercomm_merge (building the new world)"),
         PMPI_Intercomm_merge(inter2, 1, &big)) != MPI_SUCCESS ||
        (pcm_stall_enter("MPI_Comm_split (building the new world)"),
         PMPI_Comm_split(big, 0, h->rank, &nw)) != MPI_SUCCESS) {
        free(h);
        return PCM_ERR_MPI;
    }
    PMPI_Comm_free(&big);
    PMPI_Comm_free(&inter2);
    /* The new world returns its errors, from its first call on (as PCM_Init's fresh start). */
    if (PMPI_Comm_set_errhandler(nw, MPI_ERRORS_RETURN) != MPI_SUCCESS ||
        PMPI_Comm_rank(nw, &pcm_g.rank) != MPI_SUCCESS || PMPI_Comm_size(nw, &pcm_g.size) != MPI_SUCCESS) {
        PMPI_Comm_free(&nw);
        free(h);
        return PCM_ERR_MPI;
    }
    *world = nw;
    pcm_g.iteration = h->iteration;
    pcm_g.pair = pair;
    pcm_done_report *d = &pcm_g.done;
    d->order_id = h->order_id;
    memcpy(d->job_id, pcm_g.job_id, sizeof d->job_id);
    d->rank = h->rank;
    memcpy(d->source_host, h->source_host, sizeof d->source_host);
    d->source_host[PCM_HOST_MAX - 1] = 0;
    d->source_pid = h->source_pid;
    d->state_bytes = pcm_registry_bytes(&pcm_g.restored_state);
    d->t_order = h->t_order;
    d->t_decided = h->t_decided;
    d->t_spawned = h->t_spawned;
    d->t_merged = pcm_now_real_ns();
    free(h);
    return PCM_SUCCESS;
}
