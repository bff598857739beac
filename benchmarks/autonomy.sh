#!/usr/bin/env bash
# Autonomy benchmark (issue 19, "What must be shown"): seven scenarios on namespace hosts with
# CPU cgroup quotas (balanced cluster, one host throttled, throttled then restored, a flapping
# host, noisy neighbours, a host joining mid-run, two jobs sharing the hosts), each run with
# balancing (the agents stealing, default protocol, make demo's tuning), without (stealing
# off) and as the oracle (stealing off, the best static placement the script knows), judged
# against the issue's targets. Writes benchmarks/results/autonomy.md. Needs root (network
# namespaces, cgroups); run `make` first. About 30 minutes per run of every scenario (19
# runs of 1 to 2 minutes each), so about 1.5 hours with the default 3 runs.
# Usage: benchmarks/autonomy.sh [--quick | RUNS (3)] [SCENARIOS (all, or numbers or names, e.g. 2,3 or join)]
#   --quick                one run per scenario (about 30 minutes)
# Environment: ROAM_AUTONOMY_PREFIX (rauto) and ROAM_AUTONOMY_SUBNET (10.237.0): the namespace
# hosts' names and subnet (keep them apart from other users of the machine);
# ROAM_AUTONOMY_WORK (target/autonomy): where each run's output is kept;
# ROAM_AUTONOMY_FROM=1 rewrites the report from the runs kept there (same arguments) without running;
# ROAM_AUTONOMY_RESUME=1 runs only what is not kept there yet (a run's result.json and bench.json)
# and reads the rest: the runs behind the committed report are kept in
# benchmarks/results/autonomy-runs (those two files of each), so that
#   ROAM_AUTONOMY_WORK=benchmarks/results/autonomy-runs ROAM_AUTONOMY_RESUME=1 benchmarks/autonomy.sh 3
# adds the runs still missing, one quiet machine at a time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[[ $(id -u) == 0 ]] || { echo "autonomy.sh: needs root (network namespaces and CPU cgroups)" >&2; exit 2; }
[[ -d samples/heat-diffusion/target/classes/io/roam/heat/bench ]] || { echo "autonomy.sh: build first (make)" >&2; exit 2; }
runs=${1:-3}
[[ $runs == --quick ]] && runs=1
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "autonomy.sh: RUNS must be a positive number or --quick" >&2; exit 2; }
scenarios=${2:-all}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export ROAM_DEMO_PREFIX=${ROAM_AUTONOMY_PREFIX:-rauto} ROAM_DEMO_SUBNET=${ROAM_AUTONOMY_SUBNET:-10.237.0}
# The stealers' decisions ("thief: ...", "victim: ... refusing: ...") are in the agents' logs of
# each run (logger Stealer, at INFO like every roam logger).
work=$(realpath -m "${ROAM_AUTONOMY_WORK:-target/autonomy}")
mkdir -p "$work"
cp="samples/heat-diffusion/target/classes:$(ls agents/target/lib/jackson-*.jar | tr '\n' ':')"
exec java ${ROAM_AUTONOMY_FROM:+-Droam.autonomy.from=1} ${ROAM_AUTONOMY_RESUME:+-Droam.autonomy.resume=1} -cp "$cp" io.roam.heat.bench.AutonomyBenchmark \
    benchmarks/results/autonomy.md "$work" "$runs" "$scenarios" "benchmarks/autonomy.sh${*:+ $*}"
