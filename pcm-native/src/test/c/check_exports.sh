#!/bin/sh
# check_exports.sh - what libpcm's shared libraries export (run by make check).
#
#   sh check_exports.sh pcm.h libpcm.so [libpcm.so ...] [--jni libroampcm_jni.so]
#
# libpcm is built with -fvisibility=hidden; only what carries PCM_API (pcm.h) is exported.
# For each libpcm given, `nm -D --defined-only` must show:
#   - every PCM_* function declared in pcm.h, and no other PCM_* symbol;
#   - MPI_* (or Fortran mpi_*) wrappers: the PMPI interposition;
#   - nothing else (apart from the linker's _init/_fini): no pcm_g, no internal pcm_*.
# The JNI binding (--jni) must export only its Java_io_roam_pcm_* entry points and
# JNI_OnLoad: everything the JVM looks up, nothing else.
set -eu

header=$1
shift
fail=0

# PCM_Init, PCM_Status, ... as pcm.h declares them (lines starting with PCM_API).
api=$(grep '^PCM_API' "$header" | grep -o 'PCM_[A-Za-z_]*(' | tr -d '(' | sort -u)
[ -n "$api" ] || { echo "check_exports: no PCM_API function in $header" >&2; exit 1; }

exports() { nm -D --defined-only "$1" | awk '{print $NF}' | sort -u; }

check_libpcm() {
    lib=$1
    syms=$(exports "$lib")
    other=$(printf '%s\n' "$syms" | grep -Ev '^(PCM_[A-Za-z_]+|MPI_[A-Za-z0-9_]+|mpi_[a-z0-9_]+|_init|_fini)$' || true)
    if [ -n "$other" ]; then
        echo "check_exports: $lib exports symbols outside its API:" >&2
        printf '  %s\n' $other >&2
        fail=1
    fi
    pcm=$(printf '%s\n' "$syms" | grep '^PCM_' || true)
    if [ "$pcm" != "$api" ]; then
        echo "check_exports: $lib: the exported PCM_* functions differ from pcm.h's (< pcm.h, > $lib):" >&2
        tmp=$(mktemp -d)
        printf '%s\n' "$api" > "$tmp/pcm.h"
        printf '%s\n' "$pcm" > "$tmp/lib"
        diff "$tmp/pcm.h" "$tmp/lib" >&2 || true
        rm -rf "$tmp"
        fail=1
    fi
    n_pcm=$(printf '%s\n' "$pcm" | grep -c . || true)
    n_mpi=$(printf '%s\n' "$syms" | grep -Ec '^(MPI_|mpi_)' || true)
    n_all=$(printf '%s\n' "$syms" | grep -c . || true)
    echo "check_exports: $(basename "$lib"): $n_all exported: $n_pcm PCM_* (all of pcm.h), $n_mpi MPI wrappers, $((n_all - n_pcm - n_mpi)) other"
}

check_jni() {
    lib=$1
    syms=$(exports "$lib")
    other=$(printf '%s\n' "$syms" | grep -Ev '^(Java_io_roam_pcm_[A-Za-z0-9_]+|JNI_OnLoad|_init|_fini)$' || true)
    if [ -n "$other" ]; then
        echo "check_exports: $lib exports symbols other than its JNI entry points:" >&2
        printf '  %s\n' $other >&2
        fail=1
    fi
    n_java=$(printf '%s\n' "$syms" | grep -c '^Java_' || true)
    [ "$n_java" -gt 0 ] || { echo "check_exports: $lib exports no Java_* entry point" >&2; fail=1; }
    echo "check_exports: $(basename "$lib"): $n_java Java_* entry points and JNI_OnLoad, nothing else"
}

while [ $# -gt 0 ]; do
    case $1 in
    --jni) check_jni "$2"; shift 2 ;;
    *) check_libpcm "$1"; shift ;;
    esac
done
exit $fail
