#!/usr/bin/env bash
# pcm-migration-hosts.sh - PCM migration across namespace hosts against the floor of the link;
# writes benchmarks/results/pcm-migration-hosts.md.
#
#   benchmarks/pcm-migration-hosts.sh [--quick] [more HostsBenchmark options]
#
# Needs root (network namespaces) and a built tree (`make build`). Makes three namespace hosts
# (scripts/netns-hosts.sh, prefix rspd<random>, subnet 10.233.<random>), removed on exit, and
# runs io.roam.heat.bench.HostsBenchmark: rank 1 of pcm_bench_migrate (2 ranks, rank 0 on host
# 1) moves between hosts 2 and 3, with 16, 64 and 256 MiB of state (7 moves each after a
# warm-up; --quick: 3), against, in the same run, a bare MPI_Comm_spawn on the target host, a
# plain TCP stream of the same bytes between the hosts and memcpy into fresh pages. About 3
# minutes (1 with --quick).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
invoked="benchmarks/pcm-migration-hosts.sh${*:+ $*}"
die() { echo "pcm-migration-hosts.sh: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (network namespaces)"

pcm_install=$root/pcm-native/target/install
[[ -f $pcm_install/lib/pkgconfig/roam-pcm.pc ]] || die "libpcm is not built ($pcm_install): run 'make build' first"
for tool in mpicc mpirun pkg-config java cc ip nsenter; do
    command -v "$tool" >/dev/null || die "$tool not found: run 'make deps'"
done
# shellcheck source=lib/pcm-bench.sh
source benchmarks/lib/pcm-bench.sh
mpicc -O2 -std=gnu11 -Wall -Wextra -o "$bin/pcm_bench_floor" benchmarks/c/pcm_bench_floor.c

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
prefix=rspd$((RANDOM % 1000))
subnet=10.233.$((1 + RANDOM % 250))
tmp=$(mktemp -d "/tmp/roam-$prefix-XXXXXX")
java_pid=""
cleanup() {
    [[ -n $java_pid ]] && kill "$java_pid" 2>/dev/null || true
    bash scripts/netns-hosts.sh down "$prefix" || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 143" TERM INT
mapfile -t addrs < <(bash scripts/netns-hosts.sh up "$prefix" 3 "$subnet" | awk '{print $2}')
bash scripts/netns-hosts.sh rsh-agent "$prefix" "$tmp/rsh.sh"
# one rank on host 1; hosts 2 and 3 take the moving rank, its replacements and the keepers
printf '%s slots=1\n%s slots=8\n%s slots=8\n' "${addrs[@]}" > "$tmp/hosts"
rm -rf benchmarks/target/run-hosts
quick=()
[[ " $* " == *" --quick "* ]] && quick=(--reps 3)
args=()
for a in "$@"; do [[ $a == --quick ]] || args+=("$a"); done
java -cp "$classpath" io.roam.heat.bench.HostsBenchmark --prefix "$prefix" --subnet "$subnet.0/24" \
    --hosts "$(IFS=,; echo "${addrs[*]}")" --rsh "$tmp/rsh.sh" --hostfile "$tmp/hosts" \
    --bench-bin "$bin" --command "$invoked" "${quick[@]}" "${args[@]}" &
java_pid=$!
wait "$java_pid"
