#!/usr/bin/env bash
# resize.sh - the resize benchmark (issue 22); writes benchmarks/results/resize.md.
#
#   benchmarks/resize.sh [--quick] [--reps N]
#
# Needs a built tree (`make build`: libpcm in pcm-native/target/install). Compiles
# benchmarks/c/pcm_bench_resize.c into benchmarks/target/bin and measures, on this host (one
# Open MPI host, --oversubscribe, pml ob1, no agent: the orders come from ROAM_PCM_TEST_RESIZE
# at iteration 10), for a grid of 64 and 256 MiB of doubles in 1-D row blocks:
#   - a grow 2 -> 4 and a shrink 4 -> 2 in place, by phase: PCM_Resize_begin (a grow's spawn
#     and new world), PCM_Redistribute_rows (the data), PCM_Resize_end (a shrink's new world),
#     and the median iteration time (PCM_Status, one pass over the rank's rows, a barrier)
#     before and after;
#   - against restarting the job at the new size from a checkpoint on tmpfs (/dev/shm), in the
#     same run: the old job writes its rows (pwrite at their offsets), a new mpirun at the new
#     size starts (from the launch to every rank past MPI_Init and a barrier) and reads its rows
#     of the new decomposition. The old job's own end is not counted.
# Each is repeated N times (5; --quick 3); the report gives medians with min and max.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
invoked="benchmarks/resize.sh${*:+ $*}"
die() { echo "resize.sh: $*" >&2; exit 1; }

reps=5
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) reps=3 ;;
    --reps) reps=$2; shift ;;
    *) die "unknown option $1 (--quick, --reps N)" ;;
    esac
    shift
done

pcm_install=$root/pcm-native/target/install
[[ -f $pcm_install/lib/pkgconfig/roam-pcm.pc ]] || die "libpcm is not built ($pcm_install): run 'make build' first"
for tool in mpicc mpirun pkg-config python3; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done
if [[ $(id -u) == 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

bin=benchmarks/target/bin
run=benchmarks/target/run-resize
mkdir -p "$bin" "$run"
pcm_flags=$(PKG_CONFIG_PATH=$pcm_install/lib/pkgconfig pkg-config --cflags --libs roam-pcm)
# shellcheck disable=SC2086  # pcm_flags is a list of flags
mpicc -O2 -std=gnu11 -Wall -Wextra -o "$bin/pcm_bench_resize" benchmarks/c/pcm_bench_resize.c $pcm_flags
prog=$root/$bin/pcm_bench_resize
ckpt=/dev/shm/roam-resize-bench.$$
trap 'rm -f "$ckpt"' EXIT

mpi=(timeout 600 mpirun --oversubscribe --mca pml ob1 --mca orte_allowed_exit_without_sync 1 --mca mpi_yield_when_idle 1)
if [[ $(id -u) == 0 ]]; then mpi+=(--allow-run-as-root); fi

# resize MIB FROM TO REP: one run, its output kept
resize() {
    local out=$run/resize-$1-$2-$3-$4.txt
    ROAM_AGENT_SOCKET=none ROAM_PCM_TEST_RESIZE="10:$3" "${mpi[@]}" -x ROAM_AGENT_SOCKET -x ROAM_PCM_TEST_RESIZE \
        -np "$2" "$prog" -m "$1" -i 40 >"$out" 2>&1 || die "resize $2 -> $3 at $1 MiB failed: $out"
    grep -q "pcm_bench_resize: resize $2 -> $3 " "$out" || die "no resize line in $out"
}

# restart MIB FROM TO REP: checkpoint at FROM, restart at TO
restart() {
    local out=$run/restart-$1-$2-$3-$4.txt
    rm -f "$ckpt"
    "${mpi[@]}" -np "$2" "$prog" -m "$1" -w "$ckpt" >"$out" 2>&1 || die "checkpoint at $1 MiB failed: $out"
    local t0
    t0=$(date +%s%N)
    "${mpi[@]}" -np "$3" "$prog" -m "$1" -r "$ckpt" >>"$out" 2>&1 || die "restart at $1 MiB failed: $out"
    echo "pcm_bench_resize: launched_ns $t0" >>"$out"
}

for mib in 64 256; do
    for i in $(seq 1 "$reps"); do
        echo "resize.sh: $mib MiB, repetition $i of $reps" >&2
        resize "$mib" 2 4 "$i"
        restart "$mib" 2 4 "$i"
        resize "$mib" 4 2 "$i"
        restart "$mib" 4 2 "$i"
    done
done

python3 - "$run" "$reps" "$invoked" >benchmarks/results/resize.md <<'EOF'
import glob, os, platform, re, statistics, subprocess, sys, time
run, reps, invoked = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def nums(path, key):
    m = re.findall(r"pcm_bench_resize: .*?\b" + key + r" ([0-9.]+)", open(path).read())
    return [float(x) for x in m]

def stat(v):
    return "%.1f (%.1f to %.1f)" % (statistics.median(v), min(v), max(v)) if v else "-"

cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip()
        break
print("# Resizing a job in place against a checkpoint restart\n")
print("Date: %s. Machine: %s, %d logical CPUs (shared with other work), %s. Open MPI: one host,"
      " `--oversubscribe --mca pml ob1`, no agent (ROAM_PCM_TEST_RESIZE orders the resize at iteration 10)."
      % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), cpu, os.cpu_count(), platform.platform()))
