/* Unit tests of the frame codec (docs/pcm-protocol.md), no sockets, no MPI. */
#include "pcm_wire.h"
#include "pcm_test.h"

static void test_writer_layout(void) {
    pcm_writer w;
    pcm_w_init(&w);
    pcm_w_begin(&w, PCM_MSG_MIGRATION_STARTED);
    pcm_w_u64(&w, 0x0102030405060708ull);
    pcm_w_u64(&w, 100);
    EXPECT_EQ(pcm_w_end(&w), 0);
    EXPECT_EQ(w.len, 8 + 16);
    const unsigned char want[] = {0, 0, 0, 20, 1, 5, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT(memcmp(w.buf, want, sizeof want) == 0);
    uint32_t plen;
    int type, version;
    EXPECT_EQ(pcm_wire_header(w.buf, &plen, &type, &version), 0);
    EXPECT_EQ(plen, 16);
    EXPECT_EQ(type, PCM_MSG_MIGRATION_STARTED);
    pcm_reader r;
    pcm_r_init(&r, w.buf + 8, plen);
    EXPECT(pcm_r_u64(&r) == 0x0102030405060708ull);
    EXPECT_EQ(pcm_r_u64(&r), 100);
    EXPECT_EQ(pcm_r_done(&r), 0);
    pcm_w_free(&w);
}

static void test_strings(void) {
    pcm_writer w;
    pcm_w_init(&w);
    char big[PCM_WIRE_MAX_STRING + 2];
    memset(big, 'x', sizeof big);
    big[PCM_WIRE_MAX_STRING + 1] = 0;
    pcm_w_begin(&w, PCM_MSG_ERROR);
    pcm_w_str(&w, big);                         /* 4097 bytes: refused */
    EXPECT_EQ(pcm_w_end(&w), -1);
    pcm_w_reset(&w);
    big[PCM_WIRE_MAX_STRING] = 0;
    pcm_w_begin(&w, PCM_MSG_ERROR);
    pcm_w_u32(&w, (uint32_t)-20);
    pcm_w_str(&w, big);                         /* exactly 4096: fine */
    EXPECT_EQ(pcm_w_end(&w), 0);
    pcm_incoming in;
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_ERROR, w.buf + 8, w.len - 8, &in), 0);
    EXPECT_EQ(in.u.error.code, -20);
    EXPECT_EQ(strlen(in.u.error.message), PCM_WIRE_MAX_STRING);
    pcm_w_free(&w);
}

static size_t migrate_frame(pcm_writer *w, uint64_t id, const char *host, uint64_t nb) {
    pcm_w_reset(w);
    pcm_w_begin(w, PCM_MSG_MIGRATE);
    pcm_w_u64(w, id);
    pcm_w_str(w, host);
    pcm_w_u64(w, nb);
    pcm_w_end(w);
    return w->len - 8;
}

static void test_incoming(void) {
    pcm_writer w;
    pcm_w_init(&w);
    pcm_incoming in;
    size_t n = migrate_frame(&w, 42, "node-7", 300);
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_MIGRATE, w.buf + 8, n, &in), 0);
    EXPECT_EQ(in.u.migrate.order_id, 42);
    EXPECT(strcmp(in.u.migrate.host, "node-7") == 0);
    EXPECT_EQ(in.u.migrate.not_before, 300);
    /* truncated and trailing payloads */
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_MIGRATE, w.buf + 8, n - 1, &in), -1);
    unsigned char longer[512];
    memcpy(longer, w.buf + 8, n);
    longer[n] = 0;
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_MIGRATE, longer, n + 1, &in), -1);
    /* empty host and over-long host */
    n = migrate_frame(&w, 1, "", 0);
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_MIGRATE, w.buf + 8, n, &in), -1);
    char host[300];
    memset(host, 'h', sizeof host);
    host[299] = 0;
    n = migrate_frame(&w, 1, host, 0);
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_MIGRATE, w.buf + 8, n, &in), -1);
    /* a string with an embedded NUL */
    n = migrate_frame(&w, 1, "abc", 0);
    w.buf[8 + 8 + 2 + 1] = 0;
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_MIGRATE, w.buf + 8, n, &in), -1);
    /* a string length past the end */
    n = migrate_frame(&w, 1, "abc", 0);
    w.buf[8 + 8] = 0x10;
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_MIGRATE, w.buf + 8, n, &in), -1);
    /* REGISTERED */
    pcm_w_reset(&w);
    pcm_w_begin(&w, PCM_MSG_REGISTERED);
    pcm_w_str(&w, "agent-a");
    pcm_w_u32(&w, 250);
    pcm_w_end(&w);
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_REGISTERED, w.buf + 8, w.len - 8, &in), 0);
    EXPECT_EQ(in.u.registered.heartbeat_ms, 250);
    EXPECT(strcmp(in.u.registered.agent, "agent-a") == 0);
    /* a process never accepts process->agent types */
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_HEARTBEAT, w.buf + 8, w.len - 8, &in), -1);
    EXPECT_EQ(pcm_wire_decode_incoming(99, w.buf + 8, w.len - 8, &in), -1);
    pcm_w_free(&w);
}

