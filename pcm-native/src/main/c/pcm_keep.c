/*
 * pcm_keep.c - keeping the original job known on every host it left.
 *
 * Open MPI 4.1's orted forgets a job (releases its job data and deregisters its PMIx
 * namespace, orte/mca/state/orted/state_orted.c) as soon as the last of that job's
 * processes on its host has terminated. The original job (the ranks mpirun started)
 * lives on in the other ranks, and every replacement spawned later onto such a host
 * needs it there: the spawn's connect fails ("ORTE_ERROR_LOG: Not supported ...
 * pmix_server_dyn.c line 700", the replacement dies in MPI_Init and the job aborts), and
 * a request for the modex data of an original rank is parked by that orted for a job it
 * does not know and never answered (orte/orted/pmix/pmix_server_fence.c, dmodex_req:
 * "we will process it later" - nothing does), so the replacement hangs in PMIx_Get inside
 * the communicator construction and the whole job with it. benchmarks/migration-stress.sh
 * showed both (docs/architecture.md). Replacements are jobs of one process each: when
 * one leaves, nobody needs its job any more.
 *
 * So a departing process of the original job that is the last one of it on its host (no
 * other original rank runs there, and no keeper of an earlier move waits there), unless
 * that host is mpirun's (whose daemon never forgets a job of its session), stays as
 * the job's keeper on that host: out of MPI, blocked in accept() on a TCP port (no CPU),
 * until the job ends. It execs roam-pcm-keeper (pcm_keeper_main.c) in its pid, so that it
 * holds a few hundred KiB; where that program cannot be found (ROAM_PCM_KEEPER, else beside
 * libpcm), it waits in this process instead, its stored state given back to the kernel.
 * Every rank learns of
 * each keeper (host and port) in the round of its move, and replacements with the
 * metadata. At PCM_Finalize, once the ranks agreed that the job moved (pcm_end.c), the
 * world's rank 0 connects to every keeper and sends the job id: the keeper _exit(0)s.
 * A keeper also dies with its orted (PR_SET_PDEATHSIG), so an aborted job leaves none.
 */
#define _GNU_SOURCE
#include "pcm_internal.h"
#include "pcm_keeper_wait.h"
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <dlfcn.h>

static int listen_fd = -1;
static int finish(MPI_Comm world, pcm_keep_pending *p, const unsigned char *leaving);

static uint64_t host_hash(const char *h) {
    uint64_t x = 14695981039346656037ull;   /* FNV-1a */
    for (; *h; h++) x = (x ^ (unsigned char)*h) * 1099511628211ull;
    return x;
}

/* A listening TCP socket on any address; its port, or -1. */
static int open_listener(void) {
    int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int v6 = 1;
    if (fd < 0) fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), v6 = 0;
    if (fd < 0) return -1;
    struct sockaddr_storage a = {0};
    socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    a.ss_family = v6 ? AF_INET6 : AF_INET;
    if (v6) {
        int off = 0;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off);
    }
    if (bind(fd, (struct sockaddr *)&a, len) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        close(fd);
        return -1;
    }
    listen_fd = fd;
    return ntohs(v6 ? ((struct sockaddr_in6 *)&a)->sin6_port : ((struct sockaddr_in *)&a)->sin_port);
}

/* Whether this process was started by mpirun itself (its parent is orterun, not an orted):
 * mpirun's own daemon keeps every job of its session until it ends, so no keeper is needed
 * on its host. */
static int under_mpirun(void) {
    char link[64], exe[PCM_PATH_MAX];
    snprintf(link, sizeof link, "/proc/%d/exe", (int)getppid());
    ssize_t n = readlink(link, exe, sizeof exe - 1);
    if (n <= 0) return 0;
    exe[n] = 0;
    const char *base = strrchr(exe, '/');
    base = base ? base + 1 : exe;
    return strcmp(base, "orterun") == 0 || strcmp(base, "mpirun") == 0 || strcmp(base, "mpiexec") == 0;
}

/* A move's round in two halves: the allgather of every rank's kind and host (which does not
 * depend on the move) is posted before the departing rank's spawn, and completes during it
 * (the spawn and the staying ranks' wait for its outcome progress it); the rest after. */
