#!/usr/bin/env bash
# transfer-fin.sh - how often Open MPI's own transfer + MPI_Comm_disconnect between a process
# and the child it spawned never completes, without PCM, with and without the receipt that
# libpcm waits for before it disconnects (pcm_transfer.c). benchmarks/c/transfer_fin.c over
# TCP on loopback, in three settings: a quiet machine with small socket buffers and a child
# that makes MPI progress only every 200 us (-b); small buffers with the child continuously in
# MPI_Waitall beside two busy loops; Open MPI's default buffers beside two busy loops.
# A job whose output has not grown within TIMEOUT_S is hung: its processes' stacks (gdb) go to
# transfer-fin-hangs.txt, the hang is classed by the sender's stack (in MPI_Comm_disconnect:
# the lost FIN; in MPI_Comm_spawn: Open MPI's spawn wedge, spawn-race.md), and the job is
# ended by mpirun's pid.
# Results: benchmarks/results/transfer-fin.md.
# Usage: benchmarks/transfer-fin.sh [RUNS per variant (5)] [REPS (20)] [TIMEOUT_S (20)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source benchmarks/lib/results-header.sh
source benchmarks/lib/stacks.sh
runs=${1:-5} reps=${2:-20} timeout_s=${3:-20}
tmp=$(mktemp -d /tmp/roam-transfer-fin-XXXXXX)
hogs=()
stop_hogs() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done; hogs=(); }
cleanup() { stop_hogs; rm -rf "$tmp"; }
trap cleanup EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p benchmarks/target/bin benchmarks/results
bin=$root/benchmarks/target/bin/transfer_fin
mpicc -O2 -std=gnu11 -Wall -Wextra -o "$bin" benchmarks/c/transfer_fin.c
out=benchmarks/results/transfer-fin.md
stacks=benchmarks/results/transfer-fin-hangs.txt
: > "$stacks"
median() { sort -n | awk '{v[NR]=$1} END {if (NR) printf "%.0f (%.0f-%.0f)", v[int((NR+1)/2)], v[1], v[NR]; else printf "-"}'; }
declare -A hung=() fin=() spawn=() done_reps=() ms=()
settings=(quiet-small-buffers noisy-small-buffers noisy-default-buffers)
t_start=$(date +%s)
for s in "${settings[@]}"; do
    mca=(--mca btl tcp,self --mca btl_tcp_if_include lo) args=(-n 4 -s 1048576 -r "$reps")
    [[ $s == *small-buffers ]] && mca+=(--mca btl_tcp_sndbuf 2048 --mca btl_tcp_rcvbuf 2048)
    [[ $s == quiet-* ]] && args+=(-b)
    if [[ $s == noisy-* ]]; then
        for _ in 1 2; do sh -c 'while :; do :; done' & hogs+=($!); done
    fi
    for r in $(seq 1 "$runs"); do
        for v in plain receipt; do
            flag=(); [[ $v == receipt ]] && flag=(-R)
            log=$tmp/$s-$v-$r.log
            mpirun --oversubscribe -np 1 "${mca[@]}" "$bin" "${args[@]}" "${flag[@]}" > "$log" 2>&1 &
            job=$! last=0 seen=$(date +%s) h=0
            while kill -0 "$job" 2>/dev/null; do
                n=$(grep -c '^rep ' "$log" || true)
                (( n != last )) && { last=$n; seen=$(date +%s); }
                (( $(date +%s) - seen >= timeout_s )) && { h=1; break; }
                sleep 1
            done
            if (( h )); then
                echo "=== $s, $v, run $r: no repetition ended within ${timeout_s} s after $last" >> "$stacks"
                sender=""
                for p in $(pgrep -f "^$bin"); do
                    bt=$(stacks_of "$p")
                    printf -- '--- pid %s: %s\n%s\n' "$p" "$(tr '\0' ' ' < /proc/"$p"/cmdline | cut -c1-80)" "$bt" >> "$stacks"
                    [[ -z $sender ]] && sender=$bt   # the sender is the older process
                done
                if grep -q PMPI_Comm_disconnect <<< "$sender"; then fin[$s-$v]=$(( ${fin[$s-$v]:-0} + 1 ))
                elif grep -q PMPI_Comm_spawn <<< "$sender"; then spawn[$s-$v]=$(( ${spawn[$s-$v]:-0} + 1 )); fi
                kill "$job" 2>/dev/null || true   # mpirun may not end on TERM with a hung child: KILL after 10 s
                for _ in $(seq 10); do kill -0 "$job" 2>/dev/null || break; sleep 1; done
                kill -9 "$job" 2>/dev/null || true
                wait "$job" 2>/dev/null || true
                pkill -9 -f "^$bin" || true
                hung[$s-$v]=$(( ${hung[$s-$v]:-0} + 1 ))
            else
                wait "$job" || echo "transfer-fin: $s $v run $r ended with an error: $(tail -3 "$log")" >&2
            fi
            done_reps[$s-$v]=$(( ${done_reps[$s-$v]:-0} + $(grep -c '^rep ' "$log" || true) ))
            ms[$s-$v]+="$(awk '/^rep /{print $4}' "$log") "
        done
    done
    stop_hogs
done
{
    results_header "Transfer and disconnect without PCM: the lost FIN" "benchmarks/transfer-fin.sh" \
        "benchmarks/transfer-fin.sh $runs $reps $timeout_s"
    echo "| per job | 1 spawn + 4 x 1 MiB (MPI_Isend) + MPI_Comm_disconnect, $reps repetitions; a job hangs at most once |"
    echo "| wall time | $(( $(date +%s) - t_start )) s |"
    echo
    echo "| setting | variant | jobs hung | in the disconnect (the lost FIN) | in the spawn | repetitions completed | ms per repetition, median (min-max) |"
    echo "|---|---|---|---|---|---|---|"
    for s in "${settings[@]}"; do
        for v in plain receipt; do
            echo "| $s | $v | ${hung[$s-$v]:-0} of $runs | ${fin[$s-$v]:-0} | ${spawn[$s-$v]:-0} | ${done_reps[$s-$v]:-0} | $(tr ' ' '\n' <<< "${ms[$s-$v]:-}" | grep . | median) |"
        done
    done
    echo
    echo "- plain: the sender disconnects once its sends have completed (what libpcm did before its receipt);"
    echo "  receipt: the sender first waits in MPI_Recv for the child's word that all arrived (libpcm now)."
    echo "- quiet-small-buffers: btl_tcp_sndbuf/rcvbuf 2048, the child progressing every 200 us (-b);"
    echo "  noisy-small-buffers: the same buffers, the child in MPI_Waitall, two busy loops beside the job;"
    echo "  noisy-default-buffers: Open MPI's default buffers, two busy loops beside the job."
    echo "- A hang is classed by the sender's stack: in MPI_Comm_disconnect (the FIN left in its queue,"
    echo "  the child in MPI_Waitall) or in MPI_Comm_spawn (the child in MPI_Init: Open MPI's spawn wedge"
    echo "  on mpirun's host, \`spawn-race.md\`). Stacks of every hang: \`transfer-fin-hangs.txt\`."
} > "$out"
cat "$out"
