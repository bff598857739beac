/*
 * pcm_target.c - may a process of the job be started on a host? The checks an order meets
 * when it arrives (a move, pcm_agent.c; a grow, pcm_resize_order.c), before anything waits:
 * the program file is still the one this process runs, the host resolves, no spawn of the
 * job stalled there, and it is one of the job's hosts.
 *
 * The program file: a new process runs pcm_g.exe, the path this one was started from. A
 * rebuild replaces that file (make, mpicc, a package upgrade: a new file at the path), and a
 * new process would then run another program than the job's, or none: mpirun aborted the
 * whole job when the file was gone ("could not access or execute an executable: ... (deleted)",
 * seen in the migration stress run with the sample rebuilt under it). So such an order is
 * refused with the reason, checked again just before the spawn (pcm_migrate.c, pcm_resize.c).
 *
 * The hosts where a spawn of this job stalled:
 * With Debian's Open MPI 4.1.4 on PMIx 4.2.2, a process spawned onto mpirun's own host now and
 * then never gets through PMIx_Init (docs/architecture.md, "A spawn that never completes").
 * Measured on 2026-12-07 (benchmarks/results/pcm-migration-hosts-runs/README.md): once it
 * happened, mpirun's PMIx server left every later connection unread (the new process's
 * handshake stayed in the socket's queue), and every later spawn onto that host failed the
 * same way, 9 of 9, each after ROAM_PCM_SPAWN_TIMEOUT_MS while the whole job waited. So a
 * spawn that failed by running into the timeout puts its host on this list, on every rank
 * (the outcome's broadcast says how it failed), and the list travels with the job to its
 * replacements and a grow's new processes (after the job's hosts in their metadata, past a
 * zero byte, pcm_migrate.c and pcm_resize.c). An order for a listed host is refused when it
 * arrives (pcm_agent.c, pcm_resize_order.c): MIGRATION_FAILED at once, no pause.
 */
#include "pcm_internal.h"
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int pcm_host_resolves(const char *host) {
    if (!pcm_env.check_host) return 1;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (res) freeaddrinfo(res);
    return rc == 0;
}

int pcm_program_replaced(const char *what, char *why, size_t len) {
    struct stat running, now;
    if (!pcm_g.exe[0] || stat("/proc/self/exe", &running) != 0) return 0;   /* cannot tell: the spawn will say */
    if (stat(pcm_g.exe, &now) != 0) {
        snprintf(why, len, "the program file '%.300s' is gone (removed since this process started), so %s are"
                 " refused: a new process of the job could not start", pcm_g.exe, what);
        return 1;
    }
    if (now.st_dev != running.st_dev || now.st_ino != running.st_ino) {
        snprintf(why, len, "the program file '%.300s' was replaced since this process started (rebuilt?), so %s"
                 " are refused: a new process would run another program than the job's", pcm_g.exe, what);
        return 1;
    }
    return 0;
}

int pcm_target_refused(const char *host, const char *what, char *why, size_t len) {
    if (pcm_program_replaced(what, why, len)) return PCM_ERR_SPAWN;
    if (!pcm_host_resolves(host)) {
        snprintf(why, len, "target host '%.200s' does not resolve", host);
        return PCM_ERR_HOST;
    }
    if (pcm_stalled_host(host)) {
        snprintf(why, len, "target host '%.200s': a spawn of this job there stalled earlier (Open MPI's start of"
                 " processes there no longer completes), so %s there are refused for the rest of the job", host, what);
        return PCM_ERR_SPAWN;
    }
    if (!pcm_env.add_host && !pcm_job_host(host)) {
        /* the agent refuses such orders first; this holds for an agent that does not know the hosts */
        snprintf(why, len, "target host '%.200s' is not one of the hosts the job was started on (%.200s):"
                 " Open MPI cannot start a rank outside mpirun's allocation", host, pcm_g.job_hosts);
        return PCM_ERR_HOST;
    }
    return PCM_SUCCESS;
}

int pcm_stalled_host(const char *host) {
    return pcm_g.stalled_hosts[0] && pcm_host_in_list(pcm_g.stalled_hosts, host);
}

void pcm_stalled_add(const char *host) {
    size_t have = strlen(pcm_g.stalled_hosts), n = strlen(host);
    if (!n || pcm_stalled_host(host) || have + (have ? 1 : 0) + n >= sizeof pcm_g.stalled_hosts) return;
    if (have) pcm_g.stalled_hosts[have++] = ',';
    memcpy(pcm_g.stalled_hosts + have, host, n + 1);
}

size_t pcm_hosts_packed_len(void) {
    size_t hosts = strlen(pcm_g.job_hosts), stalled = strlen(pcm_g.stalled_hosts);
    /* what does not fit (the receiver takes less than PCM_JOB_HOSTS_MAX) is left out: a
     * process that does not know a stalled host finds out by its own spawn there */
    return stalled && hosts + 1 + stalled < PCM_JOB_HOSTS_MAX ? hosts + 1 + stalled : hosts;
}

void pcm_hosts_pack(unsigned char *dst) {
    size_t hosts = strlen(pcm_g.job_hosts), len = pcm_hosts_packed_len();
    memcpy(dst, pcm_g.job_hosts, hosts);
    if (len > hosts) {
        dst[hosts] = 0;
        memcpy(dst + hosts + 1, pcm_g.stalled_hosts, len - hosts - 1);
    }
}

void pcm_hosts_unpack(const unsigned char *src, size_t len) {
    if (len >= PCM_JOB_HOSTS_MAX) len = PCM_JOB_HOSTS_MAX - 1;
    const unsigned char *zero = memchr(src, 0, len);
    size_t hosts = zero ? (size_t)(zero - src) : len;
    memcpy(pcm_g.job_hosts, src, hosts);
    pcm_g.job_hosts[hosts] = 0;
    pcm_g.stalled_hosts[0] = 0;
    if (zero) {
        size_t stalled = len - hosts - 1;
        memcpy(pcm_g.stalled_hosts, zero + 1, stalled);
        pcm_g.stalled_hosts[stalled] = 0;
    }
}