int pcm_keep_post(MPI_Comm world, pcm_keep_pending *p) {
    p->req = MPI_REQUEST_NULL;
    p->mine[0] = pcm_g.original ? (under_mpirun() ? 2u : 1u) : 0u;
    p->mine[1] = host_hash(pcm_g.host);
    p->all = malloc((size_t)pcm_g.size * sizeof p->mine);
    if (!p->all) return PCM_ERR_NOMEM;
    if (PMPI_Iallgather(p->mine, 2, MPI_UINT64_T, p->all, 2, MPI_UINT64_T, world, &p->req) != MPI_SUCCESS) {
        free(p->all);
        p->all = NULL;
        return PCM_ERR_MPI;
    }
    return PCM_SUCCESS;
}

/* Completes a posted round that is not carried out (the spawn failed). */
void pcm_keep_cancel(pcm_keep_pending *p) {
    if (p->all) PMPI_Wait(&p->req, MPI_STATUS_IGNORE);   /* a collective cannot be cancelled: every rank waits */
    free(p->all);
    p->all = NULL;
}

int pcm_keep_finish(MPI_Comm world, pcm_keep_pending *p) {
    unsigned char *leaving = calloc((size_t)pcm_g.size, 1);
    if (!leaving) {
        pcm_keep_cancel(p);
        return PCM_ERR_NOMEM;
    }
    leaving[pcm_g.mig_rank] = 1;
    int rc = finish(world, p, leaving);
    free(leaving);
    return rc;
}

/* Collective: the ranks with leaving[i] set leave the job (a move, or a shrink). A leaving
 * original rank under an orted stays as keeper when no original rank stays on its host, no
 * keeper waits there, and no lower leaving rank on that host was chosen already. */
int pcm_keep_round_mask(MPI_Comm world, const unsigned char *leaving) {
    pcm_keep_pending p;
    int rc = pcm_keep_post(world, &p);
    return rc ? rc : finish(world, &p, leaving);
}

static int finish(MPI_Comm world, pcm_keep_pending *p, const unsigned char *leaving) {
    int n = pcm_g.size;
    uint64_t *all = p->all;
    p->all = NULL;
    unsigned char *keep = calloc((size_t)n, 1);
    pcm_keeper *ks = calloc((size_t)n, sizeof *ks);
    if (!keep || !ks) {
        PMPI_Wait(&p->req, MPI_STATUS_IGNORE);
        free(all), free(keep), free(ks);
        return PCM_ERR_NOMEM;
    }
    int rc = PMPI_Wait(&p->req, MPI_STATUS_IGNORE) == MPI_SUCCESS ? PCM_SUCCESS : PCM_ERR_MPI;
    int any = 0;
    for (int r = 0; r < n && rc == PCM_SUCCESS; r++) {
        if (!leaving[r] || all[2 * r] != 1) continue;
        int k = 1;
        for (int i = 0; i < n && k; i++)
            if (all[2 * i + 1] == all[2 * r + 1] && ((!leaving[i] && all[2 * i] != 0) || (i < r && keep[i]))) k = 0;
        for (int j = 0; j < pcm_g.n_keepers && k; j++)
            if (host_hash(pcm_g.keepers[j].host) == all[2 * r + 1]) k = 0;
        keep[r] = (unsigned char)k;
        any |= k;
    }
    if (rc == PCM_SUCCESS && any) {
        pcm_keeper me = {0};
        me.port = -1;
        if (keep[pcm_g.rank]) {
            me.port = pcm_g.n_keepers < PCM_KEEPERS_MAX ? open_listener() : -1;
            if (me.port < 0)
                pcm_log("cannot keep the job on %s (%s): a later move to this host may fail", pcm_g.host,
                        pcm_g.n_keepers < PCM_KEEPERS_MAX ? strerror(errno) : "too many keepers");
        }
        memcpy(me.host, pcm_g.host, sizeof me.host);
        if (PMPI_Allgather(&me, (int)sizeof me, MPI_BYTE, ks, (int)sizeof me, MPI_BYTE, world) != MPI_SUCCESS)
            rc = PCM_ERR_MPI;
        for (int r = 0; r < n && rc == PCM_SUCCESS; r++) {
            ks[r].host[PCM_HOST_MAX - 1] = 0;
            if (keep[r] && ks[r].port > 0 && pcm_g.n_keepers < PCM_KEEPERS_MAX) pcm_g.keepers[pcm_g.n_keepers++] = ks[r];
        }
    }
    free(all), free(keep), free(ks);
    return rc;
}

