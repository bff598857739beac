#!/usr/bin/env bash
# pcm-migration.sh - the PCM migration benchmark; writes benchmarks/results/pcm-migration.md.
#
#   benchmarks/pcm-migration.sh [--quick] [more MigrationBenchmark options]
#   make bench                               (builds first, then runs this)
#
# Needs a built tree (`make build`): libpcm in pcm-native/target/install, the heat sample
# in samples/heat-diffusion/target/native and the two module jars. This script compiles
# the two C benchmark programs of benchmarks/c into benchmarks/target/bin, then runs the
# Java driver io.roam.heat.bench.MigrationBenchmark, which measures:
#   1. migration time by phase for 1, 16, 64 and 256 MiB of state (7 moves each, after a
#      warm-up move);
#   2. memcpy into fresh memory and a checkpoint-to-file (tmpfs) baseline;
#   3. the PCM overhead of the heat sample (heat vs heat-nopcm, 2 and 4 ranks);
#   4. the heat throughput per rank against a one-rank sweep;
#   5. Java ranks over the JNI binding: migration phases of JavaBenchMigrate (the Java twin of
#      pcm_bench_migrate.c) against the C rank's at 16 and 64 MiB, and the Java heat sample's
#      throughput against the C sample's at 1 and 2 ranks (target: Java at 0.8 of C or better).
# As root, it first runs benchmarks/pcm-migration-hosts.sh: moves across namespace hosts against
# the floor of the link (benchmarks/results/pcm-migration-hosts.md).
# Migrations are measured with Open MPI as installed and with OMPI_MCA_pml=ob1 (see the report).
# --quick: 3 moves per size, 3 repetitions of the baselines and 3 pairs of heat runs
# (instead of 7, 7 and 9), a few minutes in all; the full run takes about 10 minutes.
# The programs' outputs stay in benchmarks/target/run for inspection.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
invoked="benchmarks/pcm-migration.sh${*:+ $*}"

die() { echo "pcm-migration.sh: $*" >&2; exit 1; }

pcm_install=$root/pcm-native/target/install
[[ -f $pcm_install/lib/pkgconfig/roam-pcm.pc ]] || die "libpcm is not built ($pcm_install): run 'make build' first"
[[ -x samples/heat-diffusion/target/native/heat && -x samples/heat-diffusion/target/native/heat-nopcm ]] ||
    die "the heat sample is not built: run 'make build' first"
for tool in mpicc mpirun pkg-config java cc; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done

# shellcheck source=lib/pcm-bench.sh
source benchmarks/lib/pcm-bench.sh

# Open MPI refuses to start as root unless told that it is meant.
if [[ $(id -u) == 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

# Moves across (namespace) hosts first, against the floor of the link: pcm-migration-hosts.md.
if [[ $(id -u) == 0 ]]; then
    quick=()
    [[ " $* " == *" --quick "* ]] && quick=(--quick)
    benchmarks/pcm-migration-hosts.sh "${quick[@]}"
else
    echo "pcm-migration.sh: not root: moves across namespace hosts not measured (pcm-migration-hosts.sh)" >&2
fi

rm -rf benchmarks/target/run
exec java -cp "$classpath" io.roam.heat.bench.MigrationBenchmark \
    --bench-bin "$bin" --heat-bin samples/heat-diffusion/target/native \
    --work benchmarks/target/run --out benchmarks/results/pcm-migration.md \
    --command "$invoked" "$@"
