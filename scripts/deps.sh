#!/usr/bin/env bash
# Roam: check, and if need be install, the system tools the build needs.
#
#   scripts/deps.sh           check; when something is missing, install it with apt-get
#                             (as root) or say what to install (otherwise, exit 1)
#   scripts/deps.sh --check   check only: exit 0 when all is there, 1 otherwise
#
# Needed: Open MPI 4.x (mpicc, mpirun, and its pkg-config file), pkg-config, make, gcc,
# iproute2 (ip: the multi-host tests make network-namespace hosts), a JDK 17 or later
# (javac), Chromium with its driver (the web view's browser test runs it headless), and
# Slurm with MUNGE (slurmctld, slurmd, sbatch, munged: the Slurm test starts its own
# controller and daemons; without root it is only reported, and that test skips outside CI).
# systemd-analyze (InstallTest verifies the agent's unit file; no running systemd needed).
# Maven itself comes through ./mvnw.
# Called by `make deps` (and so by `make`, `make test`, ...) and by .ci/run.
set -euo pipefail

MPI_PACKAGES=(openmpi-bin libopenmpi-dev pkg-config make gcc iproute2)
JDK_PACKAGES=(openjdk-17-jdk-headless)
BROWSER_PACKAGES=(chromium chromium-driver)
SLURM_PACKAGES=(slurm-wlm munge)
SERVICE_PACKAGES=(systemd)
MIN_JAVA=17

mode=${1:-install}
case "$mode" in
  install | --install) mode=install ;;
  check | --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

have() { command -v "$1" >/dev/null 2>&1; }

# Prints one line per problem with the C/MPI toolchain; prints nothing when all is well.
mpi_problems() {
  local tool
  for tool in mpicc mpirun pkg-config make gcc ip; do
    have "$tool" || echo "$tool not found"
  done
  if have mpirun; then
    local v
    v=$(mpirun --version 2>&1 | head -n 1 || true)
    case "$v" in
      *"Open MPI) 4."*) ;;
      *) echo "mpirun is not Open MPI 4.x (it says: ${v:-nothing})" ;;
    esac
  fi
  if have pkg-config && ! pkg-config --exists ompi-c; then
    echo "pkg-config does not know ompi-c (libopenmpi-dev missing?)"
  fi
}

# Prints a line when there is no JDK 17+; nothing otherwise.
jdk_problems() {
  if ! have javac; then
    echo "javac not found (need a JDK $MIN_JAVA or later)"
    return
  fi
  local v major
  v=$(javac -version 2>&1 | head -n 1)          # e.g. "javac 17.0.15"
  major=$(sed -n 's/^javac \([0-9][0-9]*\).*/\1/p' <<<"$v")
  if [ -z "$major" ] || [ "$major" -lt "$MIN_JAVA" ]; then
    echo "javac is too old or unknown (it says: $v; need $MIN_JAVA or later)"
  fi
}

# Prints a line when headless Chromium or its WebDriver is missing; nothing otherwise.
browser_problems() {
  have chromium || echo "chromium not found (the web view's browser test needs it)"
  have chromedriver || echo "chromedriver not found (package chromium-driver)"
}

# Prints a line per Slurm or MUNGE program missing (daemons are in /usr/sbin, off a user's PATH).
slurm_problems() {
  local tool
  for tool in slurmctld slurmd sbatch srun munged; do
    have "$tool" || [ -x "/usr/sbin/$tool" ] || echo "$tool not found (the Slurm test needs it)"
  done
}

# Prints a line when systemd-analyze (which verifies roam-agent.service) is missing.
service_problems() {
  have systemd-analyze || echo "systemd-analyze not found (package systemd; InstallTest verifies the agent's unit)"
}

mpi=$(mpi_problems)
jdk=$(jdk_problems)
browser=$(browser_problems)
slurm=$(slurm_problems)
service=$(service_problems)

# Without root Slurm is not installed, only reported: the build does not need it.
if [ -n "$slurm" ] && [ "$(id -u)" != 0 ] && [ "$mode" = install ]; then
  sed 's/^/deps: /' <<<"$slurm" >&2
  echo "deps: Slurm is missing (its test skips outside CI); as root run: apt-get install ${SLURM_PACKAGES[*]}" >&2
  slurm=
fi

if [ -z "$mpi" ] && [ -z "$jdk" ] && [ -z "$browser" ] && [ -z "$slurm" ] && [ -z "$service" ]; then
  if [ "$mode" = install ]; then
    echo "deps: $(mpirun --version 2>&1 | head -n 1), $(javac -version 2>&1 | head -n 1)," \
         "pkg-config, make and gcc are there; nothing to install."
  fi
  exit 0
fi

packages=()
if [ -n "$mpi" ]; then
  sed 's/^/deps: /' <<<"$mpi" >&2
  packages+=("${MPI_PACKAGES[@]}")
fi
if [ -n "$jdk" ]; then
  sed 's/^/deps: /' <<<"$jdk" >&2
  packages+=("${JDK_PACKAGES[@]}")
fi
if [ -n "$browser" ]; then
  sed 's/^/deps: /' <<<"$browser" >&2
  packages+=("${BROWSER_PACKAGES[@]}")
fi
if [ -n "$slurm" ]; then
  sed 's/^/deps: /' <<<"$slurm" >&2
  packages+=("${SLURM_PACKAGES[@]}")
fi
if [ -n "$service" ]; then
  sed 's/^/deps: /' <<<"$service" >&2
  packages+=("${SERVICE_PACKAGES[@]}")
fi

[ "$mode" = check ] && exit 1

if [ "$(id -u)" != 0 ]; then
  [ -n "$mpi" ] && echo "deps: Open MPI 4.1 is missing; as root run: apt-get install ${MPI_PACKAGES[*]}" >&2
  [ -n "$jdk" ] && echo "deps: JDK $MIN_JAVA is missing; as root run: apt-get install ${JDK_PACKAGES[*]}" >&2
  [ -n "$browser" ] && echo "deps: Chromium is missing; as root run: apt-get install ${BROWSER_PACKAGES[*]}" >&2
  [ -n "$service" ] && echo "deps: systemd-analyze is missing; as root run: apt-get install ${SERVICE_PACKAGES[*]}" >&2
  exit 1
fi

echo "deps: installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${packages[@]}"

# Check again: an Open MPI other than 4.x earlier on PATH would still be in the way.
mpi=$(mpi_problems)
jdk=$(jdk_problems)
browser=$(browser_problems)
slurm=$(slurm_problems)
service=$(service_problems)
if [ -n "$mpi$jdk$browser$slurm$service" ]; then
  printf '%s\n' "$mpi" "$jdk" "$browser" "$slurm" "$service" | sed '/^$/d; s/^/deps: still wrong after install: /' >&2
  exit 1
fi
echo "deps: installed; $(mpirun --version 2>&1 | head -n 1), $(javac -version 2>&1 | head -n 1), $(chromium --version 2>/dev/null | head -n 1), $(sbatch --version 2>/dev/null | head -n 1)."
