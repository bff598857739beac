/*
 * pcm_jni.h - what the two halves of the JNI binding share (not installed).
 *
 * The binding is libroampcm_jni.so: pcm_jni.c (library life cycle, the PCM calls) and
 * pcm_jni_comm.c (the MPI operations of io.roam.pcm.PcmComm). Natives return 0, a value,
 * a negative PCM_ERR_* code, or PJ_MPI_FAILED - (MPI error code) for a failed MPI call;
 * the Java side (io.roam.pcm.NativeCalls.check) turns negative results into PcmException.
 */
#ifndef ROAM_PCM_JNI_H
#define ROAM_PCM_JNI_H

#include <jni.h>
#include <stdint.h>
#include "pcm.h"

/* Must equal io.roam.pcm.PcmNative.MPI_FAILED and the T_* / OP_* constants there. */
#define PJ_MPI_FAILED (-1000)
#define PJ_T_DOUBLE 1
#define PJ_T_INT 2
#define PJ_T_LONG 3
#define PJ_T_BYTE 4
#define PJ_OP_SUM 0
#define PJ_OP_MIN 1
#define PJ_OP_MAX 2
/* io.roam.pcm.PcmComm.PROC_NULL, ANY_SOURCE, ANY_TAG */
#define PJ_PROC_NULL (-2)
#define PJ_ANY_SOURCE (-1)
#define PJ_ANY_TAG (-1)

static inline jint pj_mpi(int rc) { return rc == MPI_SUCCESS ? 0 : PJ_MPI_FAILED - rc; }
static inline MPI_Comm pj_comm(jlong h) { return (MPI_Comm)(intptr_t)h; }
static inline jlong pj_handle(MPI_Comm c) { return (jlong)(intptr_t)c; }

/* The MPI datatype and element size of a T_* code; MPI_DATATYPE_NULL / 0 if unknown. */
MPI_Datatype pj_type(int t);
size_t pj_type_size(int t);

#endif
