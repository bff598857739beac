/*
 * pcm_agent.c - the process side of the agent socket: connect, register, heartbeat,
 * receive migration orders. Never blocks the application for long and never fails it:
 * without an agent the application simply runs without migrations.
 *
 * The main thread uses the socket, and one other: the stall watchdog (pcm_stall.c) sends
 * MIGRATION_STALLED while the main thread waits inside MPI. A recursive mutex (IO) guards
 * what they share: the sending of a frame and the descriptor's changes (connect, drop,
 * close). The watchdog builds its frame in a writer of its own.
 */
#define _GNU_SOURCE
#include "pcm_internal.h"
#include "pcm_wire.h"
#include <errno.h>
#include <pthread.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define RX_CAP (PCM_WIRE_HEADER + PCM_WIRE_MAX_FRAME)

static struct {
    int fd;
    int enabled;                /* an agent is configured */
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    uint32_t heartbeat_ms;
    uint64_t last_heartbeat;
    uint64_t next_attempt;      /* monotonic ns of the next reconnection attempt */
    uint64_t backoff_ns;
    int said_unreachable;       /* the one line on stderr about an unreachable agent is out */
    unsigned char *rx;
    size_t rx_len;
    pcm_writer tx;
    uint32_t flags;             /* PROCESS_FLAGS the program declared (PCM_Malleable), 0 = none */
} A = {.fd = -1};

static pthread_mutex_t IO = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;

int pcm_agent_connected(void) { return A.fd >= 0; }

static void drop(const char *why) {
    pthread_mutex_lock(&IO);
    if (A.fd >= 0) {
        pcm_debug("agent connection closed: %s", why);
        close(A.fd);
    }
    A.fd = -1;
    A.rx_len = 0;
    /* An order lives as long as the connection of the agent that gave it: an agent that
     * is gone tracks it no more, and one that comes back knows nothing of it. Acting on
     * it would be a migration nobody awaits (and one the new agent might order again). */
    if (pcm_g.order.has) {
        pcm_log("migration order %llu dropped: the agent that gave it is gone",
                (unsigned long long)pcm_g.order.order_id);
        pcm_g.order.has = 0;
    }
    A.next_attempt = pcm_now_mono_ns() + A.backoff_ns;
    uint64_t max = 8 * (uint64_t)pcm_env.reconnect_ms * 1000000ull;
    A.backoff_ns = A.backoff_ns * 2 > max ? max : A.backoff_ns * 2;
    pthread_mutex_unlock(&IO);
}

