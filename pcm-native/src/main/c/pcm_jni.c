/*
 * pcm_jni.c - the JNI binding of libpcm: library life cycle and the PCM calls
 * (io.roam.pcm.PcmNative, wrapped by io.roam.pcm.Pcm).
 *
 * Linking. libroampcm_jni.so is linked with -lpcm before -lmpi and with -z now: every MPI_*
 * call of the binding is bound, when the JVM loads the library, to libpcm's PMPI profiling
 * wrappers (the first definition in the library's own lookup scope). JNI_OnLoad then makes
 * libmpi global (dlopen RTLD_NOW | RTLD_GLOBAL), which Open MPI's plugins need to find its
 * symbols; with lazy binding, calls bound after that would go straight to libmpi and escape
 * the profile.
 *
 * Java arrays. They move in the heap, so no address of one is kept across calls. PCM_Store of
 * an array registers the address it has during the call (pinned with
 * GetPrimitiveArrayCritical): libpcm reads a stored buffer only when the process migrates, and
 * reconfigure() pins every stored array again and re-registers its current address right before
 * PCM_Reconfigure. On the migrating rank PCM_Reconfigure does not return (the process ends
 * inside it), so the arrays stay pinned while the state streams out. Loads pin the target array
 * for the time of PCM_Load: the state is received straight into it.
 */
#define _GNU_SOURCE
#include "pcm_jni.h"
#include "io_roam_pcm_PcmNative.h"
#include "pcm_env.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ROAM_LIBMPI_SONAME
#define ROAM_LIBMPI_SONAME "libmpi.so.40"
#endif

static char load_error[512];

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved) {
    (void)vm;
    (void)reserved;
    const char *lib = pcm_env_libmpi(ROAM_LIBMPI_SONAME);   /* ROAM_PCM_LIBMPI (pcm_env.h) */
    if (!dlopen(lib, RTLD_NOW | RTLD_GLOBAL)) {
        const char *e = dlerror();
        snprintf(load_error, sizeof load_error, "dlopen(%s, RTLD_NOW | RTLD_GLOBAL) failed: %s", lib,
                 e ? e : "unknown error");
    }
    return JNI_VERSION_1_8;
}

MPI_Datatype pj_type(int t) {
    switch (t) {
    case PJ_T_DOUBLE: return MPI_DOUBLE;
    case PJ_T_INT: return MPI_INT;
    case PJ_T_LONG: return MPI_INT64_T;
    case PJ_T_BYTE: return MPI_BYTE;
    default: return MPI_DATATYPE_NULL;
    }
}

size_t pj_type_size(int t) {
    switch (t) {
    case PJ_T_DOUBLE: return sizeof(double);
    case PJ_T_INT: return sizeof(int32_t);
    case PJ_T_LONG: return sizeof(int64_t);
    case PJ_T_BYTE: return 1;
    default: return 0;
    }
}

/* A key as a NUL-terminated C string (modified UTF-8) in out, which holds KEY_CAP bytes. */
#define KEY_CAP (PCM_MAX_KEY + 1)
static int key_copy(JNIEnv *env, jstring key, char *out) {
    if (!key) return PCM_ERR_ARG;
    jsize bytes = (*env)->GetStringUTFLength(env, key);
    if (bytes > PCM_MAX_KEY) return PCM_ERR_KEY_LENGTH;
    (*env)->GetStringUTFRegion(env, key, 0, (*env)->GetStringLength(env, key), out);
    out[bytes] = 0;
    return (*env)->ExceptionCheck(env) ? PCM_ERR_INTERNAL : PCM_SUCCESS;
}


/* ---- library, MPI life cycle ---- */

