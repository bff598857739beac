/*
 * pcm_jni_comm.c - the MPI operations of io.roam.pcm.PcmComm on the application's world.
 *
 * Arrays go through native memory (Get/Set<Type>ArrayRegion): no array is pinned while a
 * call waits for another rank, so a blocked call never holds the JVM's garbage collector.
 * Direct buffers are used in place. The calls go through libpcm's PMPI wrappers (see the
 * linking note in pcm_jni.c), so the profile the agent receives counts them.
 */
#include "pcm_jni.h"
#include "io_roam_pcm_PcmNative.h"
#include <stdlib.h>
#include <string.h>

static int rank_in(jint r) {
    if (r == PJ_PROC_NULL) return MPI_PROC_NULL;
    if (r == PJ_ANY_SOURCE) return MPI_ANY_SOURCE;
    return r;
}

static jint rank_out(int r) {
    if (r == MPI_PROC_NULL) return PJ_PROC_NULL;
    if (r == MPI_ANY_SOURCE) return PJ_ANY_SOURCE;
    return r;
}

static int tag_in(jint t) { return t == PJ_ANY_TAG ? MPI_ANY_TAG : t; }
static jint tag_out(int t) { return t == MPI_ANY_TAG ? PJ_ANY_TAG : t; }

static void *scratch(jint n, int t) {
    return malloc((size_t)(n > 0 ? n : 1) * pj_type_size(t));
}

/* Copies array[off, off + n) out into buf. */
static void get_region(JNIEnv *env, jobject a, int t, jint off, jint n, void *buf) {
    switch (t) {
    case PJ_T_DOUBLE: (*env)->GetDoubleArrayRegion(env, (jdoubleArray)a, off, n, buf); break;
    case PJ_T_INT: (*env)->GetIntArrayRegion(env, (jintArray)a, off, n, buf); break;
    case PJ_T_LONG: (*env)->GetLongArrayRegion(env, (jlongArray)a, off, n, buf); break;
    case PJ_T_BYTE: (*env)->GetByteArrayRegion(env, (jbyteArray)a, off, n, buf); break;
    }
}

static void set_region(JNIEnv *env, jobject a, int t, jint off, jint n, const void *buf) {
    switch (t) {
    case PJ_T_DOUBLE: (*env)->SetDoubleArrayRegion(env, (jdoubleArray)a, off, n, buf); break;
    case PJ_T_INT: (*env)->SetIntArrayRegion(env, (jintArray)a, off, n, buf); break;
    case PJ_T_LONG: (*env)->SetLongArrayRegion(env, (jlongArray)a, off, n, buf); break;
    case PJ_T_BYTE: (*env)->SetByteArrayRegion(env, (jbyteArray)a, off, n, buf); break;
    }
}

static void put_status(JNIEnv *env, jintArray out, const MPI_Status *st, MPI_Datatype type) {
    int count = 0;
    MPI_Get_count(st, type, &count);
    jint v[3] = {rank_out(st->MPI_SOURCE), tag_out(st->MPI_TAG), count == MPI_UNDEFINED ? -1 : count};
    (*env)->SetIntArrayRegion(env, out, 0, 3, v);
}

