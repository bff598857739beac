# bench-classpath.sh - sourced by the agent benchmark scripts (agents.sh, profiling.sh,
# reliability.sh), from the repository root: sets bench_cp, the class path of the module
# benchmarks/java (roam-bench) and its runtime jars, or exits when it is not built.
# The agents jar comes before the other jars: its reference.conf overrides Pekko's defaults
# (pekko.actor.provider = cluster...), and of two reference.conf files the earlier on the
# class path wins; target/lib/* alone lists the jars in no fixed order.

bench_jar=$(ls benchmarks/java/target/roam-bench-*.jar 2>/dev/null | grep -v -- -tests | head -1 || true)
bench_agents=$(ls benchmarks/java/target/lib/roam-agents-*.jar 2>/dev/null | head -1 || true)
if [[ -z $bench_jar || -z $bench_agents ]]; then
    echo "$(basename "$0"): the benchmarks are not built yet (benchmarks/java/target); run make" >&2
    exit 1
fi
bench_cp="$bench_jar:$bench_agents:benchmarks/java/target/lib/*"
