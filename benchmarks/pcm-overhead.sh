#!/usr/bin/env bash
# PCM overhead, measured where it is paid: the cost of one PCM_Status (the call an
# instrumented program makes once per iteration) against the time of one iteration of the
# heat sample without PCM on a 2048x2048 grid, at 2 and 4 ranks, all in the same run.
# Whole-run timings of heat with and without PCM (pcm-migration.sh, section 3) vary by
# tens of percent on this kind of machine, far above the 0.5 % target; this splits the
# question into two numbers that can each be measured. Writes benchmarks/results/pcm-overhead.md.
# Usage: benchmarks/pcm-overhead.sh   (after make)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=benchmarks/results/pcm-overhead.md
bin=benchmarks/target/bin
mkdir -p "$bin" benchmarks/results
export PKG_CONFIG_PATH=$root/pcm-native/target/install/lib/pkgconfig
mpicc -O2 -o "$bin/pcm_bench_status" benchmarks/c/pcm_bench_status.c $(pkg-config --cflags --libs roam-pcm)
root_flag=(); [[ $(id -u) == 0 ]] && root_flag=(--allow-run-as-root)
mpirun_=(mpirun "${root_flag[@]}" --oversubscribe --mca pml ob1 --mca orte_allowed_exit_without_sync 1 -x ROAM_AGENT_SOCKET)
# A real agent, so that PCM_Status also pays for looking at its socket and for heartbeats.
sock_dir=$(mktemp -d)
bin/roam agent --port 0 --http-port 0 --host bench --socket "$sock_dir/agent-%h.sock" \
    --set "roam.agent.tls.key-dir=\"$sock_dir/keys\"" > "$sock_dir/agent.log" 2>&1 &
agent_pid=$!
trap 'kill $agent_pid 2>/dev/null; wait $agent_pid 2>/dev/null; rm -rf "$sock_dir"' EXIT
for _ in $(seq 1 300); do [[ -S $sock_dir/agent-bench.sock ]] && break; sleep 0.1; done
[[ -S $sock_dir/agent-bench.sock ]] || { cat "$sock_dir/agent.log"; echo "the agent did not start" >&2; exit 1; }
export ROAM_AGENT_SOCKET=$sock_dir/agent-bench.sock
heat=samples/heat-diffusion/target/native/heat-nopcm
iters=300
median() { sort -g | awk '{a[NR]=$1} END {m=a[int((NR+1)/2)]; printf "%.3f (%.3f to %.3f)", m, a[1], a[NR]}'; }
med1() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
{
    echo "# PCM overhead per iteration"
    echo
    echo "Written by \`benchmarks/pcm-overhead.sh\`; rerun it rather than edit this file."
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| date | $(date -u +%Y-%m-%dT%H:%M:%SZ) |"
    echo "| machine | $(nproc) cores (nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) |"
    echo "| MPI | $(mpirun --version | head -1) |"
    echo "| reproduce | \`benchmarks/pcm-overhead.sh\` (after \`make\`) |"
    echo
    echo "One \`PCM_Status\` per iteration is all the PCM instrumentation costs a running program"
    echo "(no agent traffic is due in a normal iteration; a heartbeat goes out once a second)."
    echo "Its cost is measured in a tight loop of 20000 calls (7 repetitions), next to a bare"
    echo "\`MPI_Allreduce\` of one int (the floor), and set against the time of one iteration of"
    echo "\`heat-nopcm\` (2048x2048, $iters iterations, 5 runs), all in this run. Medians (min to max)."
    echo
    echo "| ranks | PCM_Status, us | bare allreduce, us | heat iteration without PCM, us | overhead = PCM_Status / iteration | target | met |"
    echo "|---:|---:|---:|---:|---:|---:|---|"
} > "$out"
for np in 2 4; do
    status=$(for i in 1 2 3; do "${mpirun_[@]}" -np $np "$bin/pcm_bench_status"; done | awk '{print $4}')
    bare=$(for i in 1 2 3; do "${mpirun_[@]}" -np $np "$bin/pcm_bench_status" -x; done | awk '{print $4}')
    iter=$(for i in 1 2 3 4 5; do "${mpirun_[@]}" -np $np $heat -r 2048 -c 2048 -i $iters -q; done |
        sed -n 's/.* time \([0-9.]*\) s .*/\1/p' | awk -v n=$iters '{printf "%.3f\n", $1 * 1e6 / n}')
    s=$(echo "$status" | med1); it=$(echo "$iter" | med1)
    pct=$(awk -v s="$s" -v i="$it" 'BEGIN {printf "%.3f", 100 * s / i}')
    met=$(awk -v p="$pct" 'BEGIN {print (p < 0.5) ? "yes" : "NO"}')
    echo "| $np | $(echo "$status" | median) | $(echo "$bare" | median) | $(echo "$iter" | median) | **$pct %** | < 0.5 % | **$met** |" >> "$out"
done
echo >> "$out"
echo "Each PCM_Status does one allreduce of an int, a non-blocking read of the agent socket (a running \`roam agent\` here, heartbeats every second) and two clock reads." >> "$out"
cat "$out"
