#!/usr/bin/env bash
# Agents benchmark: time for 3, 5 and 10 agent JVMs to be all Up (default and tuned
# settings) and the idle cost of one agent with 8 registered processes.
# Writes benchmarks/results/agents.md. Run `make` first. Usage: benchmarks/agents.sh [REPS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. benchmarks/lib/bench-classpath.sh
exec java -cp "$bench_cp" io.roam.bench.AgentsBenchmark benchmarks/results/agents.md "${1:-3}"
