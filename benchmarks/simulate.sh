#!/usr/bin/env bash
# Simulation benchmark: the real work-stealing protocols (RS, ATS, NTS, Roam's informed
# stealing, and informed stealing with its swaps) and the gossip, GrapevineLB, greedy (reference) and no-balancing baselines on
# 1,000 and 10,000 simulated nodes.
# Writes benchmarks/results/simulation.md (or $RESULT) and the plots under
# benchmarks/results/simulation/. Needs only Java 17 and the wrapper; builds the simulator
# module (no install).
# Usage: [BALANCERS=rs,...] [RESULT=file.md] benchmarks/simulate.sh [SEED (1)] [SCENARIOS (p2p-1000 p2p-10000 c2c-1000)]
# A scenario written SCENARIO:b1,b2 runs only those balancers (for example p2p-10000:informed,greedy
# when the machine is too busy for every balancer at 10,000 nodes).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seed=${1:-1}
shift || true
scenarios=("${@:-p2p-1000 p2p-10000 c2c-1000}")
read -r -a scenarios <<< "${scenarios[*]}"

build=(-q -pl simulator -am -DskipTests package
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/classpath.txt)
# offline first (everything is usually cached), online if something is missing
repo=(${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO})
./mvnw -o "${repo[@]}" "${build[@]}" >/dev/null 2>&1 || ./mvnw "${repo[@]}" "${build[@]}" >/dev/null
cp="simulator/target/classes:$(cat simulator/target/classpath.txt)"
# the sibling modules from this tree, not from ~/.m2
for m in config profiling decision topologies stealing; do cp="$m/target/classes:$cp"; done

out=benchmarks/results/simulation
mkdir -p "$out"
result=${RESULT:-benchmarks/results/simulation.md}
balancers=${BALANCERS:-rs,ats,nts,informed,swap,gossip,grapevine,greedy,none}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
    echo "# Simulation benchmark"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(java -version 2>&1 | head -1)"
    echo "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine is shared: wall times are noisy)"
    echo "- reproduce: \`BALANCERS=$balancers benchmarks/simulate.sh $seed ${scenarios[*]}\` (per scenario:"
    echo "  \`roam simulate simulator/src/main/resources/scenarios/SCENARIO.conf --seed $seed\`)"
    echo
    echo "Columns: docs/simulation.md, \"Reading the output\". \"within 1.05 of greedy\" is the first"
    echo "round at which the largest node load is at most 1.05 x that of the greedy reference;"
    echo "rounds are 2 s of simulated time. Messages per node include work stealing's neighbour"
    echo "views (one per neighbour per 2 s period), shown apart."
    echo
} > "$result"
for arg in "${scenarios[@]}"; do
    s=${arg%%:*}
    these=$balancers
    [[ $arg == *:* ]] && these=${arg#*:}
    conf=simulator/src/main/resources/scenarios/$s.conf
    start=$(date +%s.%N)
    java -Xmx3g -XX:+UseParallelGC -cp "$cp" io.roam.simulator.Simulator "$conf" "$out/$s" "$seed" "$these" \
        | tee "$out/$s.log"
    end=$(date +%s.%N)
    wall=$(echo "$end - $start" | bc)
    {
        echo "## $s"
        echo
        sed -n '3p' "$out/$s/report.md"
        echo
        sed -n '/^| balancer/,/^$/p' "$out/$s/report.md"
        echo "Wall time of the whole scenario ($these, one JVM): ${wall%.*} s; load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
        echo "Messages per node per round: the messages / node column over the rounds (duration / 2 s)."
        echo "Plots: [imbalance](simulation/$s/imbalance.svg), [iteration time](simulation/$s/iteration.svg),"
        echo "[migrations](simulation/$s/migrations.svg), [messages](simulation/$s/messages.svg)."
        echo
    } >> "$result"
done
echo "wrote $result"
