/*
 * pcm_transfer.c - the state stream from a departing process to its replacement.
 *
 * The departing process posts all of its state at once, in 1 MiB chunks (one MPI
 * message each), over the spawn intercommunicator, once the new world is built (the
 * surgery's messages between the two would queue behind the stream), and tells its
 * agent how many bytes have gone (MIGRATION_PROGRESS, at most every 100 ms) while it waits. The
 * replacement posts the receives of the first ROAM_PCM_EAGER_MB (64) MiB of entries at
 * once, before the surgery, into library buffers backed by huge pages where the kernel
 * allows, so that they arrive as soon as the stream starts; PCM_Load copies them out. Larger state waits
 * for PCM_Load, which receives it straight into the application's buffer (advised to use
 * huge pages, so that faulting it in is cheap). The first PCM_Status receives whatever
 * was not loaded, sends the departing process its receipt, closes the connection to it and
 * reports MIGRATION_DONE.
 *
 * The receipt is what lets the departing process leave. Its sends completing is not enough:
 * Open MPI 4.1's ob1 completes a large send once the data is written, and only then sends the
 * FIN that completes the receive; when the socket is full at that moment, the FIN waits in the
 * sender's queue for its next MPI progress. MPI_Comm_disconnect is a PMIx fence in 4.1, with
 * no MPI progress: the FIN would never go, the replacement would wait for it forever, and the
 * departing process for the replacement in the fence (docs/architecture.md, "The state
 * transfer's lost FIN"). Waiting for the receipt in MPI_Recv keeps the sender's progress
 * going until the replacement has everything.
 */
#include "pcm_internal.h"
#include <stdlib.h>
#include <string.h>

#define TAG_DATA 7003
#define TAG_RECEIPT 7004
#define CHUNK_BYTES ((uint64_t)1 << 20)   /* the granularity of the progress reports */
#define PROGRESS_NS 100000000ull

static int chunks(uint64_t bytes) { return (int)((bytes + CHUNK_BYTES - 1) / CHUNK_BYTES); }

/* Post the chunks of one buffer into reqs; returns how many were posted, or -1. */
static int post(void *buf, uint64_t bytes, int send, MPI_Comm comm, MPI_Request *reqs) {
    unsigned char *p = buf;
    int n = chunks(bytes);
    for (int i = 0; i < n; i++) {
        uint64_t off = (uint64_t)i * CHUNK_BYTES;
        int len = (int)(bytes - off < CHUNK_BYTES ? bytes - off : CHUNK_BYTES);
        int rc = send ? PMPI_Isend(p + off, len, MPI_BYTE, 0, TAG_DATA, comm, &reqs[i])
                      : PMPI_Irecv(p + off, len, MPI_BYTE, 0, TAG_DATA, comm, &reqs[i]);
        if (rc != MPI_SUCCESS) return -1;
    }
    return n;
}

int pcm_transfer_post_sends(MPI_Comm inter, MPI_Request **reqs, int *n) {
    int total = 0;
    for (pcm_entry *e = pcm_g.stored.head; e; e = e->next) total += chunks(pcm_entry_bytes(e));
    *reqs = calloc((size_t)total + 1, sizeof **reqs);
    if (!*reqs) return PCM_ERR_NOMEM;
    int k = 0;
    for (pcm_entry *e = pcm_g.stored.head; e; e = e->next) {
        int m = post(e->data, pcm_entry_bytes(e), 1, inter, *reqs + k);
        if (m < 0) return PCM_ERR_TRANSFER;
        k += m;
    }
    *n = k;
    return PCM_SUCCESS;
}

int pcm_transfer_wait_sends(MPI_Request *reqs, int n, uint64_t order_id) {
    uint64_t total = pcm_registry_bytes(&pcm_g.stored), sent = 0, last = 0;
    /* request i carries CHUNK_BYTES but for the last chunk of each entry: size them again */
    uint64_t *len = calloc((size_t)n + 1, sizeof *len);
    int *done = calloc((size_t)n + 1, sizeof *done);
    int rc = MPI_SUCCESS;
    if (!len || !done) {
        rc = PMPI_Waitall(n, reqs, MPI_STATUSES_IGNORE);
        n = 0;
    }
    int k = 0;
    for (pcm_entry *e = pcm_g.stored.head; e && len; e = e->next) {
        uint64_t bytes = pcm_entry_bytes(e);
        for (int c = 0; c < chunks(bytes); c++, k++) {
            uint64_t off = (uint64_t)c * CHUNK_BYTES;
            if (k < n) len[k] = bytes - off < CHUNK_BYTES ? bytes - off : CHUNK_BYTES;
        }
    }
    int left = n;
    while (left > 0 && rc == MPI_SUCCESS) {
        int outcount = 0;
        rc = PMPI_Waitsome(n, reqs, &outcount, done, MPI_STATUSES_IGNORE);
        if (rc != MPI_SUCCESS || outcount == MPI_UNDEFINED) break;
        pcm_stall_progress();
        for (int i = 0; i < outcount; i++) sent += len[done[i]];
        left -= outcount;
        uint64_t now = pcm_now_mono_ns();
        if (left > 0 && now - last >= PROGRESS_NS) {
            pcm_agent_send_progress(order_id, sent, total);
            last = now;
        }
    }
    if (rc == MPI_SUCCESS) pcm_agent_send_progress(order_id, total, total);
    free(len);
    free(done);
    free(reqs);
    return rc == MPI_SUCCESS ? PCM_SUCCESS : PCM_ERR_TRANSFER;
}

