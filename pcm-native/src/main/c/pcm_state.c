/*
 * pcm_state.c - the state registry: named, typed, counted buffers, and the stable
 * codes of the MPI datatypes that can travel between a process and its replacement.
 */
#define _GNU_SOURCE
#include "pcm_internal.h"
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

typedef struct {
    int code;
    const char *name;
    size_t size;
} type_info;

/* Codes are part of the migration metadata: never renumber, only append. */
static const type_info TYPES[] = {
    {0, "unsupported", 0},
    {1, "MPI_BYTE", 1},
    {2, "MPI_CHAR", sizeof(char)},
    {3, "MPI_SIGNED_CHAR", sizeof(signed char)},
    {4, "MPI_UNSIGNED_CHAR", sizeof(unsigned char)},
    {5, "MPI_SHORT", sizeof(short)},
    {6, "MPI_UNSIGNED_SHORT", sizeof(unsigned short)},
    {7, "MPI_INT", sizeof(int)},
    {8, "MPI_UNSIGNED", sizeof(unsigned)},
    {9, "MPI_LONG", sizeof(long)},
    {10, "MPI_UNSIGNED_LONG", sizeof(unsigned long)},
    {11, "MPI_LONG_LONG", sizeof(long long)},
    {12, "MPI_UNSIGNED_LONG_LONG", sizeof(unsigned long long)},
    {13, "MPI_FLOAT", sizeof(float)},
    {14, "MPI_DOUBLE", sizeof(double)},
    {15, "MPI_LONG_DOUBLE", sizeof(long double)},
    {16, "MPI_INT8_T", 1},
    {17, "MPI_INT16_T", 2},
    {18, "MPI_INT32_T", 4},
    {19, "MPI_INT64_T", 8},
    {20, "MPI_UINT8_T", 1},
    {21, "MPI_UINT16_T", 2},
    {22, "MPI_UINT32_T", 4},
    {23, "MPI_UINT64_T", 8},
    {24, "MPI_C_BOOL", sizeof(_Bool)},
};
#define NTYPES ((int)(sizeof TYPES / sizeof TYPES[0]))

int pcm_type_code(MPI_Datatype t) {
    if (t == MPI_DATATYPE_NULL) return 0;
    if (t == MPI_BYTE) return 1;
    if (t == MPI_CHAR) return 2;
    if (t == MPI_SIGNED_CHAR) return 3;
    if (t == MPI_UNSIGNED_CHAR) return 4;
    if (t == MPI_SHORT) return 5;
    if (t == MPI_UNSIGNED_SHORT) return 6;
    if (t == MPI_INT) return 7;
    if (t == MPI_UNSIGNED) return 8;
    if (t == MPI_LONG) return 9;
    if (t == MPI_UNSIGNED_LONG) return 10;
    if (t == MPI_LONG_LONG || t == MPI_LONG_LONG_INT) return 11;
    if (t == MPI_UNSIGNED_LONG_LONG) return 12;
    if (t == MPI_FLOAT) return 13;
    if (t == MPI_DOUBLE) return 14;
    if (t == MPI_LONG_DOUBLE) return 15;
    if (t == MPI_INT8_T) return 16;
    if (t == MPI_INT16_T) return 17;
    if (t == MPI_INT32_T) return 18;
    if (t == MPI_INT64_T) return 19;
    if (t == MPI_UINT8_T) return 20;
    if (t == MPI_UINT16_T) return 21;
    if (t == MPI_UINT32_T) return 22;
    if (t == MPI_UINT64_T) return 23;
    if (t == MPI_C_BOOL) return 24;
    return 0;
}

size_t pcm_type_code_size(int code) { return (code > 0 && code < NTYPES) ? TYPES[code].size : 0; }

const char *pcm_type_code_name(int code) {
    return (code > 0 && code < NTYPES) ? TYPES[code].name : TYPES[0].name;
}

int pcm_key_check(const char *key) {
    if (!key) return PCM_ERR_ARG;
    size_t n = strnlen(key, PCM_MAX_KEY + 1);
    if (n == 0 || n > PCM_MAX_KEY) return PCM_ERR_KEY_LENGTH;
    return PCM_SUCCESS;
}

pcm_entry *pcm_registry_find(const pcm_registry *r, const char *key) {
    for (pcm_entry *e = r->head; e; e = e->next)
        if (strcmp(e->key, key) == 0) return e;
    return NULL;
}

int pcm_registry_put(pcm_registry *r, const char *key, void *data, int code, int64_t count) {
    int rc = pcm_key_check(key);
    if (rc) return rc;
    if (count < 0 || (count > 0 && !data)) return PCM_ERR_ARG;
    if (!pcm_type_code_size(code)) return PCM_ERR_DATATYPE;
    pcm_entry *e = pcm_registry_find(r, key);
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e) return PCM_ERR_NOMEM;
        strcpy(e->key, key);
        if (r->tail) r->tail->next = e; else r->head = e;
        r->tail = e;
        r->n++;
    } else if (e->owned) {
        pcm_buf_free(e->data, pcm_entry_bytes(e));
        e->owned = 0;
    }
    e->data = data;
    e->type_code = code;
    e->count = count;
    return PCM_SUCCESS;
}

int pcm_registry_remove(pcm_registry *r, const char *key) {
    int rc = pcm_key_check(key);
    if (rc) return rc;
    pcm_entry *prev = NULL;
    for (pcm_entry *e = r->head; e; prev = e, e = e->next) {
        if (strcmp(e->key, key) != 0) continue;
        if (prev) prev->next = e->next; else r->head = e->next;
        if (r->tail == e) r->tail = prev;
        if (e->owned) pcm_buf_free(e->data, pcm_entry_bytes(e));
        free(e);
        r->n--;
        return PCM_SUCCESS;
    }
    return PCM_ERR_KEY;
}

uint64_t pcm_registry_bytes(const pcm_registry *r) {
    uint64_t sum = 0;
    for (pcm_entry *e = r->head; e; e = e->next) sum += pcm_entry_bytes(e);
    return sum;
}

void pcm_registry_clear(pcm_registry *r) {
    pcm_entry *e = r->head;
    while (e) {
        pcm_entry *n = e->next;
        if (e->owned) pcm_buf_free(e->data, pcm_entry_bytes(e));
        free(e);
        e = n;
    }
    memset(r, 0, sizeof *r);
}

#define HUGE_PAGE ((uint64_t)2 << 20)

void *pcm_buf_alloc(uint64_t bytes) {
    if (bytes == 0) bytes = 1;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    pcm_buf_advise(p, bytes);
    return p;
}

void pcm_buf_free(void *p, uint64_t bytes) {
    if (p) munmap(p, bytes ? bytes : 1);
}

void pcm_buf_advise(void *p, uint64_t bytes) {
    uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(uintptr_t)(HUGE_PAGE - 1);
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
}