/* Send a frame (A.tx, or the watchdog's); on failure drop the connection. */
static void send_frame(pcm_writer *w) {
    pthread_mutex_lock(&IO);
    size_t off = 0;
    while (A.fd >= 0 && !w->error && off < w->len) {
        ssize_t n = send(A.fd, w->buf + off, w->len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { drop(strerror(errno)); break; }
        off += (size_t)n;
    }
    pthread_mutex_unlock(&IO);
    pcm_w_reset(w);
}

static void flush_tx(void) { send_frame(&A.tx); }

static void send_register(void) {
    pcm_writer *w = &A.tx;
    pcm_w_begin(w, PCM_MSG_REGISTER);
    pcm_w_str(w, pcm_g.job_id);
    pcm_w_u32(w, (uint32_t)pcm_g.rank);
    pcm_w_u32(w, (uint32_t)pcm_g.size);
    pcm_w_u32(w, (uint32_t)getpid());
    pcm_w_str(w, pcm_g.host);
    pcm_w_u32(w, (uint32_t)pcm_g.moves);
    pcm_w_str(w, pcm_g.exe);
    pcm_w_u64(w, pcm_registry_bytes(&pcm_g.stored));
    pcm_w_str(w, pcm_g.job_hosts);
    pcm_w_end(w);
    flush_tx();
    /* a separate frame, so that REGISTER stays as older agents read it */
    if (A.flags) {
        pcm_wire_process_flags(w, A.flags);
        flush_tx();
    }
}

void pcm_agent_add_flags(uint32_t flags) {
    pthread_mutex_lock(&IO);
    uint32_t before = A.flags;
    A.flags |= flags;
    if (A.flags != before && A.fd >= 0) {
        pcm_writer w;
        pcm_w_init(&w);
        pcm_wire_process_flags(&w, A.flags);
        send_frame(&w);
        pcm_w_free(&w);
    }
    pthread_mutex_unlock(&IO);
}

uint32_t pcm_agent_flags(void) { return A.flags; }

static void connect_locked(void);

static void try_connect(void) {
    if (!A.enabled || A.fd >= 0 || pcm_now_mono_ns() < A.next_attempt) return;
    pthread_mutex_lock(&IO);
    connect_locked();
    pthread_mutex_unlock(&IO);
}

static void connect_locked(void) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { drop("socket"); return; }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    memcpy(sa.sun_path, A.path, sizeof sa.sun_path);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        int err = errno;
        close(fd);
        if (!A.said_unreachable) {   /* once per process: it tries again quietly */
            A.said_unreachable = 1;
            pcm_log("cannot reach the agent at %s (%s): this process runs without an agent, and will not"
                    " migrate, until one answers there (tried again every %ld ms or more). Start this node's agent"
                    " (roam agent), or run the job with roam run, which gives the ranks the agents' socket, or set"
                    " ROAM_AGENT_SOCKET to it (ROAM_AGENT_SOCKET=none: no agent, no message)",
                    A.path, strerror(err), pcm_env.reconnect_ms);
        }
        drop("no agent");
        return;
    }
    struct timeval tv = {.tv_sec = 1};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    A.fd = fd;
    A.rx_len = 0;
    A.backoff_ns = (uint64_t)pcm_env.reconnect_ms * 1000000ull;
    send_register();
    pcm_debug("registered with agent at %s", A.path);
}

/* Copy the socket path, replacing %h by this host's name (several agents sharing one
 * file system, as network-namespace hosts do) and %% by %. -1 if it does not fit. */
static int expand_path(const char *in, char *out, size_t cap) {
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        const char *piece = p;
        size_t len = 1;
        if (p[0] == '%' && p[1] == 'h') {
            piece = pcm_g.host;
            len = strlen(pcm_g.host);
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            p++;
        }
        if (n + len >= cap) return -1;
        memcpy(out + n, piece, len);
        n += len;
    }
    out[n] = 0;
    return 0;
}

void pcm_agent_open(void) {
    char def[sizeof A.path + 64];
    pcm_env_default_socket(def, sizeof def);
    const char *p = pcm_env.agent_socket ? pcm_env.agent_socket : def;
    A.enabled = strcmp(p, "none") != 0;
    if (A.enabled && expand_path(p, A.path, sizeof A.path) != 0) {
        pcm_log("ROAM_AGENT_SOCKET=%s with %%h expanded does not fit a Unix socket address: no agent", p);
        A.enabled = 0;
    }
    if (!A.enabled) return;
    A.backoff_ns = (uint64_t)pcm_env.reconnect_ms * 1000000ull;
    A.next_attempt = 0;
    A.heartbeat_ms = 0;
    A.last_heartbeat = pcm_now_mono_ns();
    if (!A.rx) A.rx = malloc(RX_CAP);
    if (!A.rx) { A.enabled = 0; return; }
    pcm_w_init(&A.tx);
    try_connect();
}

static void on_migrate(const pcm_incoming *in) {
    const char *host = in->u.migrate.host;
    char why[1024];
    int refused = pcm_target_refused(host, "moves", why, sizeof why);
    if (refused) {
        pcm_agent_send_failed(in->u.migrate.order_id, refused, why);
        return;
    }
    if (pcm_g.order.has)
        pcm_agent_send_failed(pcm_g.order.order_id, PCM_ERR_SUPERSEDED, "replaced by a newer order");
    pcm_g.order.has = 1;
    pcm_g.order.order_id = in->u.migrate.order_id;
    snprintf(pcm_g.order.host, sizeof pcm_g.order.host, "%s", host);
    pcm_g.order.not_before = in->u.migrate.not_before;
    pcm_g.order.t_order = pcm_now_real_ns();
    pcm_debug("migration order %llu to %s", (unsigned long long)pcm_g.order.order_id, host);
}

