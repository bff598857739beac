/*
 * pcm_wire.c - frames of the agent protocol: big-endian fields, bounded lengths.
 */
#include "pcm_wire.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pcm_w_init(pcm_writer *w) { memset(w, 0, sizeof *w); }

void pcm_w_free(pcm_writer *w) {
    free(w->buf);
    memset(w, 0, sizeof *w);
}

void pcm_w_reset(pcm_writer *w) {
    w->len = 0;
    w->error = 0;
    w->frame_start = 0;
}

static void w_reserve(pcm_writer *w, size_t n) {
    if (w->error) return;
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n) cap *= 2;
        unsigned char *nb = realloc(w->buf, cap);
        if (!nb) { w->error = 1; return; }
        w->buf = nb;
        w->cap = cap;
    }
}

static void w_bytes(pcm_writer *w, const void *p, size_t n) {
    w_reserve(w, n);
    if (w->error) return;
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

void pcm_w_u8(pcm_writer *w, uint8_t v) { w_bytes(w, &v, 1); }

void pcm_w_u16(pcm_writer *w, uint16_t v) {
    unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};
    w_bytes(w, b, 2);
}

void pcm_w_u32(pcm_writer *w, uint32_t v) {
    unsigned char b[4];
    for (int i = 0; i < 4; i++) b[i] = (unsigned char)(v >> (24 - 8 * i));
    w_bytes(w, b, 4);
}

void pcm_w_u64(pcm_writer *w, uint64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; i++) b[i] = (unsigned char)(v >> (56 - 8 * i));
    w_bytes(w, b, 8);
}

void pcm_w_str(pcm_writer *w, const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n > PCM_WIRE_MAX_STRING) { w->error = 1; return; }
    pcm_w_u16(w, (uint16_t)n);
    w_bytes(w, s, n);
}

void pcm_w_begin(pcm_writer *w, int type) {
    w->frame_start = w->len;
    pcm_w_u32(w, 0);
    pcm_w_u8(w, PCM_WIRE_VERSION);
    pcm_w_u8(w, (uint8_t)type);
    pcm_w_u16(w, 0);
}

int pcm_w_end(pcm_writer *w) {
    if (w->error) return -1;
    size_t body = w->len - w->frame_start - 4;
    if (body > PCM_WIRE_MAX_FRAME) { w->error = 1; return -1; }
    unsigned char *p = w->buf + w->frame_start;
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(body >> (24 - 8 * i));
    return 0;
}

void pcm_wire_stalled(pcm_writer *w, uint64_t order_id, uint32_t rank, uint64_t waited_ms, const char *detail) {
    char cut[PCM_WIRE_MAX_STRING + 1];
    size_t n = detail ? strlen(detail) : 0;
    if (n > PCM_WIRE_MAX_STRING) n = PCM_WIRE_MAX_STRING;
    if (n) memcpy(cut, detail, n);
    cut[n] = 0;
    pcm_w_begin(w, PCM_MSG_MIGRATION_STALLED);
    pcm_w_u64(w, order_id);
    pcm_w_u32(w, rank);
    pcm_w_u64(w, waited_ms);
    pcm_w_str(w, cut);
    pcm_w_end(w);
}

void pcm_wire_resize_done(pcm_writer *w, const pcm_resize_report *rep) {
    char job[PCM_WIRE_MAX_STRING + 1];
    snprintf(job, sizeof job, "%s", rep->job_id ? rep->job_id : "");
    pcm_w_begin(w, PCM_MSG_RESIZE_DONE);
    pcm_w_u64(w, rep->order_id);
    pcm_w_str(w, job);
    pcm_w_u32(w, rep->old_size);
    pcm_w_u32(w, rep->new_size);
    pcm_w_u64(w, rep->t_order);
    pcm_w_u64(w, rep->spawn_ns);
    pcm_w_u64(w, rep->world_ns);
    pcm_w_u64(w, rep->redistribute_ns);
    pcm_w_u64(w, rep->total_ns);
    pcm_w_end(w);
}