int pcm_transfer_await_receipt(MPI_Comm inter) {
    int their_rc = PCM_ERR_TRANSFER;
    if (PMPI_Recv(&their_rc, 1, MPI_INT, 0, TAG_RECEIPT, inter, MPI_STATUS_IGNORE) != MPI_SUCCESS)
        return PCM_ERR_MPI;
    return their_rc;
}

/* Post the receives of entry e into buf (a library buffer when owned). */
static int post_entry(pcm_entry *e, void *buf, int owned) {
    e->data = buf;
    e->owned = owned;
    e->first_req = pcm_g.n_reqs;
    e->n_req = post(buf, pcm_entry_bytes(e), 0, pcm_g.parent, pcm_g.reqs + pcm_g.n_reqs);
    if (e->n_req < 0) return PCM_ERR_TRANSFER;
    pcm_g.n_reqs += e->n_req;
    e->posted = 1;
    e->received = (e->n_req == 0);
    return PCM_SUCCESS;
}

static int post_to_library(pcm_entry *e) {
    void *buf = pcm_buf_alloc(pcm_entry_bytes(e));
    if (!buf) return PCM_ERR_NOMEM;
    return post_entry(e, buf, 1);
}

int pcm_transfer_post_receives(MPI_Comm parent) {
    int total = 0;
    for (pcm_entry *e = pcm_g.restored_state.head; e; e = e->next) total += chunks(pcm_entry_bytes(e));
    pcm_g.reqs = calloc((size_t)total + 1, sizeof *pcm_g.reqs);
    if (!pcm_g.reqs) return PCM_ERR_NOMEM;
    pcm_g.n_reqs = 0;
    pcm_g.parent = parent;
    pcm_g.transfer_open = 1;
    /* Small state is received at once, overlapping the communicator surgery; what lies
     * beyond the eager limit waits for PCM_Load, which receives it straight into the
     * application's buffer (no second copy of a large state in memory). Receives are
     * posted strictly in the order of the entries: they match the sends in order. */
    uint64_t limit = (uint64_t)pcm_env.eager_mb << 20, sum = 0;
    for (pcm_entry *e = pcm_g.restored_state.head; e; e = e->next) {
        sum += pcm_entry_bytes(e);
        if (sum > limit) break;
        int rc = post_to_library(e);
        if (rc) return rc;
    }
    return PCM_SUCCESS;
}

int pcm_transfer_receive(pcm_entry *target, void *user_buf) {
    for (pcm_entry *e = pcm_g.restored_state.head; e; e = e->next) {
        int rc = PCM_SUCCESS;
        if (!e->posted) {
            if (e == target) {
                pcm_buf_advise(user_buf, pcm_entry_bytes(e));
                rc = post_entry(e, user_buf, 0);
            } else {
                rc = post_to_library(e);
            }
        }
        if (rc) return rc;
        if (e == target) break;
    }
    return pcm_transfer_wait(target);
}

int pcm_transfer_wait(pcm_entry *upto) {
    pcm_stall_enter("MPI_Waitany (receiving the state from the departing process)");   /* callers leave */
    for (pcm_entry *e = pcm_g.restored_state.head; e; e = e->next) {
        if (!e->posted) {
            int rc = post_to_library(e);
            if (rc) return rc;
        }
        if (!e->received) {
            /* chunk by chunk: each one is progress for the stall watchdog (pcm_stall.c) */
            for (int i = 0, idx; i < e->n_req; i++) {
                if (PMPI_Waitany(e->n_req, pcm_g.reqs + e->first_req, &idx, MPI_STATUS_IGNORE) != MPI_SUCCESS)
                    return PCM_ERR_TRANSFER;
                pcm_stall_progress();
            }
            e->received = 1;
        }
        if (e == upto) break;
    }
    return PCM_SUCCESS;
}

int pcm_transfer_finish(void) {
    if (!pcm_g.transfer_open) return PCM_SUCCESS;
    int rc = pcm_transfer_wait(NULL);
    pcm_done_report *d = &pcm_g.done;
    d->t_transferred = pcm_now_real_ns();
    pcm_stall_enter("MPI_Send (the receipt of the whole state, to the departed process)");
    if (PMPI_Send(&rc, 1, MPI_INT, 0, TAG_RECEIPT, pcm_g.parent) != MPI_SUCCESS && rc == PCM_SUCCESS)
        rc = PCM_ERR_TRANSFER;
    pcm_stall_enter("MPI_Comm_disconnect (from the departed process)");
    PMPI_Comm_free(&pcm_g.pair);
    PMPI_Comm_disconnect(&pcm_g.parent);
    pcm_stall_leave();
    pcm_g.pair = MPI_COMM_NULL;
    pcm_g.parent = MPI_COMM_NULL;
    pcm_g.transfer_open = 0;
    free(pcm_g.reqs);
    pcm_g.reqs = NULL;
    /* What the application has loaded it holds itself now: give the copies back. */
    for (pcm_entry *e = pcm_g.restored_state.head; e; e = e->next) {
        if (e->loaded) {
            if (e->owned) pcm_buf_free(e->data, pcm_entry_bytes(e));
            e->data = NULL;
            e->owned = 0;
        }
    }
    d->t_resumed = pcm_now_real_ns();
    pcm_agent_send_done(d);
    return rc;
}