static void test_headers(void) {
    uint32_t plen;
    int type, version;
    unsigned char h[8] = {0, 0, 0, 4, 1, 8, 0, 0};
    EXPECT_EQ(pcm_wire_header(h, &plen, &type, &version), 0);
    EXPECT_EQ(plen, 0);
    h[3] = 3;                                             /* length below the header */
    EXPECT_EQ(pcm_wire_header(h, &plen, &type, &version), -1);
    unsigned char big[8] = {0, 0x10, 0, 1, 1, 3, 0, 0};   /* MAX + 1 */
    EXPECT_EQ(pcm_wire_header(big, &plen, &type, &version), -1);
    unsigned char max[8] = {0, 0x10, 0, 0, 1, 3, 0, 0};   /* exactly MAX */
    EXPECT_EQ(pcm_wire_header(max, &plen, &type, &version), 0);
    EXPECT_EQ(plen, PCM_WIRE_MAX_FRAME - 4);
    unsigned char huge[8] = {0xff, 0xff, 0xff, 0xff, 1, 3, 0, 0};
    EXPECT_EQ(pcm_wire_header(huge, &plen, &type, &version), -1);
    unsigned char v2[8] = {0, 0, 0, 4, 2, 3, 0, 0};
    EXPECT_EQ(pcm_wire_header(v2, &plen, &type, &version), -1);
    EXPECT_EQ(version, 2);
}

/* MIGRATION_STALLED (12): order_id u64, rank u32, waited_ms u64, detail str; a detail
 * longer than a str is cut to PCM_WIRE_MAX_STRING bytes, never refused. */
static void test_stalled(void) {
    pcm_writer w;
    pcm_w_init(&w);
    pcm_wire_stalled(&w, 0x0102030405060708ull, 3, 61000, "in MPI_Intercomm_merge");
    EXPECT_EQ(w.error, 0);
    uint32_t plen;
    int type, version;
    EXPECT_EQ(pcm_wire_header(w.buf, &plen, &type, &version), 0);
    EXPECT_EQ(type, PCM_MSG_MIGRATION_STALLED);
    EXPECT_EQ(type, 12);
    EXPECT_EQ(plen, 8 + 4 + 8 + 2 + strlen("in MPI_Intercomm_merge"));
    pcm_reader r;
    pcm_r_init(&r, w.buf + 8, plen);
    EXPECT(pcm_r_u64(&r) == 0x0102030405060708ull);
    EXPECT_EQ(pcm_r_u32(&r), 3);
    EXPECT_EQ(pcm_r_u64(&r), 61000);
    char detail[64];
    pcm_r_str(&r, detail, sizeof detail);
    EXPECT(strcmp(detail, "in MPI_Intercomm_merge") == 0);
    EXPECT_EQ(pcm_r_done(&r), 0);
    pcm_w_reset(&w);
    char big[PCM_WIRE_MAX_STRING + 100];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = 0;
    pcm_wire_stalled(&w, 1, 0, 0, big);
    EXPECT_EQ(w.error, 0);
    EXPECT_EQ(pcm_wire_header(w.buf, &plen, &type, &version), 0);
    EXPECT_EQ(plen, 8 + 4 + 8 + 2 + PCM_WIRE_MAX_STRING);
    pcm_w_free(&w);
}

/* RESIZE (13, agent -> process): order u64, ranks u32, hosts str ("" or "a,b"), not_before u64. */
static void test_resize(void) {
    pcm_writer w;
    pcm_w_init(&w);
    pcm_incoming in;
    uint32_t ranks[] = {4, 0};
    for (int k = 0; k < 2; k++) {
        pcm_w_reset(&w);
        pcm_w_begin(&w, PCM_MSG_RESIZE);
        pcm_w_u64(&w, 77);
        pcm_w_u32(&w, ranks[k]);
        pcm_w_str(&w, "h2,h3");
        pcm_w_u64(&w, 12);
        pcm_w_end(&w);
        size_t n = w.len - 8;
        int rc = pcm_wire_decode_incoming(PCM_MSG_RESIZE, w.buf + 8, n, &in);
        if (k == 1) {
            EXPECT_EQ(rc, -1);   /* 0 processes: malformed */
            break;
        }
        EXPECT_EQ(rc, 0);
        EXPECT_EQ(in.u.resize.order_id, 77);
        EXPECT_EQ(in.u.resize.ranks, 4);
        EXPECT(strcmp(in.u.resize.hosts, "h2,h3") == 0);
        EXPECT_EQ(in.u.resize.not_before, 12);
        EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_RESIZE, w.buf + 8, n - 1, &in), -1);
    }
    pcm_w_free(&w);
}

/* RESIZE_DONE (14, process -> agent): order u64, job str, old u32, new u32, t_order u64,
 * spawn_ns, world_ns, redistribute_ns, total_ns u64; a job id longer than a str is cut. */
