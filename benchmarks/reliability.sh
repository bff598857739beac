#!/usr/bin/env bash
# Reliability benchmark, two parts, written to benchmarks/results/reliability.md:
#  1. load on one agent: 64 fake PCM processes with heartbeats at 10 Hz and a burst of
#     steal requests; status latency before and during the burst, answers counted
#     (io.roam.bench.ReliabilityBenchmark);
#  2. soak: the heat sample (4 ranks) under roam run on three namespace hosts, MIGRATIONS
#     roam migrate in a row (each rank in turn, to the next host), the final grid compared
#     with a run without Roam, and /proc of the three agent JVMs (descriptors, threads,
#     resident memory, heap after a full GC) before and after the migrations.
# Part 2 needs root (network namespaces). Run `make` first. Takes about 10 minutes.
# Usage: benchmarks/reliability.sh [STEALS (10000)] [MIGRATIONS (100)] [ITERATIONS (1500000)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
steals=${1:-10000}
migrations=${2:-100}
iterations=${3:-1500000}
warmup=4
[[ $(id -u) == 0 ]] || { echo "reliability.sh: part 2 needs root (network namespaces)" >&2; exit 2; }
. benchmarks/lib/bench-classpath.sh
heat=samples/heat-diffusion/target/native/heat
tmp=$(mktemp -d /tmp/roam-reliability-XXXXXX)
prefix=rel$((RANDOM % 10000))
subnet=10.231.$((200 + RANDOM % 50))
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 2
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    bash scripts/netns-hosts.sh down "$prefix" || true
    rm -rf "$tmp"
}
trap cleanup EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "== part 1: load on one agent"
java -cp "$bench_cp" io.roam.bench.ReliabilityBenchmark "$tmp/load.md" "$steals" 64

echo "== part 2: $migrations migrations in a row"
mapfile -t addrs < <(bash scripts/netns-hosts.sh up "$prefix" 3 "$subnet" | awk '{print $2}')
bash scripts/netns-hosts.sh rsh-agent "$prefix" "$tmp/rsh.sh"
socket="$tmp/agent-%h.sock"
agent_pid=()
for i in 0 1 2; do
    ip=${addrs[$i]}
    seed=(); [[ $i -gt 0 ]] && seed=(--seed "${addrs[0]}:2552")
    bash scripts/netns-hosts.sh exec "$prefix" $((i + 1)) bin/roam agent --host "$ip" --bind "$ip" --port 2552 \
        --http-bind "$ip" --set "roam.agent.tls.key-dir=\"$tmp/keys\"" \
        --socket "$socket" --stealing off --set roam.agent.slots=2 "${seed[@]}" \
        > "$tmp/agent$((i + 1)).log" 2>&1 &
    agent_pid+=($!)   # netns-hosts.sh exec and bin/roam exec: this is the agent JVM
    pids+=($!)
done
on1() { bash scripts/netns-hosts.sh exec "$prefix" 1 "$@"; }
api="http://${addrs[0]}:7170"
# the control API straight through curl in host 1 (what roam status and roam migrate call)
status() { on1 curl -s --max-time 30 "$api/api/status"; }
for _ in $(seq 1 120); do
    [[ $(status | jq '[.nodes[] | select(.reachable)] | length' 2>/dev/null || echo 0) == 3 ]] && break
    sleep 1
done

mpirun --oversubscribe -np 4 --mca pml ob1 "$root/samples/heat-diffusion/target/native/heat-nopcm" -r 128 -c 128 \
    -i "$iterations" -o "$tmp/expected.bin" -q > /dev/null
on1 bin/roam run --agent "$api" --socket "$socket" -- --mca plm_rsh_agent "$tmp/rsh.sh" \
    --mca oob_tcp_if_include "$subnet.0/24" --mca btl_tcp_if_include "$subnet.0/24" \
    -np 4 "$root/$heat" -r 128 -c 128 -i "$iterations" -o "$tmp/grid.bin" > "$tmp/run.log" 2>&1 &
job=$!
pids+=($job)
for _ in $(seq 1 120); do
    [[ $(status | jq '[.nodes[].processes[]] | length' 2>/dev/null || echo 0) == 4 ]] && break
    sleep 0.5
done
jobid=$(status | jq -r '[.nodes[].processes[]][0].jobId')

