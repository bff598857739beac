#!/usr/bin/env bash
# spawn-race.sh - how often Open MPI's own spawn + communicator construction never completes
# under CPU noise across namespace hosts, without PCM, with and without the round trip to
# mpirun that libpcm makes before it builds a new process into the world (pcm_daemon_sync,
# pcm_util.c). benchmarks/c/spawn_floor.c in runs of REPS repetitions, alternately without
# and with -S; a run that has not ended within TIMEOUT_S is a hang (killed by pid).
# Results: benchmarks/results/spawn-race.md, a hang's stacks (gdb) in spawn-race-hangs.txt.
# Needs root (network namespaces).
# Usage: benchmarks/spawn-race.sh [RUNS per variant (6)] [REPS (100)] [TIMEOUT_S (150)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source benchmarks/lib/results-header.sh
source benchmarks/lib/stacks.sh
runs=${1:-6} reps=${2:-100} timeout_s=${3:-150}
[[ $(id -u) == 0 ]] || { echo "spawn-race.sh: needs root (network namespaces)" >&2; exit 2; }
prefix=spr$((RANDOM % 10000))
subnet=10.234.$((100 + RANDOM % 100))
tmp=$(mktemp -d /tmp/roam-spawn-race-XXXXXX)
noise=""
cleanup() {
    [[ -n $noise ]] && kill "$noise" 2>/dev/null || true
    bash scripts/netns-hosts.sh down "$prefix" || true
    rm -rf "$tmp"
}
trap cleanup EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p benchmarks/target/bin benchmarks/results
mpicc -O2 -std=gnu11 -Wall -Wextra -o benchmarks/target/bin/spawn_floor benchmarks/c/spawn_floor.c
mapfile -t addrs < <(bash scripts/netns-hosts.sh up "$prefix" 3 "$subnet" | awk '{print $2}')
for i in 1 2 3; do bash scripts/netns-hosts.sh cpu "$prefix" "$i" max; done
bash scripts/netns-hosts.sh rsh-agent "$prefix" "$tmp/rsh.sh"
printf '%s slots=2\n' "${addrs[@]}" > "$tmp/hosts"
declare -A hangs=() done_reps=() started=()
out=benchmarks/results/spawn-race.md
stacks=benchmarks/results/spawn-race-hangs.txt
: > "$stacks"
t_start=$(date +%s)
for r in $(seq 1 "$runs"); do
    for v in plain sync; do
        h=$(( (r - 1) % 3 + 1 ))   # the noisy host moves on each run
        bash scripts/netns-hosts.sh exec "$prefix" "$h" sh -c 'while :; do :; done' & noise=$!
        flag=(); [[ $v == sync ]] && flag=(-S)
        bash scripts/netns-hosts.sh exec "$prefix" 1 mpirun --hostfile "$tmp/hosts" --oversubscribe \
            --mca mpi_yield_when_idle 1 --mca pml ob1 --mca plm_rsh_agent "$tmp/rsh.sh" \
            --mca oob_tcp_if_include "$subnet.0/24" --mca btl_tcp_if_include "$subnet.0/24" \
            -np 5 "$root/benchmarks/target/bin/spawn_floor" -n "$reps" -p 5 -H "$(IFS=,; echo "${addrs[*]}")" \
            "${flag[@]}" > "$tmp/$v$r.log" 2>&1 &
        job=$!
        end=$(( $(date +%s) + timeout_s )) hung=0
        while kill -0 "$job" 2>/dev/null; do
            (( $(date +%s) >= end )) && { hung=1; break; }
            sleep 1
        done
        if (( hung )); then   # the stacks first: which process waits in what
            echo "=== run $r $v (noise on h$h): hung after $(grep -c '^spawn ns' "$tmp/$v$r.log" || true) repetitions" >> "$stacks"
            for p in $(pgrep -f "$root/benchmarks/target/bin/spawn_floor") $(pgrep -f "orted.*$subnet") $(pgrep -f "mpirun --hostfile $tmp/hosts"); do
                echo "--- pid $p on $(ip netns identify "$p"): $(tr '\0' ' ' < /proc/"$p"/cmdline 2>/dev/null | cut -c1-60)" >> "$stacks"
                stacks_of "$p" >> "$stacks"
            done
            # which kind: a spawn that never completes (a process in MPI_Comm_spawn: libpcm bounds it
            # with ROAM_PCM_SPAWN_TIMEOUT_MS), or the construction after it (MPI_Intercomm_create)
            kind=construction
            awk -v r="=== run $r $v " 'index($0, r) == 1 {on = 1; next} /^===/ {on = 0} on' "$stacks" \
                | grep -q 'PMPI_Comm_spawn' && kind=spawn
            echo "kind: $kind" >> "$stacks"
            hangs[$v.$kind]=$(( ${hangs[$v.$kind]:-0} + 1 ))
            pkill -P "$job" 2>/dev/null || true; kill "$job" 2>/dev/null || true
            sleep 1
            pkill -9 -f "$root/benchmarks/target/bin/spawn_floor" 2>/dev/null || true
            pkill -9 -f "orted.*$subnet" 2>/dev/null || true
        fi
        wait "$job" 2>/dev/null || true
        kill "$noise" 2>/dev/null || true; wait "$noise" 2>/dev/null || true; noise=""
        n=$(grep -c '^spawn ns' "$tmp/$v$r.log" || true)
        hangs[$v]=$(( ${hangs[$v]:-0} + hung ))
        done_reps[$v]=$(( ${done_reps[$v]:-0} + n ))
        started[$v]=$(( ${started[$v]:-0} + n + hung ))
        { grep '^spawn ns' "$tmp/$v$r.log" || true; } | awk -v v=$v '{print v, $3 / 1e6, $6 / 1e6}' >> "$tmp/times"
        echo "run $r $v (noise on h$h): $n of $reps repetitions, hung $hung"
    done
done
pct() { awk -v v="$1" -v c="$2" '$1 == v {print $c}' "$tmp/times" | sort -g | awk '{a[NR]=$1} END {if (!NR) {print "- | - | -"; exit}
    printf "%.1f | %.1f | %.1f", a[int((NR * 50 + 99) / 100)], a[int((NR * 99 + 99) / 100)], a[NR]}'; }
{
    results_header "Spawn + construction hangs in Open MPI under CPU noise, with and without the sync" \
        benchmarks/spawn-race.sh "benchmarks/spawn-race.sh $runs $reps $timeout_s (as root)"
    echo "| wall time | $(( $(date +%s) - t_start )) s |"
    echo
    echo "\`benchmarks/c/spawn_floor.c\` under plain mpirun, 5 ranks on three namespace hosts (2 slots"
    echo "each), a busy loop in one host's CPU cgroup (another host each run): each repetition a rank"
    echo "spawns a process onto the hosts in turn and the world builds it in as libpcm does; *sync*"
    echo "adds, on every other rank before the construction, the round trip to mpirun that libpcm"
    echo "makes (an MPI_Lookup_name nobody answers). A run that has not ended within $timeout_s s hung"
    echo "(and its remaining repetitions never started); its stacks are in \`$(basename "$stacks")\`."
    echo
    echo "| variant | runs | repetitions done | hangs | in the spawn | in the construction | spawn p50 (ms) | p99 | max | merge p50 (ms) | p99 | max |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for v in plain sync; do
        echo "| $v | $runs | ${done_reps[$v]:-0} | ${hangs[$v]:-0} | ${hangs[$v.spawn]:-0} | ${hangs[$v.construction]:-0} | $(pct $v 2) | $(pct $v 3) |"
    done
} > "$out"
echo "wrote $out"
