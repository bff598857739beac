/*
 * pcm_wire.h - encoding and decoding of the agent socket frames (docs/pcm-protocol.md).
 * Pure functions over memory: no sockets, no MPI.
 */
#ifndef ROAM_PCM_WIRE_H
#define ROAM_PCM_WIRE_H

#include <stdint.h>
#include <stddef.h>

#define PCM_WIRE_VERSION 1
#define PCM_WIRE_MAX_FRAME 1048576u
#define PCM_WIRE_MAX_STRING 4096u
#define PCM_WIRE_HEADER 8u   /* length u32 + version u8 + type u8 + flags u16 */

enum pcm_msg_type {
    PCM_MSG_REGISTER = 1,
    PCM_MSG_REGISTERED = 2,
    PCM_MSG_HEARTBEAT = 3,
    PCM_MSG_MIGRATE = 4,
    PCM_MSG_MIGRATION_STARTED = 5,
    PCM_MSG_MIGRATION_DONE = 6,
    PCM_MSG_MIGRATION_FAILED = 7,
    PCM_MSG_BYE = 8,
    PCM_MSG_ERROR = 9,
    PCM_MSG_MIGRATION_PROGRESS = 10,
    /* 11 is reserved */
    PCM_MSG_MIGRATION_STALLED = 12,
    PCM_MSG_RESIZE = 13,
    PCM_MSG_RESIZE_DONE = 14,
    PCM_MSG_PROCESS_FLAGS = 15
};

/* PROCESS_FLAGS bits (a u32; the agent ignores bits it does not know). */
#define PCM_FLAG_MALLEABLE 1u   /* the program handles PCM_RESIZE (PCM_Malleable) */

/* A growing output buffer. Errors stick: after one, every put is ignored. */
typedef struct {
    unsigned char *buf;
    size_t len, cap;
    size_t frame_start;
    int error;
} pcm_writer;

void pcm_w_init(pcm_writer *w);
void pcm_w_free(pcm_writer *w);
void pcm_w_reset(pcm_writer *w);
void pcm_w_begin(pcm_writer *w, int type);
int pcm_w_end(pcm_writer *w);           /* fills the length; 0 or -1 (too big / no memory) */
void pcm_w_u8(pcm_writer *w, uint8_t v);
void pcm_w_u16(pcm_writer *w, uint16_t v);
void pcm_w_u32(pcm_writer *w, uint32_t v);
void pcm_w_u64(pcm_writer *w, uint64_t v);
void pcm_w_str(pcm_writer *w, const char *s);

/* MIGRATION_STALLED (process -> agent): the whole frame; the detail is cut to fit a str. */
void pcm_wire_stalled(pcm_writer *w, uint64_t order_id, uint32_t rank, uint64_t waited_ms, const char *detail);

/* RESIZE_DONE (process -> agent): what rank 0 of the new world reports once a resize is over.
 * Durations in ns; a phase that did not happen (the spawn of a shrink) is 0. */
typedef struct {
    uint64_t order_id;
    const char *job_id;
    uint32_t old_size, new_size;
    uint64_t t_order;          /* when the order reached rank 0, ns since the epoch */
    uint64_t spawn_ns;         /* grow: MPI_Comm_spawn_multiple and the broadcast of its outcome */
    uint64_t world_ns;         /* building the new world (grow: intercomm create and merge; shrink: keepers, split) */
    uint64_t redistribute_ns;  /* the program's time between PCM_Resize_begin and PCM_Resize_end */
    uint64_t total_ns;         /* from the decision (PCM_Status answering PCM_RESIZE) to the end of PCM_Resize_end */
} pcm_resize_report;

/* RESIZE_DONE: the whole frame (a job id longer than a str is cut). */
void pcm_wire_resize_done(pcm_writer *w, const pcm_resize_report *rep);

/* PROCESS_FLAGS (15, process -> agent, after REGISTER): what the program declared about itself. */
void pcm_wire_process_flags(pcm_writer *w, uint32_t flags);

/* A reader over one frame's payload. Errors stick. */
typedef struct {
    const unsigned char *p;
    size_t len, pos;
    int error;
} pcm_reader;

void pcm_r_init(pcm_reader *r, const void *payload, size_t len);
uint8_t pcm_r_u8(pcm_reader *r);
uint16_t pcm_r_u16(pcm_reader *r);
uint32_t pcm_r_u32(pcm_reader *r);
uint64_t pcm_r_u64(pcm_reader *r);
/* Copies a string into out (NUL terminated); too long for out or bad -> error. */
void pcm_r_str(pcm_reader *r, char *out, size_t out_len);
/* 0 when every byte was consumed without error, else -1. */
int pcm_r_done(const pcm_reader *r);

/* Parse a frame header (8 bytes). Returns 0 and sets *payload_len, *type, or -1 when
 * the length is out of range or the version is wrong (*type then holds 0). */
int pcm_wire_header(const unsigned char hdr[PCM_WIRE_HEADER], uint32_t *payload_len, int *type,
                    int *version);

/* Incoming frames for the process side. */
typedef struct {
    int type;
    union {
        struct { char agent[PCM_WIRE_MAX_STRING + 1]; uint32_t heartbeat_ms; } registered;
        struct { uint64_t order_id; char host[256]; uint64_t not_before; } migrate;
        struct { uint64_t order_id; uint32_t ranks; char hosts[PCM_WIRE_MAX_STRING + 1]; uint64_t not_before; } resize;
        struct { int32_t code; char message[PCM_WIRE_MAX_STRING + 1]; } error;
    } u;
} pcm_incoming;

/* Decode one payload of the given type. 0, or -1 for malformed / unexpected type. */
int pcm_wire_decode_incoming(int type, const void *payload, size_t len, pcm_incoming *out);

#endif
