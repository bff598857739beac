#!/usr/bin/env bash
# auto-demo.sh - the main job (make demo): three namespace hosts, each a CPU cgroup of
# ROAM_DEMO_CPU cores (default 0.6), a Roam agent on each, the heat sample under roam run;
# after a while one host is throttled and the agents move its rank away by themselves.
# Output (log, plot, summary) under ROAM_DEMO_OUT (default target/auto-demo). Extra
# arguments go to io.roam.heat.auto.AutoDemo (--protocol rs|ats|nts, --strategy, --rows,
# --cols, --iterations, --slow-after, --slow-cpu, --tuning demo|default, --no-slowdown).
# The agents run with the secure defaults: TLS with the key set the first of them creates in
# /etc/roam/keys (ROAM_DEMO_KEYS=DIR: in DIR instead, as the tests do), PCM sockets that
# `roam run` learns from the agents. ROAM_DEMO_REFERENCE_CACHE=DIR keeps the reference grid
# (the run without Roam) in DIR for later runs of the same command. Needs root (namespaces).
# Each host's cgroup also gets the CPU weight ROAM_DEMO_CPU_WEIGHT (default 10000, the most;
# an ordinary process has 100): a host of 0.6 cores then gets its 0.6 cores on a busy machine
# too. Without it the hosts got 0.2 to 0.3 cores each beside a CI run (load 8 to 12 on 2
# cores), their quotas never bound, and the job's iteration time followed the other work's
# load, not the hosts' capacity (benchmarks/results/demo-runs.md). ROAM_DEMO_CPU_PERIOD_US=P
# enforces the quotas per P us (1000 to 1000000; default the kernel's 100 ms, 2.5 ms for grow).
# ROAM_DEMO_SCENARIO=grow (make demo SCENARIO=grow) runs the second scenario instead: host 3's
# agent joins mid-run and the malleable heat job grows onto it by itself (io.roam.heat.auto.GrowDemo;
# its options: --rows, --cols, --join-after, --after, --grow-wait); output in target/auto-demo-grow.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[[ $(id -u) == 0 ]] || { echo "auto-demo.sh: needs root (network namespaces and CPU cgroups)" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export NETNS_CPU_WEIGHT=${ROAM_DEMO_CPU_WEIGHT:-10000}   # netns-hosts.sh cpu, here and in AutoDemo
prefix=${ROAM_DEMO_PREFIX:-rdemo}
subnet=${ROAM_DEMO_SUBNET:-10.232.0}
scenario=${ROAM_DEMO_SCENARIO:-slowdown}
case $scenario in
    slowdown) default_out=target/auto-demo; demo=(); cpu=${ROAM_DEMO_CPU:-0.6}
              # the quotas' period: the kernel's 100 ms unless ROAM_DEMO_CPU_PERIOD_US says
              # (benchmarks/autonomy.sh sets 2.5 ms for its 3-rank scenario, as grow below)
              if [[ -n ${ROAM_DEMO_CPU_PERIOD_US:-} ]]; then export NETNS_CPU_PERIOD_US=$ROAM_DEMO_CPU_PERIOD_US; fi ;;
    grow) default_out=target/auto-demo-grow; demo=(--demo grow); cpu=${ROAM_DEMO_CPU:-0.4}
          # hosts of 0.4 cores (1.2 for the three: room on 2 shared cores) whose quotas are
          # enforced per 2.5 ms, not per 100 ms, so that an iteration spans several periods:
          # ranks that wait for each other every iteration then lose little to one host's pause
          # (docs/architecture.md, the grow scenario)
          export NETNS_CPU_PERIOD_US=${ROAM_DEMO_CPU_PERIOD_US:-2500} ;;
    *) echo "auto-demo.sh: ROAM_DEMO_SCENARIO=$scenario: allowed slowdown (the default) or grow" >&2; exit 2 ;;
esac
out=$(realpath -m "${ROAM_DEMO_OUT:-$default_out}")
rm -rf "$out" && mkdir -p "$out"
trap 'bash scripts/netns-hosts.sh down "$prefix"' EXIT
bash scripts/netns-hosts.sh down "$prefix"
bash scripts/netns-hosts.sh up "$prefix" 3 "$subnet" > "$out/hosts"
for i in 1 2 3; do bash scripts/netns-hosts.sh cpu "$prefix" "$i" "$cpu"; done
bash scripts/netns-hosts.sh rsh-agent "$prefix" "$out/rsh-agent"
# Class directories, not jars: the tests run this before the sample's jar is packaged.
cp="samples/heat-diffusion/target/classes:$(ls agents/target/lib/jackson-*.jar | tr '\n' ':')"
[[ -d samples/heat-diffusion/target/classes/io/roam/heat/auto ]] || { echo "auto-demo.sh: build first (make)" >&2; exit 2; }
# The orchestrator runs in the first host's network (to reach the agents) but in no host's cgroup.
nsenter --net="/run/netns/$prefix-h1" java -cp "$cp" io.roam.heat.auto.AutoDemo --hosts-file "$out/hosts" \
    --prefix "$prefix" --subnet "$subnet" --rsh-agent "$out/rsh-agent" --repo "$root" --out "$out" \
    --cpu "$cpu" ${demo[@]+"${demo[@]}"} "$@" 2>&1 | tee "$out/demo.log"
exit "${PIPESTATUS[0]}"
