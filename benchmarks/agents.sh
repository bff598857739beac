#!/usr/bin/env bash
# Agents benchmark: time for 3, 5 and 10 agent JVMs to be all Up (default and tuned
# settings) and the idle cost of one agent with 8 registered processes.
# Writes benchmarks/results/agents.md. Run `make` first. Usage: benchmarks/agents.sh [REPS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jar=$(ls agents/target/roam-agents-*.jar | grep -v -- -tests | head -1)
exec java -cp "$jar:agents/target/lib/*" io.roam.agents.bench.AgentsBenchmark benchmarks/results/agents.md "${1:-3}"
