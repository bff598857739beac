# hosts-with-agents.sh - sourced by benchmark scripts: N namespace hosts, each running a
# roam agent (stealing off), heat jobs under `roam run` on them, moves through the control
# API. Needs root. The caller sets `root` (the repository) and `prefix` (its namespace
# prefix, [a-z0-9-]{1,10}) before sourcing, and calls hwa_up N SLOTS.
#
#   hwa_up N SLOTS       hosts PREFIX-h1..hN on a random subnet, an agent on each, cleanup on EXIT
#   hwa_on I CMD...      run CMD on host I (1-based)
#   hwa_status           GET /api/status of host 1's agent (JSON)
#   hwa_run RANKS LOG ARGS...   start heat ARGS under roam run on the hosts; sets hwa_job (pid)
#                        and hwa_jobid (the PCM job id, once all RANKS registered); extra
#                        mpirun options in the array hwa_mpi_args
#   hwa_move RANK ADDR   POST /api/migrate of rank RANK of hwa_jobid to ADDR; 0 when DONE
#   hwa_wait_end STALL_S wait for the job to end: sets hwa_rc to mpirun's exit code, or "hang" when
#                        the ranks' iterations have not advanced for STALL_S seconds (a slow
#                        job on a busy machine is not a hung one); then ends what is left
#   hwa_heat_on I        pids of heat processes in host I's network namespace
#   hwa_rank_field RANK FIELD   FIELD (iterations, iterationMs, ...) of rank RANK of hwa_jobid as
#                        its agent reports it (GET /api/jobs), or empty
# Before hwa_up, hwa_cpu=(I CORES ...) gives host I a CPU quota of CORES (netns-hosts.sh cpu):
# everything started on it (its agent, mpirun, its ranks) shares the quota.
#   hwa_track PID        end PID in the cleanup too
# After hwa_up: hwa_addrs (host addresses), hwa_subnet, hwa_tmp (a scratch directory).

hwa_pids=()
hwa_mpi_args=()
hwa_cpu=()
hwa_heat=$root/samples/heat-diffusion/target/native/heat
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

hwa_cleanup() {
    local p
    for p in "${hwa_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for _ in $(seq 1 50); do
        local alive=0
        for p in "${hwa_pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [[ $alive == 0 ]] && break
        sleep 0.2
    done
    for p in "${hwa_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    bash "$root/scripts/netns-hosts.sh" down "$prefix" || true
    rm -rf "$hwa_tmp"
}

hwa_track() { hwa_pids+=("$1"); }

hwa_on() { local i=$1; shift; bash "$root/scripts/netns-hosts.sh" exec "$prefix" "$i" "$@"; }

hwa_status() { hwa_on 1 curl -s --max-time 30 "http://${hwa_addrs[0]}:7170/api/status"; }

