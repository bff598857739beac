#!/usr/bin/env bash
# Drained host (issue 16): what of a job stays on a host after its last rank left, and what
# the job does when that host then goes away. Each run: heat, 3 ranks on three namespace
# hosts (one per host, agents with stealing off); rank 2 moves from host 3 to host 2
# (control API, until DONE); host 3's processes are listed (name, resident memory, CPU over
# 2 s); then, while the job runs on, host 3 suffers one EVENT:
#   none       nothing (the control)
#   agent      its roam agent is killed (SIGKILL)
#   orted      Open MPI's daemon there is killed (SIGKILL)
#   cut        it is cut off the network for good (its link at the bridge goes down: the
#              others see silence, as when a host is switched off)
#   blip       it is cut off for 10 s and comes back
# with Open MPI's default settings, and the control (none) also with the settings that
# were tried for surviving a lost daemon, with none, orted and cut (--mca orte_enable_recovery 1 --mca
# plm_rsh_no_tree_spawn 1). Recorded: mpirun's exit code, the end (a hang = no end within
# 60 s: the ranks' iterations stopped advancing and mpirun did not end), the grid bit-exact. Results in benchmarks/results/drained-host.md.
# Needs root. Run `make` first. About 15 s a run.
# Usage: benchmarks/drained-host.sh [RUNS per case (2)] [ITERATIONS (100000)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${1:-2}
iterations=${2:-100000}
[[ $(id -u) == 0 ]] || { echo "drained-host.sh: needs root (network namespaces)" >&2; exit 2; }
prefix=drh$((RANDOM % 10000))
. benchmarks/lib/hosts-with-agents.sh
hwa_up 3 1
tmp=$hwa_tmp
mpirun --oversubscribe -np 3 --mca pml ob1 "$root/samples/heat-diffusion/target/native/heat-nopcm" -r 256 -c 256 \
    -i "$iterations" -o "$tmp/expected.bin" -q > /dev/null
agent3=${hwa_pids[2]}   # hwa_up started the agents in host order
# name, resident MiB and CPU share over 2 s of every process in host 3's namespace
host3_processes() {
    local p pids=() t0=() t1=()
    mapfile -t pids < <(ip netns pids "$prefix-h3")
    for p in "${pids[@]}"; do t0+=("$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)"); done
    sleep 2
    for i in "${!pids[@]}"; do
        p=${pids[$i]}
        [[ -e /proc/$p ]] || continue
        local t; t=$(awk '{print $14 + $15}' "/proc/$p/stat")
        echo "$(cat "/proc/$p/comm") $(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$p/status") MiB" \
            "$(awk -v d=$((t - ${t0[$i]})) 'BEGIN {printf "%.3f", d / 100 / 2}') core"
    done | sort | paste -sd ';' | sed 's/;/; /g'
}
event() {
    case $1 in
        none) ;;
        agent) kill -9 "$agent3" ;;
        orted) for p in $(ip netns pids "$prefix-h3"); do
                   [[ $(cat "/proc/$p/comm" 2>/dev/null) == orted ]] && kill -9 "$p"
               done ;;
        cut) ip -n "$prefix-br" link set "$prefix-v3" down ;;
        blip) ip -n "$prefix-br" link set "$prefix-v3" down; sleep 10; ip -n "$prefix-br" link set "$prefix-v3" up ;;
    esac
}
rows=()
seen=""
for setting in default recovery; do
    if [[ $setting == recovery ]]; then
        hwa_mpi_args=(--mca orte_enable_recovery 1 --mca plm_rsh_no_tree_spawn 1)
        events=(none orted cut)
    else
        hwa_mpi_args=()
        events=(none agent orted cut blip)
    fi
    for ev in "${events[@]}"; do
        for run in $(seq 1 "$runs"); do
            # host 3 as it was: its link up, its agent running
            ip -n "$prefix-br" link set "$prefix-v3" up
            if ! kill -0 "$agent3" 2>/dev/null; then
                hwa_on 3 "$root/bin/roam" agent --host "${hwa_addrs[2]}" --bind "${hwa_addrs[2]}" --port 2552 \
                    --http-bind "${hwa_addrs[2]}" --set "roam.agent.tls.key-dir=\"$tmp/keys\"" \
                    --socket "$tmp/agent-%h.sock" --stealing off \
                    --set roam.agent.slots=1 --seed "${hwa_addrs[0]}:2552" >> "$tmp/agent3.log" 2>&1 &
                agent3=$!
                hwa_track "$agent3"
                for _ in $(seq 1 120); do
                    [[ $(hwa_status | jq '[.nodes[] | select(.reachable)] | length' 2>/dev/null || echo 0) == 3 ]] && break
                    sleep 1
                done
            fi
            rm -f "$tmp/grid.bin"
            hwa_run 3 "$tmp/run.log" -r 256 -c 256 -i "$iterations" -o "$tmp/grid.bin" || true
            moved=no
            hwa_move 2 "${hwa_addrs[1]}" && moved=yes
            sleep 1
            [[ -z $seen ]] && seen=$(host3_processes)
            event "$ev"
            hwa_wait_end 60
            rc=$hwa_rc
            same=no
            cmp -s "$tmp/grid.bin" "$tmp/expected.bin" && same=yes
            why=$(grep -a -m1 -iE "abort|error|lost|fail" "$tmp/run.log" | cut -c1-120 || true)
            rows+=("| $setting | $ev | $run | $moved | $rc | $same | ${why:-} |")
            echo "$setting $ev run $run: moved $moved, exit $rc, bit-exact $same ${why:+($why)}"
            for h in 1 2 3; do for p in $(hwa_heat_on "$h"); do kill -9 "$p" 2>/dev/null || true; done; done
        done
    done
done
{
    echo "# A drained host: what stays on it, and what happens when it goes away"
    echo
    echo 'Written by `benchmarks/drained-host.sh`; rerun it rather than edit this file.'
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| date | $(date -u +%Y-%m-%dT%H:%M:%SZ) |"
    echo "| machine | $(hwa_machine) |"
    echo "| Open MPI | $(mpirun --version 2>&1 | head -1) |"
    echo "| reproduce | \`benchmarks/drained-host.sh $runs $iterations\` (after \`make\`, as root) |"
    echo
    echo "heat (C, 3 ranks, 256 x 256, $iterations iterations) under \`roam run\`, one rank per namespace host;"
    echo "rank 2 moves from host 3 to host 2, then host 3 suffers the event while the job runs on."
    echo "*recovery* is \`--mca orte_enable_recovery 1 --mca plm_rsh_no_tree_spawn 1\`."
    echo
    echo "What host 3 ran once its last rank had left (name, resident memory, CPU over 2 s):"
    echo "${seen:-nothing}."
    echo
    echo "| setting | event on host 3 | run | move done | mpirun exit | bit-exact | first error line |"
    echo "|---|---|---:|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} > benchmarks/results/drained-host.md
echo "wrote benchmarks/results/drained-host.md"
