#!/usr/bin/env bash
# Move and return (issue 16): RUNS jobs in a row, each a heat job of 3 ranks on three
# namespace hosts (one rank per host, agents with stealing off) whose rank 0 moves from
# host 1 to host 2 and then back to host 1, ordered through the control API (what
# `roam migrate` sends). For every run: both moves DONE, the departed process gone from
# the host it left (and how long that took after DONE), no process of the job on host 1
# while no rank runs there, the job's end (mpirun exit code, seconds from the last move
# to the end, a hang = the ranks' iterations stood still for HANG_S s and mpirun did not
# end), the grid bit-exact against a run without
# Roam, and nothing of the job left anywhere afterwards (processes, Open MPI session
# directories, shared-memory files). Results in benchmarks/results/move-and-return.md; the
# output of every run that did not end clean in benchmarks/results/move-and-return-failures.txt.
# Needs root (network namespaces). Run `make` first. About 20 s a run.
# With QUOTA, host 1 runs under a CPU quota (with its agent and mpirun), so that its rank is
# the job's slowest: its mean iteration time (the iterations its agent saw it do over
# WINDOW_S seconds) before it left and after it came back tells whether anything the move left
# on host 1 spends the quota (the issue's target: within 1.1).
# QUOTA "none" (the default) runs without a quota and measures no iteration times; with a quota
# the results go to move-and-return-quota.md. The quota must bind rank 0 hard (0.2 cores) and
# the machine be quiet: heat's ranks spin while they wait, so on a busy machine rank 0 burns its
# quota waiting for slowed peers, CFS throttles host 1 for the rest of each 100 ms period, and
# its iteration time swings 1 to 100 ms whatever the move left (seen at load 4 to 6).
# With a quota, ITERATIONS is an upper bound: the job ends by a stop file once both times are
# measured (each is taken once it has settled), and its grid is compared with a run without
# Roam of as many iterations as it did.
# Usage: benchmarks/move-and-return.sh [RUNS (50)] [ITERATIONS (40000)] [HANG_S (60)] [QUOTA (none)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${1:-50}
iterations=${2:-40000}
hang_s=${3:-60}
quota=${4:-none}
window_s=8
# Without a quota a small grid (the moves are what is measured); with one, a grid large enough
# that rank 0's iterations are bound by its computation (about 0.5 ms a core), not by the
# scheduling of three ranks' halo exchanges, which on a shared machine swings 0.7 to 3 x
# between windows however the move went.
grid=256
[[ $quota == none ]] || grid=1024
[[ $(id -u) == 0 ]] || { echo "move-and-return.sh: needs root (network namespaces)" >&2; exit 2; }
prefix=mar$((RANDOM % 10000))
. benchmarks/lib/hosts-with-agents.sh
[[ $quota == none ]] || hwa_cpu=(1 "$quota")
hwa_up 3 1
tmp=$hwa_tmp
heat=$hwa_heat
addrs=("${hwa_addrs[@]}")
[[ $quota != none ]] || mpirun --oversubscribe -np 3 --mca pml ob1 "$root/samples/heat-diffusion/target/native/heat-nopcm" \
    -r "$grid" -c "$grid" -i "$iterations" -o "$tmp/expected.bin" -q > /dev/null
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# rank 0's mean iteration time in ms over window_s seconds: the window over the iterations its
# agent saw it do (the heartbeats' iteration counter). Not the median of the heartbeats' last
# iteration times: under a quota an iteration that meets CFS throttling takes up to 80 ms, the next
# 0.5, and a dozen samples of that swing 10 x between windows.
iteration_ms() {
    local i0 i1 t0 t1
    i0=$(hwa_rank_field 0 iterations); t0=$(date +%s%N)
    sleep "$window_s"
    i1=$(hwa_rank_field 0 iterations); t1=$(date +%s%N)
    if [[ $i0 =~ ^[0-9]+$ && $i1 =~ ^[0-9]+$ ]] && (( i1 > i0 )); then
        awk -v t=$(( t1 - t0 )) -v n=$(( i1 - i0 )) 'BEGIN{printf "%.4f", t / 1e6 / n}'
    else
        echo -
    fi
}
# the same once it has settled: windows until two in a row agree within 5 % (at most 10), the last
# one's median. Host 1's agent shares the quota, and its JVM warms up for seconds after a start.
settled_ms() {
    local prev=- cur
    for _ in $(seq 1 10); do
        cur=$(iteration_ms)
        if [[ $prev != - && $cur != - ]] && awk -v a="$cur" -v b="$prev" 'BEGIN{exit !(a <= 1.05 * b && b <= 1.05 * a)}'; then
            break
        fi
        prev=$cur
    done
    echo "$cur $prev"
}
results=()
load0=$(cut -d' ' -f1-3 /proc/loadavg)
failures=benchmarks/results/move-and-return-failures.txt
[[ $quota == none ]] || failures=benchmarks/results/move-and-return-quota-failures.txt
: > "$failures"
clean=0 hangs=0 exact=0 gone=0 left_behind=0 residue=0
for run in $(seq 1 "$runs"); do
    rm -f "$tmp/grid.bin" "$tmp/stop"
    stop_args=()
    # with a quota the job runs until the measures are taken (a stop file), however slow the quota makes it
    [[ $quota == none ]] || stop_args=(-s "$tmp/stop")
    hwa_run 3 "$tmp/run$run.log" -r "$grid" -c "$grid" -i "$iterations" -o "$tmp/grid.bin" "${stop_args[@]}" || true
    job=$hwa_job
    first=$(hwa_heat_on 1)
    moved=0 gone_ms=- alone=yes after_ms=- ratio=-
    before_ms=- noise=- live=-
    if [[ $quota != none ]]; then
        sleep 5   # past the job's start, when the agent and roam run spend host 1's quota too
        read -r before_ms before_prev <<< "$(settled_ms)"
        # the measure's own noise: the last two windows before the move, nothing changed between them
        [[ $before_ms != - && $before_prev != - ]] && noise=$(awk -v a="$before_ms" -v b="$before_prev" 'BEGIN{printf "%.3f", a / b}')
    fi
    if hwa_move 0 "${addrs[1]}"; then
        moved=1
        t=$(date +%s%N)
        while [[ -n $(hwa_heat_on 1) ]] && (( $(ms "$t") < 10000 )); do sleep 0.02; done
        if [[ -z $(hwa_heat_on 1) ]]; then gone_ms=$(ms "$t"); gone=$((gone + 1)); else alone=NO; fi
        [[ -n $first && -e /proc/$first ]] && alone=NO
        sleep 0.5
        if hwa_move 0 "${addrs[0]}"; then
            moved=2
            if [[ $quota != none ]]; then
                sleep 1
                live=$(hwa_heat_on 1 | wc -w)   # the job's processes on host 1 once rank 0 is back: itself only
                read -r after_ms _ <<< "$(settled_ms)"
            fi
            [[ $before_ms != - && $after_ms != - ]] && ratio=$(awk -v a="$after_ms" -v b="$before_ms" 'BEGIN{printf "%.3f", a / b}')
        fi
    fi
    t_end=$(date +%s%N)
    [[ $quota == none ]] || touch "$tmp/stop"
    hwa_wait_end "$hang_s"
    rc=$hwa_rc
    end_s=$(awk -v m="$(ms "$t_end")" 'BEGIN{printf "%.2f", m / 1000}')
    [[ $rc == hang ]] && hangs=$((hangs + 1))
    expected=$tmp/expected.bin
    stopped=$(sed -n 's/^heat: .* exists: stopping at iteration \([0-9]*\)$/\1/p' "$tmp/run$run.log")
    if [[ -n $stopped ]]; then   # the reference: a run without Roam of as many iterations
        expected=$tmp/expected-$stopped.bin
        mpirun --oversubscribe -np 3 --mca pml ob1 "$root/samples/heat-diffusion/target/native/heat-nopcm" \
            -r "$grid" -c "$grid" -i "$stopped" -o "$expected" -q > /dev/null
    fi
    same=NO
    cmp -s "$tmp/grid.bin" "$expected" && { same=yes; exact=$((exact + 1)); }
    [[ $rc == 0 && $moved == 2 ]] && clean=$((clean + 1))
    [[ $alone == yes ]] || left_behind=$((left_behind + 1))
    sleep 0.5
    after=""
    for h in 1 2 3; do [[ -n $(hwa_heat_on "$h") ]] && after+="heat on h$h "; done
    pgrep -f "orted.*$hwa_subnet" > /dev/null && after+="orted "
    # the hosts' names are their addresses: Open MPI names its files after them
    ls -d "/tmp/ompi.$hwa_subnet".* "/dev/shm/vader_segment.$hwa_subnet".* > "$tmp/left.txt" 2>/dev/null || true
    [[ -s $tmp/left.txt ]] && after+="$(wc -l < "$tmp/left.txt") session dirs/shm files "
    [[ -n $after ]] && residue=$((residue + 1))
    results+=("| $run | $moved | $gone_ms | $alone | $before_ms | $after_ms | $ratio | $rc | $end_s | $same | ${after:-none} | $noise | $live |")
    if [[ $rc != 0 || $moved != 2 || $same != yes ]]; then   # keep what the run said
        { echo "=== run $run: moves $moved, exit $rc, bit-exact $same"; cat "$tmp/run$run.log"
          echo "--- the control API's answers"; tail -n 20 "$tmp/migrate.log"; } >> "$failures"
    fi
    echo "run $run: moves $moved, departed gone after ${gone_ms} ms, rank 0 on host 1 ${before_ms} -> ${after_ms} ms/iteration ($ratio), exit $rc, end ${end_s} s, exact $same, left: ${after:-none}, noise $noise, heat on host 1 after the return: $live"