static void test_resize_done(void) {
    pcm_writer w;
    pcm_w_init(&w);
    pcm_resize_report rep = {.order_id = 0x1122334455667788ull, .job_id = "job-7", .old_size = 2,
                             .new_size = 4, .t_order = 1700000000000000000ull, .spawn_ns = 300000000ull,
                             .world_ns = 20000000ull, .redistribute_ns = 5000000ull, .total_ns = 330000000ull};
    pcm_wire_resize_done(&w, &rep);
    EXPECT_EQ(w.error, 0);
    uint32_t plen;
    int type, version;
    EXPECT_EQ(pcm_wire_header(w.buf, &plen, &type, &version), 0);
    EXPECT_EQ(type, PCM_MSG_RESIZE_DONE);
    EXPECT_EQ(type, 14);
    EXPECT_EQ(plen, 8 + 2 + 5 + 4 + 4 + 5 * 8);
    pcm_reader r;
    pcm_r_init(&r, w.buf + 8, plen);
    EXPECT(pcm_r_u64(&r) == 0x1122334455667788ull);
    char job[64];
    pcm_r_str(&r, job, sizeof job);
    EXPECT(strcmp(job, "job-7") == 0);
    EXPECT_EQ(pcm_r_u32(&r), 2);
    EXPECT_EQ(pcm_r_u32(&r), 4);
    EXPECT(pcm_r_u64(&r) == 1700000000000000000ull);
    EXPECT(pcm_r_u64(&r) == 300000000ull);
    EXPECT(pcm_r_u64(&r) == 20000000ull);
    EXPECT(pcm_r_u64(&r) == 5000000ull);
    EXPECT(pcm_r_u64(&r) == 330000000ull);
    EXPECT_EQ(pcm_r_done(&r), 0);
    /* a process never accepts it from the agent */
    pcm_incoming in;
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_RESIZE_DONE, w.buf + 8, plen, &in), -1);
    /* a shrink (no spawn), a NULL and an oversized job id */
    char big[PCM_WIRE_MAX_STRING + 50];
    memset(big, 'j', sizeof big - 1);
    big[sizeof big - 1] = 0;
    pcm_resize_report shrink = {.order_id = 1, .job_id = big, .old_size = 4, .new_size = 3};
    pcm_w_reset(&w);
    pcm_wire_resize_done(&w, &shrink);
    EXPECT_EQ(w.error, 0);
    EXPECT_EQ(pcm_wire_header(w.buf, &plen, &type, &version), 0);
    EXPECT_EQ(plen, 8 + 2 + PCM_WIRE_MAX_STRING + 4 + 4 + 5 * 8);
    shrink.job_id = NULL;
    pcm_w_reset(&w);
    pcm_wire_resize_done(&w, &shrink);
    EXPECT_EQ(pcm_wire_header(w.buf, &plen, &type, &version), 0);
    EXPECT_EQ(plen, 8 + 2 + 4 + 4 + 5 * 8);
    pcm_w_free(&w);
}

/* PROCESS_FLAGS (15, process -> agent): flags u32, bit 0 malleable; exact bytes. */
static void test_process_flags(void) {
    pcm_writer w;
    pcm_w_init(&w);
    pcm_wire_process_flags(&w, PCM_FLAG_MALLEABLE);
    EXPECT_EQ(w.error, 0);
    const unsigned char want[] = {0, 0, 0, 8, 1, 15, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(w.len, sizeof want);
    EXPECT(memcmp(w.buf, want, sizeof want) == 0);
    uint32_t plen;
    int type, version;
    EXPECT_EQ(pcm_wire_header(w.buf, &plen, &type, &version), 0);
    EXPECT_EQ(type, PCM_MSG_PROCESS_FLAGS);
    EXPECT_EQ(plen, 4);
    pcm_reader r;
    pcm_r_init(&r, w.buf + 8, plen);
    EXPECT_EQ(pcm_r_u32(&r), PCM_FLAG_MALLEABLE);
    EXPECT_EQ(pcm_r_done(&r), 0);
    /* a process never accepts it from the agent */
    pcm_incoming in;
    EXPECT_EQ(pcm_wire_decode_incoming(PCM_MSG_PROCESS_FLAGS, w.buf + 8, plen, &in), -1);
    /* every bit travels, big-endian */
    pcm_w_reset(&w);
    pcm_wire_process_flags(&w, 0x80000003u);
    EXPECT_EQ(w.len, 12);
    EXPECT(w.buf[8] == 0x80 && w.buf[9] == 0 && w.buf[10] == 0 && w.buf[11] == 3);
    pcm_w_free(&w);
}

int main(void) {
    test_process_flags();
    test_resize_done();
    test_resize();
    test_writer_layout();
    test_stalled();
    test_strings();
    test_incoming();
    test_headers();
    return TEST_SUMMARY("test_pcm_wire");
}