static void handle(int type, const unsigned char *payload, size_t len) {
    pcm_incoming in;
    if (pcm_wire_decode_incoming(type, payload, len, &in) != 0) {
        drop("malformed frame from agent");
        return;
    }
    switch (type) {
    case PCM_MSG_REGISTERED: A.heartbeat_ms = in.u.registered.heartbeat_ms; break;
    case PCM_MSG_MIGRATE: on_migrate(&in); break;
    case PCM_MSG_RESIZE: {
        char why[512];
        if (!(A.flags & PCM_FLAG_MALLEABLE)) {   /* it would never call PCM_Resize_begin */
            pcm_resize_failed(in.u.resize.order_id, (int)in.u.resize.ranks, PCM_ERR_NO_RESIZE,
                              "the program has not declared itself malleable (PCM_Malleable) before this order");
            break;
        }
        int rc = pcm_resize_accept(in.u.resize.order_id, (int)in.u.resize.ranks, in.u.resize.hosts,
                                   in.u.resize.not_before, why, sizeof why);
        if (rc != PCM_SUCCESS) pcm_resize_failed(in.u.resize.order_id, (int)in.u.resize.ranks, rc, why);
        break;
    }
    case PCM_MSG_ERROR:
        pcm_log("agent error %d: %s", in.u.error.code, in.u.error.message);
        drop("agent sent ERROR");
        break;
    }
}

void pcm_agent_poll(void) {
    try_connect();
    while (A.fd >= 0) {
        ssize_t n = recv(A.fd, A.rx + A.rx_len, RX_CAP - A.rx_len, MSG_DONTWAIT);
        if (n == 0) { drop("agent closed the connection"); return; }
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) drop(strerror(errno));
            break;
        }
        A.rx_len += (size_t)n;
        /* consume complete frames */
        size_t off = 0;
        while (A.fd >= 0 && A.rx_len - off >= PCM_WIRE_HEADER) {
            uint32_t plen;
            int type, version;
            if (pcm_wire_header(A.rx + off, &plen, &type, &version) != 0) {
                drop("bad frame header from agent");
                return;
            }
            if (A.rx_len - off < PCM_WIRE_HEADER + plen) break;
            handle(type, A.rx + off + PCM_WIRE_HEADER, plen);
            off += PCM_WIRE_HEADER + plen;
        }
        if (A.fd < 0) return;
        memmove(A.rx, A.rx + off, A.rx_len - off);
        A.rx_len -= off;
    }
}

void pcm_agent_heartbeat_if_due(void) {
    if (A.fd < 0 || A.heartbeat_ms == 0) return;
    uint64_t now = pcm_now_mono_ns();
    if (now - A.last_heartbeat < (uint64_t)A.heartbeat_ms * 1000000ull) return;
    A.last_heartbeat = now;
    enum { MAXP = 4096 };
    static int ranks[MAXP];
    static uint64_t msgs[MAXP], bytes[MAXP];
    int np = pcm_prof_peers(ranks, msgs, bytes, MAXP);
    uint64_t elapsed = now - pcm_g.t_init_mono, mpi = pcm_prof_mpi_ns();
    pcm_writer *w = &A.tx;
    pcm_w_begin(w, PCM_MSG_HEARTBEAT);
    pcm_w_u64(w, pcm_g.iteration);
    pcm_w_u64(w, pcm_g.iter_n ? pcm_g.iter_sum_ns / pcm_g.iter_n : 0);
    pcm_w_u64(w, elapsed > mpi ? elapsed - mpi : 0);
    pcm_w_u64(w, mpi);
    pcm_w_u64(w, pcm_registry_bytes(&pcm_g.stored));
    pcm_w_u32(w, (uint32_t)np);
    for (int i = 0; i < np; i++) {
        pcm_w_u32(w, (uint32_t)ranks[i]);
        pcm_w_u64(w, msgs[i]);
        pcm_w_u64(w, bytes[i]);
    }
    pcm_w_end(w);
    flush_tx();
    pcm_g.iter_sum_ns = 0;
    pcm_g.iter_n = 0;
}

