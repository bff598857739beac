#!/usr/bin/env bash
# Profiling benchmark: the CPU an agent JVM spends with the default profiling periods (node
# every 2 s, network probes to its neighbours every 5 s) against the same agents with every
# profiling period at its maximum, 3 agents on loopback, both settings alternating in one run.
# Writes benchmarks/results/profiling.md. Run `make` first.
# Usage: benchmarks/profiling.sh [REPS (5)] [SECONDS per measurement (60)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. benchmarks/lib/bench-classpath.sh
exec java -cp "$bench_cp" io.roam.bench.ProfilingBenchmark benchmarks/results/profiling.md \
    "${1:-5}" "${2:-60}"