/* The address of bytes [offset, offset + length) of a direct buffer, or NULL. */
static unsigned char *direct(JNIEnv *env, jobject buffer, jint offset, jint length) {
    unsigned char *base = (*env)->GetDirectBufferAddress(env, buffer);
    jlong cap = (*env)->GetDirectBufferCapacity(env, buffer);
    if (!base || offset < 0 || length < 0 || (jlong)offset + length > cap) return NULL;
    return base + offset;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_commRank(JNIEnv *env, jclass c, jlong comm) {
    int r = -1, rc = MPI_Comm_rank(pj_comm(comm), &r);
    return rc == MPI_SUCCESS ? r : pj_mpi(rc);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_commSize(JNIEnv *env, jclass c, jlong comm) {
    int s = -1, rc = MPI_Comm_size(pj_comm(comm), &s);
    return rc == MPI_SUCCESS ? s : pj_mpi(rc);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_barrier(JNIEnv *env, jclass c, jlong comm) {
    return pj_mpi(MPI_Barrier(pj_comm(comm)));
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_abort(JNIEnv *env, jclass c, jlong comm, jint code) {
    return pj_mpi(MPI_Abort(comm ? pj_comm(comm) : MPI_COMM_WORLD, code));
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_send(JNIEnv *env, jclass c, jlong comm, jobject array, jint type,
                                                        jint offset, jint count, jint dest, jint tag) {
    void *buf = scratch(count, type);
    if (!buf) return PCM_ERR_NOMEM;
    get_region(env, array, type, offset, count, buf);
    int rc = (*env)->ExceptionCheck(env) ? PCM_ERR_ARG
                                         : pj_mpi(MPI_Send(buf, count, pj_type(type), rank_in(dest), tag,
                                                           pj_comm(comm)));
    free(buf);
    return rc;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_recv(JNIEnv *env, jclass c, jlong comm, jobject array, jint type,
                                                        jint offset, jint count, jint source, jint tag,
                                                        jintArray status) {
    void *buf = scratch(count, type);
    if (!buf) return PCM_ERR_NOMEM;
    MPI_Status st;
    int rc = MPI_Recv(buf, count, pj_type(type), rank_in(source), tag_in(tag), pj_comm(comm), &st);
    if (rc == MPI_SUCCESS) {
        int got = 0;
        MPI_Get_count(&st, pj_type(type), &got);
        if (got > 0 && got != MPI_UNDEFINED) set_region(env, array, type, offset, got, buf);
        put_status(env, status, &st, pj_type(type));
    }
    free(buf);
    return pj_mpi(rc);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_sendrecv(JNIEnv *env, jclass c, jlong comm, jobject sarray,
                                                            jint stype, jint soffset, jint scount, jint dest,
                                                            jint stag, jobject rarray, jint rtype, jint roffset,
                                                            jint rcount, jint source, jint rtag, jintArray status) {
    void *sbuf = scratch(scount, stype), *rbuf = scratch(rcount, rtype);
    int rc = PCM_ERR_NOMEM;
    if (sbuf && rbuf) {
        get_region(env, sarray, stype, soffset, scount, sbuf);
        MPI_Status st;
        rc = MPI_Sendrecv(sbuf, scount, pj_type(stype), rank_in(dest), stag, rbuf, rcount, pj_type(rtype),
                          rank_in(source), tag_in(rtag), pj_comm(comm), &st);
        if (rc == MPI_SUCCESS) {
            int got = 0;
            MPI_Get_count(&st, pj_type(rtype), &got);
            if (got > 0 && got != MPI_UNDEFINED) set_region(env, rarray, rtype, roffset, got, rbuf);
            put_status(env, status, &st, pj_type(rtype));
        }
        rc = pj_mpi(rc);
    }
    free(sbuf);
    free(rbuf);
    return rc;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_sendBuffer(JNIEnv *env, jclass c, jlong comm, jobject buffer,
                                                              jint offset, jint length, jint dest, jint tag) {
    unsigned char *p = direct(env, buffer, offset, length);
    if (!p) return PCM_ERR_ARG;
    return pj_mpi(MPI_Send(p, length, MPI_BYTE, rank_in(dest), tag, pj_comm(comm)));
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_recvBuffer(JNIEnv *env, jclass c, jlong comm, jobject buffer,
                                                              jint offset, jint length, jint source, jint tag,
                                                              jintArray status) {
    unsigned char *p = direct(env, buffer, offset, length);
    if (!p) return PCM_ERR_ARG;
    MPI_Status st;
    int rc = MPI_Recv(p, length, MPI_BYTE, rank_in(source), tag_in(tag), pj_comm(comm), &st);
    if (rc == MPI_SUCCESS) put_status(env, status, &st, MPI_BYTE);
    return pj_mpi(rc);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_sendrecvBuffer(JNIEnv *env, jclass c, jlong comm, jobject sbuffer,
                                                                  jint soffset, jint slength, jint dest, jint stag,
                                                                  jobject rbuffer, jint roffset, jint rlength,
                                                                  jint source, jint rtag, jintArray status) {
    unsigned char *s = direct(env, sbuffer, soffset, slength), *r = direct(env, rbuffer, roffset, rlength);
    if (!s || !r) return PCM_ERR_ARG;
    MPI_Status st;
    int rc = MPI_Sendrecv(s, slength, MPI_BYTE, rank_in(dest), stag, r, rlength, MPI_BYTE, rank_in(source),
                          tag_in(rtag), pj_comm(comm), &st);
    if (rc == MPI_SUCCESS) put_status(env, status, &st, MPI_BYTE);
    return pj_mpi(rc);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_allreduce(JNIEnv *env, jclass c, jlong comm, jobject array,
                                                             jint type, jint offset, jint count, jint op) {
    MPI_Op mop = op == PJ_OP_SUM ? MPI_SUM : op == PJ_OP_MIN ? MPI_MIN : op == PJ_OP_MAX ? MPI_MAX : MPI_OP_NULL;
    if (mop == MPI_OP_NULL || !pj_type_size(type)) return PCM_ERR_ARG;
    void *buf = scratch(count, type);
    if (!buf) return PCM_ERR_NOMEM;
    get_region(env, array, type, offset, count, buf);
    int rc = MPI_Allreduce(MPI_IN_PLACE, buf, count, pj_type(type), mop, pj_comm(comm));
    if (rc == MPI_SUCCESS) set_region(env, array, type, offset, count, buf);
    free(buf);
    return pj_mpi(rc);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_gatherCounts(JNIEnv *env, jclass c, jlong comm, jint count,
                                                                jint root, jintArray counts) {
    int size = 0;
    MPI_Comm w = pj_comm(comm);
    int rc = MPI_Comm_size(w, &size);
    if (rc != MPI_SUCCESS) return pj_mpi(rc);
    int *all = counts ? malloc((size_t)size * sizeof *all) : NULL;
    if (counts && !all) return PCM_ERR_NOMEM;
    int mine = count;
    rc = MPI_Gather(&mine, 1, MPI_INT, all, 1, MPI_INT, root, w);
    if (rc == MPI_SUCCESS && counts) (*env)->SetIntArrayRegion(env, counts, 0, size, (const jint *)all);
    free(all);
    return pj_mpi(rc);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_gatherv(JNIEnv *env, jclass c, jlong comm, jdoubleArray src,
                                                           jint offset, jint count, jdoubleArray dst,
                                                           jintArray counts, jint root) {
    MPI_Comm w = pj_comm(comm);
    int size = 0;
    int rc = MPI_Comm_size(w, &size);
    if (rc != MPI_SUCCESS) return pj_mpi(rc);
    double *mine = scratch(count, PJ_T_DOUBLE), *all = NULL;
    int *cnt = NULL, *displs = NULL;
    jsize total = 0;
    if (!mine) return PCM_ERR_NOMEM;
    (*env)->GetDoubleArrayRegion(env, src, offset, count, mine);
    if (dst) {   /* root */
        total = (*env)->GetArrayLength(env, dst);
        all = scratch(total, PJ_T_DOUBLE);
        cnt = malloc((size_t)size * sizeof *cnt);
        displs = malloc((size_t)size * sizeof *displs);
        if (!all || !cnt || !displs) {
            rc = PCM_ERR_NOMEM;
            goto out;
        }
        (*env)->GetIntArrayRegion(env, counts, 0, size, (jint *)cnt);
        for (int r = 0, d = 0; r < size; r++) {
            displs[r] = d;
            d += cnt[r];
        }
    }
    rc = pj_mpi(MPI_Gatherv(mine, count, MPI_DOUBLE, all, cnt, displs, MPI_DOUBLE, root, w));
    if (rc == 0 && dst) (*env)->SetDoubleArrayRegion(env, dst, 0, total, all);
out:
    free(mine);
    free(all);
    free(cnt);
    free(displs);
    return rc;
}

/* The element count of rows [.., +count) of row_len, or -1 if it does not fit a Java array. */
static jlong row_elements(int count, jint row_len) {
    jlong n = (jlong)count * row_len;
    return n >= 0 && n <= INT32_MAX ? n : -1;
}

/* Whether array[offset, offset + n) exists (n = 0: anything, null included). */
static int fits(JNIEnv *env, jarray a, jint offset, jlong n) {
    if (n == 0) return 1;
    return a && offset >= 0 && (jlong)offset + n <= (*env)->GetArrayLength(env, a);
}

/* PCM_Redistribute_rows of rows of doubles, through native memory: this rank's old block from
 * old_rows[old_offset..] (ranks < old_size), its new block into new_rows[new_offset..] (ranks <
 * new_size), both in PCM_Block_rows's decomposition. */
JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_redistributeRows(JNIEnv *env, jclass c, jlong comm, jint old_size,
                                                                    jint new_size, jint total_rows, jint row_len,
                                                                    jdoubleArray old_rows, jint old_offset,
                                                                    jdoubleArray new_rows, jint new_offset) {
    int rank = -1, first = 0, old_n = 0, new_n = 0, rc = MPI_Comm_rank(pj_comm(comm), &rank);
    if (rc != MPI_SUCCESS) return pj_mpi(rc);
    if (old_size < 1 || new_size < 1 || total_rows < 1 || row_len < 1) return PCM_ERR_ARG;
    if (rank < old_size && (rc = PCM_Block_rows(total_rows, old_size, rank, &first, &old_n)) != PCM_SUCCESS) return rc;
    if (rank < new_size && (rc = PCM_Block_rows(total_rows, new_size, rank, &first, &new_n)) != PCM_SUCCESS) return rc;
    jlong on = row_elements(old_n, row_len), nn = row_elements(new_n, row_len);
    if (on < 0 || nn < 0 || !fits(env, old_rows, old_offset, on) || !fits(env, new_rows, new_offset, nn))
        return PCM_ERR_ARG;
    double *o = on ? malloc((size_t)on * sizeof *o) : NULL, *n = nn ? malloc((size_t)nn * sizeof *n) : NULL;
    if ((on && !o) || (nn && !n)) {
        rc = PCM_ERR_NOMEM;
    } else {
        if (on) (*env)->GetDoubleArrayRegion(env, old_rows, old_offset, (jsize)on, o);
        rc = PCM_Redistribute_rows(pj_comm(comm), old_size, new_size, total_rows, row_len, MPI_DOUBLE, o, n);
        if (rc == PCM_SUCCESS && nn) (*env)->SetDoubleArrayRegion(env, new_rows, new_offset, (jsize)nn, n);
    }
    free(o);
    free(n);
    return rc;
}