print("Command: `%s` (%d repetitions of each; medians, min to max, in ms).\n" % (invoked, reps))
print("The program: benchmarks/c/pcm_bench_resize.c, a grid of doubles in rows of 1024, 1-D row blocks"
      " (PCM_Block_rows), redistributed with PCM_Redistribute_rows. The checkpoint restart writes every"
      " rank's rows to one file on tmpfs (/dev/shm), starts a new mpirun at the new size and reads them back"
      " in the new decomposition; its launch is from the new mpirun's start to every rank past MPI_Init and"
      " a barrier. The old job's own end is not counted.\n")
print("| grid | change | in place: begin | redistribute | end | total | restart: write | launch | read | total |")
print("|---|---|---|---|---|---|---|---|---|---|")
iters = []
for mib in (64, 256):
    for a, b in ((2, 4), (4, 2)):
        rs = sorted(glob.glob("%s/resize-%d-%d-%d-*.txt" % (run, mib, a, b)))
        ck = sorted(glob.glob("%s/restart-%d-%d-%d-*.txt" % (run, mib, a, b)))
        begin = [x for f in rs for x in nums(f, "begin_ms")]
        redis = [x for f in rs for x in nums(f, "redistribute_ms")]
        end = [x for f in rs for x in nums(f, "end_ms")]
        total = [x for f in rs for x in nums(f, "total_ms")]
        write, launch, read, rtotal = [], [], [], []
        for f in ck:
            w, r = nums(f, "write_ms"), nums(f, "read_ms")
            s, l = nums(f, "started_ns"), nums(f, "launched_ns")
            if w and r and s and l:
                write.append(w[0]); read.append(r[0]); launch.append((s[0] - l[0]) / 1e6)
                rtotal.append(w[0] + (s[0] - l[0]) / 1e6 + r[0])
        print("| %d MiB | %d -> %d | %s | %s | %s | **%s** | %s | %s | %s | **%s** |" % (
            mib, a, b, stat(begin), stat(redis), stat(end), stat(total), stat(write), stat(launch), stat(read),
            stat(rtotal)))
        before = [x for f in rs for x in nums(f, "before")]
        after = [x for f in rs for x in nums(f, "after")]
        iters.append("| %d MiB | %d -> %d | %s | %s |" % (mib, a, b, stat(before), stat(after)))
print("\nIteration time of the resized job (PCM_Status, one pass over the rank's rows, a barrier; medians of"
      " each run's median before and after the resize):\n")
print("| grid | change | before (ms) | after (ms) |")
print("|---|---|---|---|")
print("\n".join(iters))
print("\nReading it: a grow's begin is libpcm's spawn of the new processes and the new world; its"
      " redistribution moves rows between the old processes and the new ones, a job of their own that shares no"
      " memory with them (TCP even on one host), so it costs more than a shrink's, whose rows move among the"
      " processes mpirun started. A shrink's end includes the leavers' keeper round and the split. On a machine"
      " whose cores other work shares (as here), single runs vary widely: compare the medians, and look at the"
      " outputs for the outliers.")
print("\nThe runs' outputs: benchmarks/target/run-resize (not kept in the repository).")
EOF
echo "resize.sh: wrote benchmarks/results/resize.md" >&2
