/*
 * pcm_resize_order.c - where a resize order comes from: the agent's RESIZE frame
 * (pcm_agent.c), or the test hook ROAM_PCM_TEST_RESIZE, and the checks both pass.
 *
 * ROAM_PCM_TEST_RESIZE holds orders by iteration, separated by ';': "K:N" resizes the job to
 * N processes at its K-th PCM_Status (0-based, the iteration libpcm counts, which replacements
 * and joiners carry on), "K:N@h1,h2" grows it with the new processes on those hosts (one
 * each in rank order, the list cycled; without hosts they start on this host). Every rank
 * parses it at PCM_Init (a malformed value fails PCM_Init with PCM_ERR_ENV on every rank);
 * only the world's rank 0 acts on it: at the K-th PCM_Status the order becomes pending there
 * as if its agent had sent it, and the decision round carries it to every rank.
 */
#include "pcm_internal.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_MAX 16
#define TEST_ORDER_BASE 0x7e57000000000000ull   /* order ids of the test hook's orders */

static struct {
    uint64_t at;
    int size;
    char hosts[PCM_JOB_HOSTS_MAX];
} tests[TEST_MAX];
static int n_tests;

/* Every host of a comma-separated list resolves and may take a rank; else why. */
static int check_hosts(const char *hosts, char *why, size_t len) {
    char buf[PCM_JOB_HOSTS_MAX];
    snprintf(buf, sizeof buf, "%s", hosts);
    for (char *save = NULL, *h = strtok_r(buf, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
        if (strlen(h) >= PCM_HOST_MAX) {
            snprintf(why, len, "host name '%.64s...' is too long", h);
            return PCM_ERR_HOST;
        }
        int refused = pcm_target_refused(h, "grows", why, len);
        if (refused) return refused;
    }
    return PCM_SUCCESS;
}

int pcm_resize_accept(uint64_t order_id, int new_size, const char *hosts, uint64_t not_before, char *why,
                      size_t why_len) {
    if (new_size < 1) {
        snprintf(why, why_len, "%d processes: at least 1", new_size);
        return PCM_ERR_ARG;
    }
    if (strlen(hosts) >= PCM_JOB_HOSTS_MAX) {
        snprintf(why, why_len, "the host list is too long");
        return PCM_ERR_ARG;
    }
    int rc = check_hosts(hosts, why, why_len);
    if (rc) return rc;
    if (pcm_g.resize.has)
        pcm_resize_failed(pcm_g.resize.order_id, pcm_g.resize.new_size, PCM_ERR_SUPERSEDED, "replaced by a newer order");
    pcm_g.resize.has = 1;
    pcm_g.resize.order_id = order_id;
    pcm_g.resize.new_size = new_size;
    snprintf(pcm_g.resize.hosts, sizeof pcm_g.resize.hosts, "%s", hosts);
    pcm_g.resize.not_before = not_before;
    pcm_g.resize.t_order = pcm_now_real_ns();
    pcm_debug("resize order %llu to %d processes (hosts '%s')", (unsigned long long)order_id, new_size, hosts);
    return PCM_SUCCESS;
}

void pcm_resize_failed(uint64_t order_id, int new_size, int code, const char *why) {
    char msg[1536];
    snprintf(msg, sizeof msg, "resize to %d processes failed (%s): %s", new_size, PCM_Error_string(code), why);
    pcm_log("resize order %llu: %s", (unsigned long long)order_id, msg);
    pcm_agent_send_failed_frame(order_id, code, msg);
}

static int bad_test(const char *why) {
    fprintf(stderr, "[pcm error] PCM_Init: ROAM_PCM_TEST_RESIZE='%s' is not allowed: %s (K:N[@host,host..][;K:N..])\n",
            pcm_env.test_resize, why);
    fflush(stderr);
    return PCM_ERR_ENV;
}

int pcm_resize_test_load(void) {
    n_tests = 0;
    if (!pcm_env.test_resize) return PCM_SUCCESS;
    char buf[PCM_JOB_HOSTS_MAX];
    snprintf(buf, sizeof buf, "%s", pcm_env.test_resize);
    for (char *save = NULL, *o = strtok_r(buf, ";", &save); o; o = strtok_r(NULL, ";", &save)) {
        if (n_tests == TEST_MAX) return bad_test("more than 16 orders");
        char *end, *at = strchr(o, '@');
        if (at) *at = 0;
        errno = 0;
        unsigned long long k = strtoull(o, &end, 10);
        if (errno || end == o || *end != ':' || *o == '-') return bad_test("an order starts with an iteration K:");
        char *n = end + 1;
        long size = strtol(n, &end, 10);
        if (errno || end == n || *end || size < 1 || size > 1 << 20) return bad_test("N is a process count >= 1");
        if (at && !at[1]) return bad_test("'@' without hosts");
        tests[n_tests].at = k;
        tests[n_tests].size = (int)size;
        snprintf(tests[n_tests].hosts, sizeof tests[n_tests].hosts, "%s", at ? at + 1 : "");
        n_tests++;
    }
    return PCM_SUCCESS;
}

void pcm_resize_test_poll(uint64_t iteration) {
    if (pcm_g.rank != 0) return;
    for (int i = 0; i < n_tests; i++) {
        if (tests[i].at != iteration) continue;
        char why[512];
        if (pcm_resize_accept(TEST_ORDER_BASE + (uint64_t)i, tests[i].size, tests[i].hosts, 0, why, sizeof why))
            pcm_log("ROAM_PCM_TEST_RESIZE order %d refused: %s", i, why);
    }
}