void pcm_agent_send_started(uint64_t order_id, uint64_t iteration) {
    if (A.fd < 0) return;
    pcm_w_begin(&A.tx, PCM_MSG_MIGRATION_STARTED);
    pcm_w_u64(&A.tx, order_id);
    pcm_w_u64(&A.tx, iteration);
    pcm_w_end(&A.tx);
    flush_tx();
}

void pcm_agent_send_progress(uint64_t order_id, uint64_t sent, uint64_t total) {
    if (A.fd < 0) return;
    pcm_w_begin(&A.tx, PCM_MSG_MIGRATION_PROGRESS);
    pcm_w_u64(&A.tx, order_id);
    pcm_w_u64(&A.tx, sent);
    pcm_w_u64(&A.tx, total);
    pcm_w_end(&A.tx);
    flush_tx();
}

void pcm_agent_send_failed(uint64_t order_id, int code, const char *msg) {
    pcm_log("migration order %llu failed: %s (%s)", (unsigned long long)order_id, msg,
            PCM_Error_string(code));
    pcm_agent_send_failed_frame(order_id, code, msg);
}

void pcm_agent_send_failed_frame(uint64_t order_id, int code, const char *msg) {
    if (A.fd < 0) return;
    pcm_w_begin(&A.tx, PCM_MSG_MIGRATION_FAILED);
    pcm_w_u64(&A.tx, order_id);
    pcm_w_u32(&A.tx, (uint32_t)code);
    pcm_w_str(&A.tx, msg);
    pcm_w_end(&A.tx);
    flush_tx();
}

void pcm_agent_send_done(const pcm_done_report *d) {
    try_connect();
    if (A.fd < 0) return;
    pcm_writer *w = &A.tx;
    pcm_w_begin(w, PCM_MSG_MIGRATION_DONE);
    pcm_w_u64(w, d->order_id);
    pcm_w_str(w, d->job_id);
    pcm_w_u32(w, (uint32_t)d->rank);
    pcm_w_str(w, d->source_host);
    pcm_w_u32(w, (uint32_t)d->source_pid);
    pcm_w_u64(w, d->state_bytes);
    pcm_w_u64(w, d->t_order);
    pcm_w_u64(w, d->t_decided);
    pcm_w_u64(w, d->t_spawned);
    pcm_w_u64(w, d->t_merged);
    pcm_w_u64(w, d->t_transferred);
    pcm_w_u64(w, d->t_resumed);
    pcm_w_end(w);
    flush_tx();
}

void pcm_agent_send_resize_done(const pcm_resize_report *rep) {
    pcm_writer w;
    pcm_w_init(&w);
    pcm_wire_resize_done(&w, rep);
    send_frame(&w);   /* nothing without a connection: the resize is on stderr in debug */
    pcm_w_free(&w);
}

void pcm_agent_send_bye(int reason) {
    if (A.fd < 0) return;
    pcm_w_begin(&A.tx, PCM_MSG_BYE);
    pcm_w_u8(&A.tx, (uint8_t)reason);
    pcm_w_end(&A.tx);
    flush_tx();
}

void pcm_agent_send_stalled(uint64_t order_id, uint32_t rank, uint64_t waited_ms, const char *detail) {
    pcm_writer w;
    pcm_w_init(&w);
    pcm_wire_stalled(&w, order_id, rank, waited_ms, detail);
    send_frame(&w);   /* nothing when there is no connection: the stall is on stderr too */
    pcm_w_free(&w);
}

void pcm_agent_close(void) {
    pthread_mutex_lock(&IO);
    if (A.fd >= 0) close(A.fd);
    A.fd = -1;
    pthread_mutex_unlock(&IO);
    A.enabled = 0;
    free(A.rx);
    A.rx = NULL;
    pcm_w_free(&A.tx);
}
