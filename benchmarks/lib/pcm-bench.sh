# pcm-bench.sh - sourced by the PCM migration benchmarks (pcm-migration.sh,
# pcm-migration-hosts.sh), from the repository root, after they set pcm_install and die:
# sets classpath (the pcm-wire, pcm-native and heat sample jars: PcmServer and the driver, no
# other dependencies) and bin, and builds pcm_bench_migrate and pcm_bench_local into bin.

# The module jars (not the -sources/-javadoc ones).
jar_of() {
    local j
    for j in "$1"/target/*.jar; do
        [[ $j == *-sources.jar || $j == *-javadoc.jar || $j == *-tests.jar ]] || { echo "$j"; return; }
    done
    die "no jar in $1/target: run 'make build' first"
}
classpath="$(jar_of pcm-wire):$(jar_of pcm-native):$(jar_of samples/heat-diffusion)"

bin=benchmarks/target/bin
mkdir -p "$bin"
pcm_flags=$(PKG_CONFIG_PATH=$pcm_install/lib/pkgconfig pkg-config --cflags --libs roam-pcm)
# shellcheck disable=SC2086  # pcm_flags is a list of flags
mpicc -O2 -std=gnu11 -Wall -Wextra -o "$bin/pcm_bench_migrate" benchmarks/c/pcm_bench_migrate.c $pcm_flags
cc -O2 -std=gnu11 -Wall -Wextra -o "$bin/pcm_bench_local" benchmarks/c/pcm_bench_local.c