/* Replace this process's image with roam-pcm-keeper (pcm_keeper_main.c), found beside
 * libpcm (ROAM_PCM_KEEPER names another path): the same pid, a few hundred KiB instead of
 * the application's and MPI's memory. Returns only if it cannot. */
static void exec_keeper(void) {
    char path[PCM_PATH_MAX];
    Dl_info info;
    if (pcm_env.keeper) {
        snprintf(path, sizeof path, "%s", pcm_env.keeper);
    } else if (dladdr((void *)exec_keeper, &info) && info.dli_fname) {
        const char *slash = strrchr(info.dli_fname, '/');
        int dir = slash ? (int)(slash - info.dli_fname) : 1;
        snprintf(path, sizeof path, "%.*s/roam-pcm-keeper", dir, slash ? info.dli_fname : ".");
    } else {
        return;
    }
    int fl = fcntl(listen_fd, F_GETFD);
    if (fl < 0 || fcntl(listen_fd, F_SETFD, fl & ~FD_CLOEXEC) != 0) return;
    char fd[16];
    snprintf(fd, sizeof fd, "%d", listen_fd);
    fflush(NULL);
    execl(path, "roam-pcm-keeper", fd, pcm_g.job_id, (char *)NULL);
    pcm_debug("cannot run %s (%s): the keeper waits in this process", path, strerror(errno));
    fcntl(listen_fd, F_SETFD, fl);
}

void pcm_keep_wait_if_keeper(void) {
    if (listen_fd < 0) return;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) _exit(0);   /* the orted is already gone */
    long page = sysconf(_SC_PAGESIZE);
    for (pcm_entry *e = pcm_g.stored.head; e; e = e->next) {   /* give the state's pages back */
        uintptr_t b = ((uintptr_t)e->data + page - 1) & ~(uintptr_t)(page - 1);
        uintptr_t end = ((uintptr_t)e->data + pcm_entry_bytes(e)) & ~(uintptr_t)(page - 1);
        if (e->data && end > b) madvise((void *)b, end - b, MADV_DONTNEED);
    }
    pcm_debug("keeping job %s known on %s until it ends", pcm_g.job_id, pcm_g.host);
    exec_keeper();   /* returns only when roam-pcm-keeper cannot run: wait here instead */
    pcm_keeper_wait(listen_fd, pcm_g.job_id);
    _exit(0);
}

/* Connect to host:port within 2 s and send the job id. */
static int release(const pcm_keeper *k) {
    char port[16];
    snprintf(port, sizeof port, "%d", k->port);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(k->host, port, &hints, &res) != 0) return -1;
    int ok = -1;
    for (struct addrinfo *a = res; a && ok != 0; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int err = 0;
            socklen_t l = sizeof err;
            if (poll(&p, 1, 2000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) == 0 && err == 0) errno = 0;
        } else {
            errno = 0;
        }
        if (errno == 0) {
            int fl = fcntl(fd, F_GETFL);
            fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
            size_t len = strlen(pcm_g.job_id) + 1;
            if (write(fd, pcm_g.job_id, len) == (ssize_t)len) ok = 0;
        }
        close(fd);
    }
    freeaddrinfo(res);
    return ok;
}

void pcm_keep_release_all(void) {
    if (pcm_g.rank != 0) return;
    for (int i = 0; i < pcm_g.n_keepers; i++)
        if (release(&pcm_g.keepers[i]) != 0)
            pcm_log("could not release the keeper of job %s on %s:%d", pcm_g.job_id, pcm_g.keepers[i].host,
                    pcm_g.keepers[i].port);
    pcm_g.n_keepers = 0;
}
