#!/usr/bin/env bash
# Balancing benchmark (issue 6): the make-demo job at the agents' default settings, per
# decision strategy and work-stealing protocol, against the same job on an unthrottled
# cluster. Writes benchmarks/results/balancing.md. Needs root (network namespaces, cgroups);
# run `make` first. About 3 minutes per run, 8 runs with the defaults.
# Usage: benchmarks/balancing.sh [ITERATIONS (20000)] [SLOW_AFTER s (30)] [STRATEGIES (ios,cost-aware)]
#        [PROTOCOLS (rs,ats,nts)]
# ROAM_BALANCING_FROM=DIR rewrites the report from the runs kept in DIR (same arguments) without running.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[[ $(id -u) == 0 ]] || { echo "balancing.sh: needs root (network namespaces and CPU cgroups)" >&2; exit 2; }
cp="samples/heat-diffusion/target/classes:$(ls agents/target/lib/jackson-*.jar | tr '\n' ':')"
exec java ${ROAM_BALANCING_FROM:+-Droam.balancing.from="$ROAM_BALANCING_FROM"} -cp "$cp" \
    io.roam.heat.bench.BalancingBenchmark benchmarks/results/balancing.md \
    "${1:-20000}" "${2:-30}" "${3:-ios,cost-aware}" "${4:-rs,ats,nts}"