hwa_up() {
    local n=$1 slots=$2 i
    [[ -x $hwa_heat ]] || { echo "$hwa_heat is missing: run make first" >&2; exit 2; }
    hwa_tmp=$(mktemp -d "/tmp/roam-$prefix-XXXXXX")
    hwa_subnet=10.233.$((1 + RANDOM % 250))
    trap hwa_cleanup EXIT
    trap "exit 143" TERM INT   # so that the EXIT trap runs when the script is killed
    mapfile -t hwa_addrs < <(bash "$root/scripts/netns-hosts.sh" up "$prefix" "$n" "$hwa_subnet" | awk '{print $2}')
    for ((i = 0; i + 1 < ${#hwa_cpu[@]}; i += 2)); do
        bash "$root/scripts/netns-hosts.sh" cpu "$prefix" "${hwa_cpu[$i]}" "${hwa_cpu[$((i + 1))]}"
    done
    bash "$root/scripts/netns-hosts.sh" rsh-agent "$prefix" "$hwa_tmp/rsh.sh"
    for i in $(seq 0 $((n - 1))); do
        local ip=${hwa_addrs[$i]} seed=()
        [[ $i -gt 0 ]] && seed=(--seed "${hwa_addrs[0]}:2552")
        hwa_on $((i + 1)) "$root/bin/roam" agent --host "$ip" --bind "$ip" --port 2552 --http-bind "$ip" \
            --set "roam.agent.tls.key-dir=\"$hwa_tmp/keys\"" \
            --socket "$hwa_tmp/agent-%h.sock" --stealing off --set roam.agent.slots="$slots" "${seed[@]}" \
            > "$hwa_tmp/agent$((i + 1)).log" 2>&1 &
        hwa_track $!
    done
    for _ in $(seq 1 120); do
        [[ $(hwa_status | jq '[.nodes[] | select(.reachable)] | length' 2>/dev/null || echo 0) == "$n" ]] && return 0
        sleep 1
    done
    echo "the $n agents did not form a cluster within 120 s" >&2
    exit 1
}

hwa_run() {
    local ranks=$1 log=$2
    shift 2
    hwa_on 1 "$root/bin/roam" run --agent "http://${hwa_addrs[0]}:7170" --socket "$hwa_tmp/agent-%h.sock" -- \
        --mca plm_rsh_agent "$hwa_tmp/rsh.sh" --mca oob_tcp_if_include "$hwa_subnet.0/24" \
        --mca btl_tcp_if_include "$hwa_subnet.0/24" "${hwa_mpi_args[@]}" -np "$ranks" "$hwa_heat" "$@" > "$log" 2>&1 &
    hwa_job=$!
    hwa_track "$hwa_job"
    hwa_jobid=""
    for _ in $(seq 1 300); do
        hwa_jobid=$(hwa_status | jq -r '[.nodes[].processes[] | select(.rank == 0)][0].jobId // empty' 2>/dev/null || true)
        [[ -n $hwa_jobid && $(hwa_status | jq '[.nodes[].processes[]] | length') == "$ranks" ]] && return 0
        sleep 0.1
    done
    echo "the job did not register its $ranks ranks within 30 s" >&2
    return 1
}

hwa_move() {
    hwa_on 1 curl -s -N --max-time 120 -X POST -H "Authorization: Bearer $(cat /run/roam/token)" \
        "http://${hwa_addrs[0]}:7170/api/migrate?job=$hwa_jobid&rank=$1&to=$2" >> "$hwa_tmp/migrate.log" 2>&1
    tail -1 "$hwa_tmp/migrate.log" | grep -q '"phase":"DONE"'
}

hwa_wait_end() {
    local stall_s=$1 last=-1 since now its
    since=$(date +%s)
    while kill -0 "$hwa_job" 2>/dev/null; do
        its=$(hwa_on 1 curl -s --max-time 5 "http://${hwa_addrs[0]}:7170/api/jobs" 2>/dev/null \
            | jq '[.[].ranks[].iterations] | add // 0' 2>/dev/null || echo "$last")
        now=$(date +%s)
        if [[ $its != "$last" ]]; then last=$its since=$now; fi
        if (( now - since >= stall_s )); then
            kill "$hwa_job" 2>/dev/null || true
            sleep 2
            local h p
            for h in $(seq 1 ${#hwa_addrs[@]}); do for p in $(hwa_heat_on "$h"); do kill -9 "$p" 2>/dev/null || true; done; done
            hwa_rc=hang
            return 0
        fi
        sleep 1
    done
    wait "$hwa_job" && hwa_rc=0 || hwa_rc=$?
}

hwa_rank_field() {
    hwa_on 1 curl -s --max-time 5 "http://${hwa_addrs[0]}:7170/api/jobs" 2>/dev/null \
        | jq -r --arg j "$hwa_jobid" --argjson r "$1" --arg f "$2" \
            '.[] | select(.jobId == $j) | .ranks[] | select(.rank == $r) | .[$f]' 2>/dev/null | head -1 || true
}

hwa_heat_on() {
    ip netns pids "$prefix-h$1" 2>/dev/null | while read -r p; do
        [[ $(readlink "/proc/$p/exe" 2>/dev/null) == "$hwa_heat" ]] && echo "$p"
    done || true
}

# The machine line of a results file.
hwa_machine() {
    echo "$(nproc) cores (nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
}
