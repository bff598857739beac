/*
 * pcm_redist.c - moving rows from one 1-D block decomposition to another, for a resize.
 *
 * Rank r of size owns rows [first, first + count) of the global array; PCM_Block_rows is
 * the default decomposition (the first total % size ranks hold one row more), any other goes
 * through a PCM_Block_fn. Every rank of comm computes both decompositions, so each knows
 * which of its old rows every new owner needs and which of its new rows every old owner
 * holds: one MPI_Alltoallv over comm moves them (a row is one element of a contiguous type
 * of row_len elements, so counts stay small). Rows a rank keeps are copied by the same call.
 */
#include "pcm_internal.h"
#include <stdlib.h>

int PCM_Block_rows(int total_rows, int size, int rank, int *first, int *count) {
    if (total_rows < 0 || size < 1 || rank < 0 || rank >= size || !first || !count) return PCM_ERR_ARG;
    int base = total_rows / size, extra = total_rows % size;
    *count = base + (rank < extra ? 1 : 0);
    *first = rank * base + (rank < extra ? rank : extra);
    return PCM_SUCCESS;
}

static void block_default(int total, int size, int rank, int *first, int *count, void *arg) {
    (void)arg;
    PCM_Block_rows(total, size, rank, first, count);
}

/* Rank r's block among size ranks; an empty block for r >= size. */
static void block(PCM_Block_fn fn, void *arg, int total, int size, int r, int *first, int *count) {
    *first = 0;
    *count = 0;
    if (r < size) fn(total, size, r, first, count, arg);
    if (*count < 0 || *first < 0) *first = *count = 0;
}

int PCM_Redistribute_rows(MPI_Comm comm, int old_size, int new_size, int total_rows, int row_len,
                          MPI_Datatype type, const void *old_rows, void *new_rows) {
    return PCM_Redistribute_blocks(comm, old_size, new_size, total_rows, row_len, type, NULL, NULL, old_rows,
                                   new_rows);
}

int PCM_Redistribute_blocks(MPI_Comm comm, int old_size, int new_size, int total_rows, int row_len,
                            MPI_Datatype type, PCM_Block_fn fn, void *arg, const void *old_rows, void *new_rows) {
    int n, me;
    if (comm == MPI_COMM_NULL || old_size < 1 || new_size < 1 || total_rows < 0 || row_len < 1) return PCM_ERR_ARG;
    if (PMPI_Comm_size(comm, &n) != MPI_SUCCESS || PMPI_Comm_rank(comm, &me) != MPI_SUCCESS) return PCM_ERR_MPI;
    if (n < old_size || n < new_size) return PCM_ERR_ARG;
    if (!fn) fn = block_default;
    int of, oc, nf, nc;
    block(fn, arg, total_rows, old_size, me, &of, &oc);
    block(fn, arg, total_rows, new_size, me, &nf, &nc);
    if ((oc > 0 && !old_rows) || (nc > 0 && !new_rows)) return PCM_ERR_ARG;
    int *sc = calloc((size_t)n * 4, sizeof *sc);
    if (!sc) return PCM_ERR_NOMEM;
    int *sd = sc + n, *rc_ = sc + 2 * n, *rd = sc + 3 * n;
    for (int r = 0; r < n; r++) {
        int f, c, lo, hi;
        block(fn, arg, total_rows, new_size, r, &f, &c);   /* what r holds after: from my old rows */
        lo = f > of ? f : of;
        hi = (f + c) < (of + oc) ? (f + c) : (of + oc);
        if (hi > lo) sc[r] = hi - lo, sd[r] = lo - of;
        block(fn, arg, total_rows, old_size, r, &f, &c);   /* what r held before: into my new rows */
        lo = f > nf ? f : nf;
        hi = (f + c) < (nf + nc) ? (f + c) : (nf + nc);
        if (hi > lo) rc_[r] = hi - lo, rd[r] = lo - nf;
    }
    MPI_Datatype row;
    int rc = PCM_ERR_MPI;
    static char none;   /* a valid address where a rank sends or receives nothing */
    if (PMPI_Type_contiguous(row_len, type, &row) == MPI_SUCCESS) {
        if (PMPI_Type_commit(&row) == MPI_SUCCESS &&
            PMPI_Alltoallv(old_rows ? old_rows : &none, sc, sd, row, new_rows ? new_rows : &none, rc_, rd, row,
                           comm) == MPI_SUCCESS)
            rc = PCM_SUCCESS;
        PMPI_Type_free(&row);
    }
    free(sc);
    return rc;
}
