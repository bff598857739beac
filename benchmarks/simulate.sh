#!/usr/bin/env bash
# Simulation benchmark: the real work-stealing protocols (RS, ATS, NTS, Roam's informed
# stealing, and informed stealing with its swaps) and the gossip, GrapevineLB, greedy (reference)
# and no-balancing baselines on 1,000, 10,000 and 100,000 simulated nodes.
# Each scenario run writes its section, benchmarks/results/simulation/SCENARIO.section.md (the
# table, the date, the load average, the command); the report, benchmarks/results/simulation.md
# (or $RESULT), is then assembled from every section there, in the order p2p-1000, p2p-10000,
# p2p-100000, c2c-1000, then any other, followed by benchmarks/results/simulation-notes.md
# (written by hand). So a scenario can be rerun alone (on a shared machine a full run takes
# hours) and the report says, per section, when and under what load it was measured.
# Needs only Java 17 and the wrapper; builds the simulator module (no install).
# Usage: [BALANCERS=rs,...] [HEAP=8g] [RESULT=file.md] [CP=classpath (no build)] benchmarks/simulate.sh [SEED (1)]
#        [SCENARIOS (p2p-1000 p2p-10000 p2p-100000 c2c-1000)]
# A scenario written SCENARIO:b1,b2 runs only those balancers (for example
# p2p-100000:swap,greedy,none when the machine is too busy for every balancer at that size).
# SCENARIOS=none only assembles the report from the sections already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seed=${1:-1}
shift || true
scenarios=("${@:-p2p-1000 p2p-10000 p2p-100000 c2c-1000}")
read -r -a scenarios <<< "${scenarios[*]}"
[[ ${scenarios[*]} == none ]] && scenarios=()

out=benchmarks/results/simulation
mkdir -p "$out"
result=${RESULT:-benchmarks/results/simulation.md}
balancers=${BALANCERS:-rs,ats,nts,informed,swap,gossip,grapevine,greedy,none}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
machine="$(nproc) CPUs, ${cpu:-unknown CPU}, $(java -version 2>&1 | head -1)"

if ((${#scenarios[@]} > 0)) && [[ -n ${CP:-} ]]; then
    cp=$CP   # a classpath given (for example a copy of the classes, so that builds meanwhile do not disturb the runs)
elif ((${#scenarios[@]} > 0)); then
    build=(-q -pl simulator -am -DskipTests package
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/classpath.txt)
    # offline first (everything is usually cached), online if something is missing
    repo=(${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO})
    ./mvnw -o "${repo[@]}" "${build[@]}" >/dev/null 2>&1 || ./mvnw "${repo[@]}" "${build[@]}" >/dev/null
    cp="simulator/target/classes:$(cat simulator/target/classpath.txt)"
    # the sibling modules from this tree, not from ~/.m2
    for m in config profiling decision topologies stealing; do cp="$m/target/classes:$cp"; done
fi

for arg in "${scenarios[@]}"; do
    s=${arg%%:*}
    these=$balancers
    [[ $arg == *:* ]] && these=${arg#*:}
    conf=simulator/src/main/resources/scenarios/$s.conf
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    date=$(date -u '+%Y-%m-%d %H:%M UTC')
    start=$(date +%s.%N)
    java -Xmx"${HEAP:-8g}" -XX:+UseParallelGC -cp "$cp" io.roam.simulator.Simulator "$conf" "$out/$s" "$seed" "$these" \
        | tee "$out/$s.log"
    end=$(date +%s.%N)
    wall=$(echo "$end - $start" | bc)
    {
        echo "## $s"
        echo
        sed -n '3p' "$out/$s/report.md"
        echo
        echo "Run $date on $machine; load average (1, 5, 15 min) before: $load_before, after:"
        echo "$(cut -d' ' -f1-3 /proc/loadavg). Command: \`BALANCERS=$these benchmarks/simulate.sh $seed $s\`."
        echo
        sed -n '/^| balancer/,/^$/p' "$out/$s/report.md"
        echo "Wall time of the whole scenario ($these, one JVM): ${wall%.*} s. The wall, CPU (the simulating"
        echo "thread's) and load avg (1 min, at the end of each run) columns are per balancer; on a shared machine"
        echo "wall time follows the load, CPU time much less. Messages per node per round: the messages / node column"
        echo "over the rounds (duration / 2 s)."
        echo "Plots: [imbalance](simulation/$s/imbalance.svg), [iteration time](simulation/$s/iteration.svg),"
        echo "[migrations](simulation/$s/migrations.svg), [messages](simulation/$s/messages.svg)."
        echo
    } > "$out/$s.section.md"
done

{
    echo "# Simulation benchmark"
    echo
    echo "Assembled $(date -u '+%Y-%m-%d %H:%M UTC') by \`benchmarks/simulate.sh\` from the sections in"
    echo "benchmarks/results/simulation/; each section says when, on what and under what load it was run, and"
    echo "the command that reruns it (seed $seed unless it says otherwise). Per scenario, by hand:"
    echo "\`roam simulate simulator/src/main/resources/scenarios/SCENARIO.conf --seed 1\`."
    echo
    echo "Columns: docs/simulation.md, \"Reading the output\". \"within 1.05 of greedy\" is the first"
    echo "round at which the largest node load is at most 1.05 x that of the greedy reference;"
    echo "rounds are 2 s of simulated time. Messages per node include work stealing's neighbour"
    echo "views (one per neighbour per 2 s period), shown apart. A balancer missing from a section"
    echo "was not run at that size (the section's command names those that were)."
    echo
    done_list=" "
    for s in p2p-1000 p2p-10000 p2p-100000 c2c-1000; do
        if [[ -f $out/$s.section.md ]]; then
            cat "$out/$s.section.md"
            done_list+="$s "
        else
            echo "## $s"
            echo
            echo "Not run yet (\`benchmarks/simulate.sh 1 $s\`)."
            echo
        fi
    done
    for f in "$out"/*.section.md; do
        [[ -e $f ]] || continue
        s=$(basename "$f" .section.md)
        [[ $done_list == *" $s "* ]] || cat "$f"
    done
    [[ -f benchmarks/results/simulation-notes.md ]] && cat benchmarks/results/simulation-notes.md
} > "$result"
echo "wrote $result"