void pcm_wire_process_flags(pcm_writer *w, uint32_t flags) {
    pcm_w_begin(w, PCM_MSG_PROCESS_FLAGS);
    pcm_w_u32(w, flags);
    pcm_w_end(w);
}

void pcm_r_init(pcm_reader *r, const void *payload, size_t len) {
    r->p = payload;
    r->len = len;
    r->pos = 0;
    r->error = 0;
}

static const unsigned char *r_take(pcm_reader *r, size_t n) {
    if (r->error || r->len - r->pos < n) { r->error = 1; return NULL; }
    const unsigned char *q = r->p + r->pos;
    r->pos += n;
    return q;
}

uint8_t pcm_r_u8(pcm_reader *r) {
    const unsigned char *q = r_take(r, 1);
    return q ? q[0] : 0;
}

uint16_t pcm_r_u16(pcm_reader *r) {
    const unsigned char *q = r_take(r, 2);
    return q ? (uint16_t)((q[0] << 8) | q[1]) : 0;
}

uint32_t pcm_r_u32(pcm_reader *r) {
    const unsigned char *q = r_take(r, 4);
    if (!q) return 0;
    return ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];
}

uint64_t pcm_r_u64(pcm_reader *r) {
    uint64_t hi = pcm_r_u32(r);
    uint64_t lo = pcm_r_u32(r);
    return (hi << 32) | lo;
}

void pcm_r_str(pcm_reader *r, char *out, size_t out_len) {
    uint16_t n = pcm_r_u16(r);
    if (n > PCM_WIRE_MAX_STRING || (size_t)n >= out_len) { r->error = 1; }
    const unsigned char *q = r_take(r, n);
    if (!q) { if (out_len) out[0] = 0; return; }
    memcpy(out, q, n);
    out[n] = 0;
    if (memchr(out, 0, n)) r->error = 1;   /* an embedded NUL is not a valid name */
}

int pcm_r_done(const pcm_reader *r) { return (r->error || r->pos != r->len) ? -1 : 0; }

int pcm_wire_header(const unsigned char hdr[PCM_WIRE_HEADER], uint32_t *payload_len, int *type,
                    int *version) {
    uint32_t len = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) | ((uint32_t)hdr[2] << 8) | hdr[3];
    *version = hdr[4];
    *type = 0;
    if (len < 4 || len > PCM_WIRE_MAX_FRAME) return -1;
    if (hdr[4] != PCM_WIRE_VERSION) return -1;
    *type = hdr[5];
    *payload_len = len - 4;
    return 0;
}

int pcm_wire_decode_incoming(int type, const void *payload, size_t len, pcm_incoming *out) {
    pcm_reader r;
    pcm_r_init(&r, payload, len);
    memset(out, 0, sizeof *out);
    out->type = type;
    switch (type) {
    case PCM_MSG_REGISTERED:
        pcm_r_str(&r, out->u.registered.agent, sizeof out->u.registered.agent);
        out->u.registered.heartbeat_ms = pcm_r_u32(&r);
        break;
    case PCM_MSG_MIGRATE:
        out->u.migrate.order_id = pcm_r_u64(&r);
        pcm_r_str(&r, out->u.migrate.host, sizeof out->u.migrate.host);
        out->u.migrate.not_before = pcm_r_u64(&r);
        if (!r.error && out->u.migrate.host[0] == 0) return -1;
        break;
    case PCM_MSG_RESIZE:
        out->u.resize.order_id = pcm_r_u64(&r);
        out->u.resize.ranks = pcm_r_u32(&r);
        pcm_r_str(&r, out->u.resize.hosts, sizeof out->u.resize.hosts);   /* "" or "a,b,c" */
        out->u.resize.not_before = pcm_r_u64(&r);
        if (!r.error && (out->u.resize.ranks < 1 || out->u.resize.ranks > 0x7fffffffu)) return -1;
        break;
    case PCM_MSG_ERROR:
        out->u.error.code = (int32_t)pcm_r_u32(&r);
        pcm_r_str(&r, out->u.error.message, sizeof out->u.error.message);
        break;
    default:
        return -1;
    }
    return pcm_r_done(&r);
}