done
out=benchmarks/results/move-and-return.md
[[ $quota == none ]] || out=benchmarks/results/move-and-return-quota.md
{
    echo "# Move and return: the departed process and the job's end"
    echo
    echo 'Written by `benchmarks/move-and-return.sh`; rerun it rather than edit this file.'
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| date | $(date -u +%Y-%m-%dT%H:%M:%SZ) |"
    echo "| machine | $(hwa_machine) |"
    echo "| Open MPI | $(mpirun --version 2>&1 | head -1) |"
    echo "| reproduce | \`benchmarks/move-and-return.sh $runs $iterations $hang_s $quota\` (after \`make\`, as root) |"
    echo "| load average (1, 5, 15 min) at the start, at the end | $load0; $(cut -d' ' -f1-3 /proc/loadavg) |"
    echo
    echo "Each run: heat (C, 3 ranks, $grid x $grid, $iterations iterations) under \`roam run\` on three"
    echo "namespace hosts, one rank per host (agents with 1 slot, stealing off), host 1 under a CPU quota of"
    echo "$quota cores (none: no quota; with one, shared with its agent and mpirun). Rank 0 moves from"
    echo "host 1 to host 2 (\`POST /api/migrate\`, until DONE), then back to host 1. *gone* is the time"
    echo "from the first DONE until no process of the job runs in host 1's namespace; *alone* says"
    echo "that none did from then until the move back. A hang is $hang_s s without progress and without an end. *Left* is"
    echo "what of the job remained half a second after mpirun exited: heat or orted processes,"
    echo "Open MPI session directories (\`/tmp/ompi.*\`) and shared-memory files (\`/dev/shm/vader_segment.*\`)."
    echo
    echo "| measure | value |"
    echo "|---|---|"
    echo "| runs | $runs |"
    echo "| clean ends (both moves DONE, mpirun exit 0) | $clean |"
    echo "| hangs | $hangs |"
    echo "| final grid bit-exact | $exact |"
    echo "| departed process gone from host 1 | $gone |"
    echo "| runs where a process of the job stayed on host 1 without a rank | $left_behind |"
    echo "| runs that left something behind | $residue |"
    echo "| rank 0 on host 1, after the return / before it left (iteration time): median (min to max) | $(printf '%s\n' "${results[@]}" | awk -F'|' '$8 ~ /[0-9]/ {print $8+0}' | sort -g | awk '{v[NR]=$1} END {if (NR) printf "%.3f (%.3f to %.3f)", v[int((NR+1)/2)], v[1], v[NR]; else print "-"}') |"
    echo "| the measure's noise: the last two windows before the move, one over the other: median (min to max) | $(printf '%s\n' "${results[@]}" | awk -F'|' '$13 ~ /[0-9]/ {print $13+0}' | sort -g | awk '{v[NR]=$1} END {if (NR) printf "%.3f (%.3f to %.3f)", v[int((NR+1)/2)], v[1], v[NR]; else print "-"}') |"
    echo "| runs where host 1 ran rank 0's process and no other of the job after the return | $(printf '%s\n' "${results[@]}" | awk -F'|' '$14 ~ /[0-9]/ {n++; if ($14+0 == 1) k++} END {printf "%d of %d", k, n}') |"
    echo "| runs with that ratio within 1.1 | $(printf '%s\n' "${results[@]}" | awk -F'|' '$8 ~ /[0-9]/ {n++; if ($8+0 <= 1.1) k++} END {printf "%d of %d", k, n}') |"
    echo "| departed gone after DONE, ms: median (min to max) | $(printf '%s\n' "${results[@]}" | awk -F'|' '$4 ~ /[0-9]/ {print $4+0}' | sort -n | awk '{v[NR]=$1} END {if (NR) printf "%d (%d to %d)", v[int((NR+1)/2)], v[1], v[NR]; else print "-"}') |"
    echo "| last move to the job's end, s: median (min to max) | $(printf '%s\n' "${results[@]}" | awk -F'|' '$10 ~ /[0-9]/ {print $10+0}' | sort -n | awk '{v[NR]=$1} END {if (NR) printf "%.2f (%.2f to %.2f)", v[int((NR+1)/2)], v[1], v[NR]; else print "-"}') |"
    echo
    echo "*noise* is the ratio of the last two windows before the move (the same placement): what the measure itself swings."
    echo "*before* and *after* are rank 0's iteration times on host 1 (ms, the mean over ${window_s} s of the iterations its agent saw, once two windows in a row agree within 5 %) before"
    echo "it left and after it came back."
    echo
    echo "| run | moves done | gone (ms) | alone | before | after | ratio | mpirun exit | end (s) | bit-exact | left | noise | heat on host 1 after the return |"
    echo "|---:|---:|---:|---|---:|---:|---:|---|---:|---|---|---:|---:|"
    printf '%s\n' "${results[@]}"
} > "$out"
echo "wrote $out: $clean of $runs clean, $hangs hangs, $exact bit-exact"
[[ $clean == "$runs" && $exact == "$runs" ]]
