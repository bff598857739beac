#!/usr/bin/env bash
# The heat-diffusion demo (make demo): the C sample under mpirun, two ranks moved while it
# runs through the agent socket, and a comparison with a run without migration.
# Extra arguments go to io.roam.heat.Demo (--ranks --rows --cols --iterations --target-host).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [[ $(id -u) == 0 ]]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
cp="$(ls pcm-wire/target/roam-pcm-wire-*.jar | grep -v -- -tests | head -1):$(ls pcm-native/target/roam-pcm-native-*.jar | grep -v -- -tests | head -1):$(ls samples/heat-diffusion/target/roam-heat-diffusion-*.jar | head -1)"
exec java -cp "$cp" io.roam.heat.Demo --bin samples/heat-diffusion/target/native "$@"