# sample: agent, fds, threads, rss kB, heap used after a full GC (kB)
sample() {
    for i in 0 1 2; do
        local p=${agent_pid[$i]}
        jcmd "$p" GC.run > /dev/null 2>&1 || true
        local heap
        heap=$(jcmd "$p" GC.heap_info 2>/dev/null | grep generation | grep -o 'used [0-9]*K' | tr -dc '0-9\n' \
            | awk '{s += $1} END {print s + 0}')
        echo "$((i + 1)) $(ls /proc/"$p"/fd | wc -l) $(awk '/^Threads/{print $2}' /proc/"$p"/status)" \
            "$(awk '/^VmRSS/{print $2}' /proc/"$p"/status) ${heap:-0}"
    done
}
# one migration of rank $1 to the host after its current one; prints its wall time in ms
move() {
    local rank=$1 from to t0 t1
    from=$(status | jq -r --argjson r "$rank" '.nodes[] | select([.processes[].rank] | index($r)) | .node.host')
    for k in 0 1 2; do [[ ${addrs[$k]} == "$from" ]] && to=${addrs[$(((k + 1) % 3))]}; done
    t0=$(date +%s%N)
    if on1 curl -s -N --max-time 120 -X POST -H "Authorization: Bearer $(cat /run/roam/token)" "$api/api/migrate?job=$jobid&rank=$rank&to=$to" \
            | tee -a "$tmp/migrate.log" | tail -1 | grep -q '"phase":"DONE"'; then
        t1=$(date +%s%N); echo $(((t1 - t0) / 1000000))
    else
        echo FAILED
    fi
}
for m in $(seq 1 $warmup); do move $((m % 4)) > /dev/null; done
sleep 5   # idle HTTP connections of the warm-up close
before=$(sample)
start=$(date +%s%N)
times=()
failed=0
for m in $(seq 1 "$migrations"); do
    t=$(move $((m % 4)))
    if [[ $t == FAILED ]]; then failed=$((failed + 1)); else times+=("$t"); fi
    (( m % 10 == 0 )) && echo "  $m migrations"
done
total=$(( ($(date +%s%N) - start) / 1000000 ))
still=$(status | jq '[.nodes[].processes[]] | length')
sleep 5
after=$(sample)
moves=$(status | jq -r '[.nodes[].processes[] | "rank \(.rank): \(.moves) moves"] | sort | join(", ")')
wait "$job" && jobrc=0 || jobrc=$?
if cmp -s "$tmp/grid.bin" "$tmp/expected.bin"; then exact=yes; else exact=NO; fi
stats=$(printf '%s\n' "${times[@]}" | sort -n | awk '{v[NR]=$1} END {printf "%d (%d to %d)", v[int((NR+1)/2)], v[1], v[NR]}')

{
    echo "# Reliability benchmark"
    echo
    echo 'Written by `benchmarks/reliability.sh`; rerun it rather than edit this file.'
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| date | $(date -u +%Y-%m-%dT%H:%M:%SZ) |"
    echo "| machine | $(nproc) cores (nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') |"
    echo "| reproduce | \`benchmarks/reliability.sh $steals $migrations $iterations\` (after \`make\`, as root) |"
    echo
    cat "$tmp/load.md"
    echo
    echo "## $migrations migrations in a row"
    echo
    echo "The heat sample (C, 4 ranks, 128 x 128, $iterations iterations) under \`roam run\` on three"
    echo "namespace hosts with an agent each (2 slots, stealing off); after $warmup warm-up moves,"
    echo "\`POST /api/migrate\` (what \`roam migrate\` sends) moves rank m mod 4 to the host after its current one, $migrations times in a row,"
    echo "one at a time (each waits for DONE). /proc of the three agent JVMs is sampled after the warm-up"
    echo "and after the last move (the job still running, 4 ranks registered both times); the heap is"
    echo "measured after \`jcmd GC.run\` (the young and old generations' use; the agents run with Serial GC)."
    echo
    echo "| measure | value |"
    echo "|---|---|"
    echo "| migrations done / failed | $(( ${#times[@]} )) / $failed |"
    echo "| wall time of one \`roam migrate\` (\`POST /api/migrate\`, as \`roam migrate\` sends it, until its DONE line), ms: median (min to max) | $stats |"
    echo "| total time of the $migrations migrations | $((total / 1000)) s |"
    echo "| ranks registered after them | $still of 4 ($moves) |"
    echo "| job exit code | $jobrc |"
    echo "| final grid equal to the run without Roam (bit for bit) | $exact |"
    echo
    echo "| agent | fds before | fds after | threads before | threads after | RSS before (MiB) | RSS after (MiB) | heap after GC before (MiB) | heap after GC after (MiB) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    paste -d' ' <(echo "$before") <(echo "$after") | while read -r a f0 t0 r0 h0 _ f1 t1 r1 h1; do
        echo "| $a | $f0 | $f1 | $t0 | $t1 | $((r0 / 1024)) | $((r1 / 1024)) | $((h0 / 1024)) | $((h1 / 1024)) |"
    done
} > benchmarks/results/reliability.md
cat benchmarks/results/reliability.md