JNIEXPORT jstring JNICALL Java_io_roam_pcm_PcmNative_loadError(JNIEnv *env, jclass c) {
    return load_error[0] ? (*env)->NewStringUTF(env, load_error) : NULL;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_mpiState(JNIEnv *env, jclass c) {
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return (init ? 1 : 0) | (fin ? 2 : 0);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_mpiInitThread(JNIEnv *env, jclass c, jobjectArray args) {
    jsize n = args ? (*env)->GetArrayLength(env, args) : 0;
    char **argv = calloc((size_t)n + 2, sizeof *argv);
    if (!argv) return PCM_ERR_NOMEM;
    argv[0] = strdup("java");
    int argc = 1;
    for (jsize i = 0; i < n; i++) {
        jstring s = (jstring)(*env)->GetObjectArrayElement(env, args, i);
        if (!s) continue;
        const char *u = (*env)->GetStringUTFChars(env, s, NULL);
        if (u) {
            argv[argc++] = strdup(u);
            (*env)->ReleaseStringUTFChars(env, s, u);
        }
        (*env)->DeleteLocalRef(env, s);
        if ((*env)->ExceptionCheck(env)) break;
    }
    char **av = argv;   /* MPI may permute the vector; free what we allocated */
    char **keep = malloc(((size_t)argc + 1) * sizeof *keep);
    if (keep) memcpy(keep, argv, ((size_t)argc + 1) * sizeof *keep);
    int provided = -1;
    int rc = MPI_Init_thread(&argc, &av, MPI_THREAD_MULTIPLE, &provided);
    if (keep) {
        for (int i = 0; keep[i]; i++) free(keep[i]);
        free(keep);
    }
    free(argv);
    if (rc != MPI_SUCCESS) return pj_mpi(rc);
    return provided;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_mpiQueryThread(JNIEnv *env, jclass c) {
    int provided = -1;
    int rc = MPI_Query_thread(&provided);
    return rc == MPI_SUCCESS ? provided : pj_mpi(rc);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_mpiFinalize(JNIEnv *env, jclass c) {
    return pj_mpi(MPI_Finalize());
}

JNIEXPORT jstring JNICALL Java_io_roam_pcm_PcmNative_errorString(JNIEnv *env, jclass c, jint code) {
    return (*env)->NewStringUTF(env, PCM_Error_string(code));
}

JNIEXPORT jstring JNICALL Java_io_roam_pcm_PcmNative_mpiErrorString(JNIEnv *env, jclass c, jint code) {
    char msg[MPI_MAX_ERROR_STRING + 1];
    int len = 0;
    if (MPI_Error_string(code, msg, &len) != MPI_SUCCESS) len = snprintf(msg, sizeof msg, "MPI error %d", (int)code);
    msg[len < MPI_MAX_ERROR_STRING ? len : MPI_MAX_ERROR_STRING] = 0;
    char out[MPI_MAX_ERROR_STRING + 32];
    snprintf(out, sizeof out, "%s (MPI error %d)", msg, (int)code);
    return (*env)->NewStringUTF(env, out);
}

/* ---- PCM ---- */

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_init(JNIEnv *env, jclass c, jlongArray world) {
    MPI_Comm w = MPI_COMM_NULL;
    int rc = PCM_Init(&w);
    if (rc == PCM_SUCCESS) {
        jlong h = pj_handle(w);
        (*env)->SetLongArrayRegion(env, world, 0, 1, &h);
    }
    return rc;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_processStatus(JNIEnv *env, jclass c) {
    return PCM_Process_Status();
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_moves(JNIEnv *env, jclass c) { return PCM_Moves(); }

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_storeArray(JNIEnv *env, jclass c, jstring key, jobject array,
                                                              jint type) {
    char k[KEY_CAP];
    int rc = key_copy(env, key, k);
    if (rc) return rc;
    if (!pj_type_size(type)) return PCM_ERR_DATATYPE;
    jsize n = (*env)->GetArrayLength(env, (jarray)array);
    void *p = (*env)->GetPrimitiveArrayCritical(env, (jarray)array, NULL);
    if (!p) return PCM_ERR_NOMEM;
    /* The address is valid now only: reconfigure() registers the current one again. */
    rc = PCM_Store(k, p, pj_type(type), n);
    (*env)->ReleasePrimitiveArrayCritical(env, (jarray)array, p, JNI_ABORT);
    return rc;
}

/* The address of bytes [offset, offset + length) of a direct buffer, or NULL. */
static unsigned char *buffer_at(JNIEnv *env, jobject buffer, jint offset, jint length) {
    unsigned char *base = (*env)->GetDirectBufferAddress(env, buffer);
    jlong cap = (*env)->GetDirectBufferCapacity(env, buffer);
    if (!base || offset < 0 || length < 0 || (jlong)offset + length > cap) return NULL;
    return base + offset;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_storeBuffer(JNIEnv *env, jclass c, jstring key, jobject buffer,
                                                               jint offset, jint length) {
    char k[KEY_CAP];
    int rc = key_copy(env, key, k);
    if (rc) return rc;
    unsigned char *p = buffer_at(env, buffer, offset, length);
    if (!p) return PCM_ERR_ARG;
    return PCM_Store(k, p, MPI_BYTE, length);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_unstore(JNIEnv *env, jclass c, jstring key) {
    char k[KEY_CAP];
    int rc = key_copy(env, key, k);
    return rc ? rc : PCM_Unstore(k);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_loadArray(JNIEnv *env, jclass c, jstring key, jobject array,
                                                             jint type) {
    char k[KEY_CAP];
    int rc = key_copy(env, key, k);
    if (rc) return rc;
    if (!pj_type_size(type)) return PCM_ERR_DATATYPE;
    jsize n = (*env)->GetArrayLength(env, (jarray)array);
    void *p = (*env)->GetPrimitiveArrayCritical(env, (jarray)array, NULL);
    if (!p) return PCM_ERR_NOMEM;
    rc = PCM_Load(k, p, pj_type(type), n);
    (*env)->ReleasePrimitiveArrayCritical(env, (jarray)array, p, rc == PCM_SUCCESS ? 0 : JNI_ABORT);
    return rc;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_loadBuffer(JNIEnv *env, jclass c, jstring key, jobject buffer,
                                                              jint offset, jint length) {
    char k[KEY_CAP];
    int rc = key_copy(env, key, k);
    if (rc) return rc;
    unsigned char *p = buffer_at(env, buffer, offset, length);
    if (!p) return PCM_ERR_ARG;
    return PCM_Load(k, p, MPI_BYTE, length);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_loadCount(JNIEnv *env, jclass c, jstring key) {
    char k[KEY_CAP];
    int rc = key_copy(env, key, k);
    if (rc) return rc;
    int count = 0;
    rc = PCM_Load_count(k, &count);
    return rc ? rc : count;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_status(JNIEnv *env, jclass c, jlong world) {
    return PCM_Status(pj_comm(world));
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_migrationRank(JNIEnv *env, jclass c) {
    int rank = -1;
    int rc = PCM_Migration_info(&rank, NULL, 0);
    return rc ? rc : rank;
}

JNIEXPORT jstring JNICALL Java_io_roam_pcm_PcmNative_migrationHost(JNIEnv *env, jclass c) {
    char host[256];
    int rank;
    if (PCM_Migration_info(&rank, host, sizeof host) != PCM_SUCCESS) return NULL;
    return (*env)->NewStringUTF(env, host);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_reconfigure(JNIEnv *env, jclass c, jlongArray world,
                                                               jobjectArray keys, jobjectArray arrays,
                                                               jintArray types) {
    jlong h;
    (*env)->GetLongArrayRegion(env, world, 0, 1, &h);
    MPI_Comm w = pj_comm(h);
    jsize n = keys ? (*env)->GetArrayLength(env, keys) : 0;
    char (*k)[KEY_CAP] = NULL;
    jarray *arr = NULL;
    jint *ty = NULL, *len = NULL;
    void **ptr = NULL;
    int rc = PCM_SUCCESS, pinned = 0;
    if (n > 0) {
        k = calloc((size_t)n, sizeof *k);
        arr = calloc((size_t)n, sizeof *arr);
        ty = calloc((size_t)n, sizeof *ty);
        len = calloc((size_t)n, sizeof *len);
        ptr = calloc((size_t)n, sizeof *ptr);
        if (!k || !arr || !ty || !len || !ptr || (*env)->EnsureLocalCapacity(env, n + 4) != 0) {
            rc = PCM_ERR_NOMEM;
            goto out;
        }
        (*env)->GetIntArrayRegion(env, types, 0, n, ty);
        /* Every JNI call first: none is allowed while arrays are pinned. */
        for (jsize i = 0; i < n && rc == PCM_SUCCESS; i++) {
            jstring s = (jstring)(*env)->GetObjectArrayElement(env, keys, i);
            rc = key_copy(env, s, k[i]);
            (*env)->DeleteLocalRef(env, s);
            arr[i] = (jarray)(*env)->GetObjectArrayElement(env, arrays, i);
            if (!arr[i] || !pj_type_size(ty[i])) rc = PCM_ERR_ARG;
            else len[i] = (*env)->GetArrayLength(env, arr[i]);
        }
        if (rc) goto out;
        for (; pinned < n; pinned++) {
            ptr[pinned] = (*env)->GetPrimitiveArrayCritical(env, arr[pinned], NULL);
            if (!ptr[pinned]) {
                rc = PCM_ERR_NOMEM;
                break;
            }
        }
        for (jsize i = 0; i < n && rc == PCM_SUCCESS; i++) rc = PCM_Store(k[i], ptr[i], pj_type(ty[i]), len[i]);
        if (rc) goto unpin;
    }
    rc = PCM_Reconfigure(&w);   /* the migrating rank's process ends in here */
unpin:
    while (pinned > 0) {
        pinned--;
        (*env)->ReleasePrimitiveArrayCritical(env, arr[pinned], ptr[pinned], JNI_ABORT);
    }
    if (rc == PCM_SUCCESS) {
        h = pj_handle(w);
        (*env)->SetLongArrayRegion(env, world, 0, 1, &h);
    }
out:
    if (arr) {
        for (jsize i = 0; i < n; i++)
            if (arr[i]) (*env)->DeleteLocalRef(env, arr[i]);
    }
    free(k);
    free(arr);
    free(ty);
    free(len);
    free(ptr);
    return rc;
}

/* PCM_Resize_begin / _end over the world handle in world[0], updated on success. */
static jint resize_call(JNIEnv *env, jlongArray world, int (*call)(MPI_Comm *)) {
    jlong h;
    (*env)->GetLongArrayRegion(env, world, 0, 1, &h);
    MPI_Comm w = pj_comm(h);
    int rc = call(&w);   /* a rank that leaves in a shrink ends in here */
    if (rc == PCM_SUCCESS) {
        h = pj_handle(w);
        (*env)->SetLongArrayRegion(env, world, 0, 1, &h);
    }
    return rc;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_resizeBegin(JNIEnv *env, jclass c, jlongArray world) {
    return resize_call(env, world, PCM_Resize_begin);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_resizeEnd(JNIEnv *env, jclass c, jlongArray world) {
    return resize_call(env, world, PCM_Resize_end);
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_resizeInfo(JNIEnv *env, jclass c, jintArray sizes) {
    int s[2] = {0, 0};
    int rc = PCM_Resize_info(&s[0], &s[1]);
    if (rc == PCM_SUCCESS) (*env)->SetIntArrayRegion(env, sizes, 0, 2, (const jint *)s);
    return rc;
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_malleable(JNIEnv *env, jclass c) {
    return PCM_Malleable();
}

JNIEXPORT jint JNICALL Java_io_roam_pcm_PcmNative_finalizePcm(JNIEnv *env, jclass c, jlong world) {
    MPI_Comm w = pj_comm(world);
    return PCM_Finalize(&w);
}
