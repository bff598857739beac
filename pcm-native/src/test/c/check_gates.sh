#!/bin/sh
# check_gates.sh - the test gates are in libpcm's test build only (run by make check).
#
#   sh check_gates.sh libs PRODUCTION_LIBPCM GATES_LIBPCM
#       The production libpcm.so has no gate code: no pcm_test_gate in its symbol table (nm,
#       local symbols included) and none of the gate's messages (strings). The test build
#       (-DPCM_TEST_GATES) has both.
#   ROAM_PCM_TEST_GATE=DIR MPIRUN="mpirun ..." sh check_gates.sh warn PROGRAM
#       PROGRAM, built on the production objects, runs under mpirun -np 2 with the variable set:
#       it passes, no gate is acted on, and the job's output holds exactly one line saying
#       that the variable is ignored.
set -eu

GATE_TEXT='test gate: waiting at'
WARNING='ROAM_PCM_TEST_GATE is set, but this libpcm has no test gates'

has_gate_code() {
    nm "$1" | awk '{print $NF}' | grep -qx pcm_test_gate && strings "$1" | grep -q "$GATE_TEXT"
}
has_some_gate_code() {
    nm "$1" | awk '{print $NF}' | grep -qx pcm_test_gate || strings "$1" | grep -q "$GATE_TEXT"
}

case $1 in
libs)
    prod=$2
    gates=$3
    if has_some_gate_code "$prod"; then
        echo "check_gates: $prod (production) holds gate code (pcm_test_gate or its messages)" >&2
        exit 1
    fi
    if ! has_gate_code "$gates"; then
        echo "check_gates: $gates (test build) lacks the gate code" >&2
        exit 1
    fi
    echo "check_gates: no gate code in $prod; the test build $gates has the gates"
    ;;
warn)
    prog=$2
    : "${ROAM_PCM_TEST_GATE:?set ROAM_PCM_TEST_GATE}"
    mkdir -p "$ROAM_PCM_TEST_GATE"
    : > "$ROAM_PCM_TEST_GATE/spawn"   # a gate that would hold a migration, were there gates
    out=$(mktemp)
    if ! ${MPIRUN:-mpirun} -x ROAM_PCM_TEST_GATE -np 2 "$prog" > "$out" 2>&1; then
        cat "$out" >&2
        echo "check_gates: $prog failed with ROAM_PCM_TEST_GATE set" >&2
        rm -f "$out"
        exit 1
    fi
    n=$(grep -c "$WARNING" "$out" || true)
    if [ "$n" != 1 ] || grep -q "$GATE_TEXT" "$out"; then
        cat "$out" >&2
        echo "check_gates: expected one warning that ROAM_PCM_TEST_GATE is ignored, got $n" >&2
        rm -f "$out"
        exit 1
    fi
    grep "$WARNING" "$out"
    rm -f "$out" "$ROAM_PCM_TEST_GATE/spawn"
    echo "check_gates: the production code warns once and ignores ROAM_PCM_TEST_GATE"
    ;;
*)
    echo "usage: check_gates.sh libs PROD GATES | warn PROGRAM" >&2
    exit 2
    ;;
esac
