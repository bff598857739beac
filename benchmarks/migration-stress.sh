#!/usr/bin/env bash
# Migration stress (issue 17): heat jobs of 5 ranks (16 MiB of state each) on three namespace
# hosts with agents (stealing off), and a stream of migrations ordered through the control
# API (`POST /api/migrate`, what `roam migrate` sends) to random targets, in rounds of three
# kinds: one order; two orders for two different ranks of the job given at the same moment
# (pair); three orders in a row for one rank, each as soon as the one before has ended
# (repeat). One host at a time runs a busy loop in its CPU cgroup (the noise moves on with
# each job). Jobs follow one another until MOVES migrations are done and PAIRS pair rounds
# given.
#
# A hang is a job that makes no progress (its ranks' iterations, from the agents'
# heartbeats, do not grow, or an order's stream does not end) within HANG_S: the script
# records the stacks of the job's processes (gdb), kills the job by pid and goes on.
# Every job that ends is compared bit for bit with one run of heat-nopcm.
# Results in benchmarks/results/migration-stress.md (raw lines in .tsv beside it).
# Needs root (network namespaces). Build first (`make`, or `./mvnw -q package -DskipTests`).
# Usage: benchmarks/migration-stress.sh [MOVES (300)] [PAIRS (50)] [ITERATIONS (2500)] [HANG_S (60)]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source benchmarks/lib/results-header.sh
moves_goal=${1:-300}
pairs_goal=${2:-50}
iterations=${3:-2500}
hang_s=${4:-60}
# STALL_MS (environment) sets the ranks' ROAM_PCM_STALL_MS: above HANG_S, a stalled move is
# caught by this script first, which takes its stacks, instead of ended by libpcm's bound
stall_x=(); [[ -n ${STALL_MS:-} ]] && stall_x=(-x "ROAM_PCM_STALL_MS=$STALL_MS")
rows=2560 cols=4096 ranks=5   # rows * cols * 8 / ranks = 16 MiB per rank
[[ $(id -u) == 0 ]] || { echo "migration-stress.sh: needs root (network namespaces)" >&2; exit 2; }
heat=$root/samples/heat-diffusion/target/native/heat
[[ -x $heat ]] || { echo "migration-stress.sh: $heat is missing: build first" >&2; exit 2; }
tmp=$(mktemp -d /tmp/roam-stress-XXXXXX)
prefix=mst$((RANDOM % 10000))
subnet=10.233.$((100 + RANDOM % 100))
pids=()
noise=""
cleanup() {
    [[ -n $noise ]] && kill "$noise" 2>/dev/null || true
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 1
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    bash scripts/netns-hosts.sh down "$prefix" || true
    rm -rf "$tmp"
}
trap cleanup EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p benchmarks/results
out=benchmarks/results/migration-stress.md
raw=benchmarks/results/migration-stress.tsv
stacks=benchmarks/results/migration-stress-hangs.txt
: > "$stacks"
rm -rf benchmarks/results/migration-stress-failed

mapfile -t addrs < <(bash scripts/netns-hosts.sh up "$prefix" 3 "$subnet" | awk '{print $2}')
for i in 1 2 3; do bash scripts/netns-hosts.sh cpu "$prefix" "$i" max; done
bash scripts/netns-hosts.sh rsh-agent "$prefix" "$tmp/rsh.sh"
socket="$tmp/agent-%h.sock"
for i in 0 1 2; do
    ip=${addrs[$i]}
    seed=(); [[ $i -gt 0 ]] && seed=(--seed "${addrs[0]}:2552")
    bash scripts/netns-hosts.sh exec "$prefix" $((i + 1)) bin/roam agent --host "$ip" --bind "$ip" --port 2552 \
        --http-bind "$ip" --set "roam.agent.tls.key-dir=\"$tmp/keys\"" \
        --socket "$socket" --stealing off --set roam.agent.slots=2 "${seed[@]}" \
        > "$tmp/agent$((i + 1)).log" 2>&1 &
    pids+=($!)
done
on1() { bash scripts/netns-hosts.sh exec "$prefix" 1 "$@"; }
api="http://${addrs[0]}:7170"
status() { on1 curl -s --max-time 30 "$api/api/status" || true; }
for _ in $(seq 1 120); do
    [[ $(status | jq '[.nodes[] | select(.reachable)] | length' 2>/dev/null || echo 0) == 3 ]] && break
    sleep 1
done
echo "baseline: heat-nopcm ${rows}x${cols}, $iterations iterations"
mpirun --oversubscribe -np $ranks --mca pml ob1 "$root/samples/heat-diffusion/target/native/heat-nopcm" \
    -r $rows -c $cols -i "$iterations" -o "$tmp/expected.bin" -q > /dev/null

# The floor (benchmarks/c/comm_floor.c): the four communicator constructions of a merge +
# split among the same 5 ranks under roam run, all waiting for them, without PCM or a spawn;
# FLOOR_REPS each without noise and with the busy loop in each host's cgroup in turn.
floor_reps=${FLOOR_REPS:-60}
mkdir -p benchmarks/target/bin
for f in comm_floor spawn_floor; do
    mpicc -O2 -std=gnu11 -Wall -Wextra -o benchmarks/target/bin/$f benchmarks/c/$f.c
done
# The spawn floor (benchmarks/c/spawn_floor.c): the same, with a new process spawned onto the
# hosts in turn and built into the world as libpcm does (-S: with its daemon sync), without
# PCM: Open MPI's own cost. comm_floor ignores -H and -S.
floor_run() {   # $1: the noisy host (1-3) or 0; appends "noise ms" lines to $tmp/floor.tsv, spawn_floor.tsv
    local n="" q
    q=$([[ $1 == 0 ]] && echo quiet || echo noisy)
    if [[ $1 != 0 ]]; then bash scripts/netns-hosts.sh exec "$prefix" "$1" sh -c 'while :; do :; done' & n=$!; fi
    for f in comm_floor spawn_floor; do   # a bound: Open MPI's spawn was seen to hang (issues 8958, 9713)
        on1 timeout 150 bin/roam run --agent "$api" --socket "$socket" -- --mca plm_rsh_agent "$tmp/rsh.sh" \
            --mca oob_tcp_if_include "$subnet.0/24" --mca btl_tcp_if_include "$subnet.0/24" \
            -np $ranks "$root/benchmarks/target/bin/$f" -n "$floor_reps" -p 20 -H "$(IFS=,; echo "${addrs[*]}")" -S \
            > "$tmp/$f$1.log" 2>&1 || echo "floor: $f with noise on host ${1/#0/none} ended $?" >&2
    done
    [[ -n $n ]] && { kill "$n" 2>/dev/null || true; wait "$n" 2>/dev/null || true; }
    awk -v q="$q" '/^floor ns/ {printf "%s\t%.3f\n", q, $3 / 1e6}' "$tmp/comm_floor$1.log" >> "$tmp/floor.tsv"
    awk -v q="$q" '/^spawn ns/ {printf "%s\t%.3f\t%.3f\n", q, $6 / 1e6, $3 / 1e6}' "$tmp/spawn_floor$1.log" \
        >> "$tmp/spawn_floor.tsv"
}
: > "$tmp/floor.tsv"
: > "$tmp/spawn_floor.tsv"
for h in 0 1 2 3; do echo "floor: noise on host ${h/#0/none}"; floor_run $h; done

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# the job's processes in every host (pids in the root pid namespace)
job_pids() { for h in 1 2 3; do ip netns pids "$prefix-h$h" 2>/dev/null | while read -r p; do
    [[ $(readlink "/proc/$p/exe" 2>/dev/null) == "$heat" ]] && echo "$p"; done; done || true; }
# "rank host" of every registered rank of job $1
where() { status | jq -r --arg j "$1" '.nodes[] | .node.host as $h | .processes[] | select(.jobId == $j)
    | "\(.rank) \($h)"' 2>/dev/null | sort -n || true; }
# the largest iteration count any rank of job $1 reported
progress() { on1 curl -s --max-time 30 "$api/api/jobs" | jq --arg j "$1" \
    '[.[] | select(.jobId == $j) | .ranks[].iterations] | max // 0' 2>/dev/null || echo 0; }
host_of() { for l in "${at[@]}"; do [[ ${l%% *} == "$1" ]] && echo "${l#* }"; done; return 0; }   # in $at
random_target() {   # an address other than $1
    local t
    while :; do t=${addrs[$((RANDOM % 3))]}; [[ $t != "$1" ]] && { echo "$t"; return; }; done
}
# order rank $2 of job $1 to $3; the stream in file $4; its end must come within hang_s + the agent's timeout
order() { on1 curl -s -N --max-time $((hang_s + 90)) -X POST -H "Authorization: Bearer $(cat /run/roam/token)" "$api/api/migrate?job=$1&rank=$2&to=$3" > "$4" 2>&1 || true; }
# one line per order: job round kind rank from to outcome decide spawn merge transfer resume total bytes detail
record() {   # $1 job $2 round $3 kind $4 rank $5 from $6 to $7 stream file
    local last outcome detail times
    last=$(grep '"phase"' "$7" | tail -1 || true)
    outcome=NONE detail="no answer"
    if [[ -n $last ]]; then
        outcome=$(jq -r '.phase' <<< "$last" 2>/dev/null || echo NONE)
        detail=$(jq -r '.detail // ""' <<< "$last" 2>/dev/null | tr '\t\n' '  ' | cut -c1-160)
    fi
    grep -q '"phase":"QUEUED"' "$7" && detail="(queued) $detail"
    times=$(jq -r 'select(.phase == "DONE" and .times != null) | .times |
        ([(.tDecided - .tOrder), (.tSpawned - .tDecided), (.tMerged - .tSpawned), (.tTransferred - .tMerged),
          (.tResumed - .tTransferred), (.tResumed - .tOrder)] | map(. / 1e3 | round / 1e3) | join("\t"))
        + "\t\(.stateBytes)"' <<< "$last" 2>/dev/null || true)
    [[ -z $times ]] && times=$'-\t-\t-\t-\t-\t-\t-'
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$outcome" "$times" "$detail" >> "$raw"
}
descendants() {   # $1 a pid: its children, theirs, ... (roam run's java, mpirun under it)
    local c
    for c in $(pgrep -P "$1" 2>/dev/null || true); do echo "$c"; descendants "$c"; done
}
dump_stacks() {   # $1 job number, $2 its `roam run` pid
    echo "=== job $1: hang at $(date -u +%H:%M:%S) ===" >> "$stacks"
    # keepers (pcm_keep.c) too: one left waiting keeps its job known to its orted, and mpirun waits
    for p in $(descendants "$2") $(pgrep -f "orted.*$subnet" || true) $(job_pids) $(pgrep -x roam-pcm-keeper || true); do
        # state and parent from /proc/PID/stat: a zombie (Z) has no command line and no stack,
        # its parent (the orted or mpirun that did not reap it) is what to look at
        local st
        st=$(sed -E 's/^[0-9]+ \(.*\) ([A-Z]) ([0-9]+) .*/state \1, parent \2/' /proc/"$p"/stat 2>/dev/null || echo gone)
        echo "--- pid $p ($(tr '\0' ' ' < /proc/"$p"/cmdline 2>/dev/null | cut -c1-80)) in $(ip netns identify "$p"): $st" >> "$stacks"
        timeout 60 gdb -p "$p" -batch -ex "thread apply all bt" 2>/dev/null | grep -E '^(#|Thread)' >> "$stacks" || true
    done
}
kill_job() {   # $1 the job's `roam run` pid
    pkill -P "$1" 2>/dev/null || true
    kill "$1" 2>/dev/null || true
    for p in $(job_pids); do kill -9 "$p" 2>/dev/null || true; done
    sleep 2
    for p in $(pgrep -f "orted.*$subnet" || true); do kill -9 "$p" 2>/dev/null || true; done
}

printf 'job\tround\tkind\trank\tfrom\tto\toutcome\tdecide\tspawn\tmerge\ttransfer\tresume\ttotal\tbytes\tdetail\n' > "$raw"
done_moves=0 pair_rounds=0 jobs=0 hangs=0 exact=0 ended=0 stalled=0 rounds=0
job_lines=()
start=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
while (( done_moves < moves_goal || pair_rounds < pairs_goal )); do
    jobs=$((jobs + 1))
    noisy=$(( (jobs - 1) % 3 + 1 ))
    bash scripts/netns-hosts.sh exec "$prefix" "$noisy" sh -c 'while :; do :; done' &
    noise=$!
    rm -f "$tmp/grid.bin"
    on1 bin/roam run --agent "$api" --socket "$socket" -- --mca plm_rsh_agent "$tmp/rsh.sh" \
        --mca oob_tcp_if_include "$subnet.0/24" --mca btl_tcp_if_include "$subnet.0/24" \
        "${stall_x[@]}" -np $ranks "$heat" -r $rows -c $cols -i "$iterations" -o "$tmp/grid.bin" -q > "$tmp/run$jobs.log" 2>&1 &
    job=$!
    pids+=($job)
    jobid=""
    for _ in $(seq 1 300); do
        jobid=$(status | jq -r '[.nodes[].processes[]][0].jobId // empty' 2>/dev/null || true)
        [[ -n $jobid && $(where "$jobid" | wc -l) == "$ranks" ]] && break
        sleep 0.2
    done
    hung=no job_moves=0
    while kill -0 "$job" 2>/dev/null && [[ $hung == no ]] && (( done_moves < moves_goal || pair_rounds < pairs_goal )); do
        rounds=$((rounds + 1))
        mapfile -t at < <(where "$jobid")
        (( ${#at[@]} == ranks )) || { sleep 0.2; continue; }   # a replacement not registered yet
        r1=$((RANDOM % ranks))
        case $((rounds % 4)) in 0 | 1) kind=pair ;; 2) kind=repeat ;; *) kind=single ;; esac
        before=$(progress "$jobid")
        t0=$(date +%s%N)
        if [[ $kind == pair ]]; then
            r2=$(( (r1 + 1 + RANDOM % (ranks - 1)) % ranks ))
            f1=$(host_of $r1) f2=$(host_of $r2)
            d1=$(random_target "$f1") d2=$(random_target "$f2")
            order "$jobid" $r1 "$d1" "$tmp/o1" & o1=$!
            order "$jobid" $r2 "$d2" "$tmp/o2" & o2=$!
            wait $o1 $o2 || true
            record $jobs $rounds pair $r1 "$f1" "$d1" "$tmp/o1"
            record $jobs $rounds pair $r2 "$f2" "$d2" "$tmp/o2"
            pair_rounds=$((pair_rounds + 1))
        else
            n=1; [[ $kind == repeat ]] && n=3
            f1=$(host_of $r1)
            for k in $(seq 1 $n); do
                d1=$(random_target "$f1")
                order "$jobid" $r1 "$d1" "$tmp/o1"
                record $jobs $rounds $kind $r1 "$f1" "$d1" "$tmp/o1"
                grep -q '"phase":"DONE"' "$tmp/o1" && f1=$d1 || break
            done
        fi
        # orders the job's end overtook are not failures of a move: the agent says so, or the job is gone
        gone=0; kill -0 "$job" 2>/dev/null || gone=1
        awk -F'\t' -v OFS='\t' -v j=$jobs -v r=$rounds -v e=$gone '$1 == j && $2 == r && $7 == "FAILED" &&
            ($15 ~ /finalized \(the job ended\)/ || (e && $15 ~ /no replacement reported|no longer registered|has no process registered/)) {$7 = "ENDED"} 1' \
            "$raw" > "$raw.tmp" && mv "$raw.tmp" "$raw"
        got=$(awk -F'\t' -v j=$jobs -v r=$rounds '$1 == j && $2 == r && $7 == "DONE"' "$raw" | wc -l)
        job_moves=$((job_moves + got)); done_moves=$((done_moves + got))
        # no stream may stay open past the bound, and the job must go on
        if (( $(ms "$t0") > (hang_s + 80) * 1000 )) && kill -0 "$job" 2>/dev/null; then hung=yes; break; fi
        t1=$(date +%s%N)
        while kill -0 "$job" 2>/dev/null; do
            [[ $(progress "$jobid") -gt $before ]] && break
            (( $(ms "$t1") > hang_s * 1000 )) && { hung=yes; break; }
            sleep 0.5
        done
        echo "job $jobs round $rounds $kind: $got done (moves $done_moves, pair rounds $pair_rounds)"
    done
    rc=running
    if [[ $hung == no ]]; then   # the rest of the job's iterations: a hang is no progress within hang_s
        last=$(progress "$jobid") t1=$(date +%s%N)
        while :; do
            if ! kill -0 "$job" 2>/dev/null; then wait "$job" && rc=0 || rc=$?; break; fi
            now=$(progress "$jobid")
            [[ $now -gt $last ]] && { last=$now; t1=$(date +%s%N); }
            (( $(ms "$t1") > hang_s * 1000 )) && { hung=yes; break; }
            sleep 0.5
        done
    fi
    if [[ $hung == yes ]]; then
        hangs=$((hangs + 1)); rc=killed
        echo "job $jobs: HANG; stacks in $stacks"
        dump_stacks $jobs "$job"
        kill_job "$job"
    else
        ended=$((ended + 1))
        [[ $rc == 75 ]] && stalled=$((stalled + 1))
    fi
    same=NO
    cmp -s "$tmp/grid.bin" "$tmp/expected.bin" && { same=yes; exact=$((exact + 1)); }
    if [[ $rc != 0 || $same == NO ]]; then   # keep what a failed job left: roam run's output, the agents' logs
        kept=benchmarks/results/migration-stress-failed/job$jobs
        mkdir -p "$kept"
        cp "$tmp/run$jobs.log" "$tmp"/agent?.log "$kept/" 2>/dev/null || true
    fi
    kill "$noise" 2>/dev/null || true; noise=""
    job_lines+=("| $jobs | h$noisy | $job_moves | $rc | $same |")
    echo "job $jobs: $job_moves moves, mpirun $rc, bit-exact $same"
    sleep 1
done
elapsed=$(( $(date +%s) - start ))

# p50 / p99 / max of column $1 over the DONE lines matching kind $2 (regex)
# "p50 | p99 | max | n" of the numbers on stdin
percentiles() { sort -g | awk '{v[NR]=$1} END {if (!NR) {print "- | - | - | 0"; exit}
    i50 = int((NR * 50 + 99) / 100); i99 = int((NR * 99 + 99) / 100)
    printf "%.1f | %.1f | %.1f | %d", v[i50], v[i99], v[NR], NR}'; }
pct() { awk -F'\t' -v c="$1" -v k="$2" 'NR > 1 && $7 == "DONE" && $3 ~ k && $c != "-" {print $c}' "$raw" | percentiles; }
count() { awk -F'\t' -v o="$1" 'NR > 1 && $7 == o' "$raw" | wc -l; }
fpct() { awk -F'\t' -v k="$1" -v c="${3:-2}" '$1 == k {print $c}' "$tmp/${2:-floor}.tsv" | percentiles; }
# PCM's column $2 (merge + split 10, spawn 9): its p50 ($1 = 1) or p99 (2) as a multiple of that
# of the noisy floor named by $3 ("floor" or "spawn_floor 2" for its merge, "spawn_floor 3" its spawn)
ratio() { local a b; a=$(pct "$2" . | cut -d'|' -f"$1"); b=$(fpct noisy $3 | cut -d'|' -f"$1")
    awk -v a="$a" -v b="$b" 'BEGIN {if (b + 0 > 0) printf "%.1f x", a / b; else print "-"}'; }
mib=$(awk -F'\t' 'NR > 1 && $7 == "DONE" && $14 != "-" {print $14 / 1048576; exit}' "$raw")
{
    results_header "Migration stress: simultaneous and repeated orders under CPU noise" benchmarks/migration-stress.sh \
        "${STALL_MS:+STALL_MS=$STALL_MS }benchmarks/migration-stress.sh $moves_goal $pairs_goal $iterations $hang_s (after make, as root)"
    echo "| libpcm | $(git log -1 --format='%h %s' -- pcm-native/src/main/c | cut -c1-100) |"
    echo "| wall time | $elapsed s |"
    echo "| load average (1, 5, 15 min) at the start, at the end | $load_before; $(cut -d' ' -f1-3 /proc/loadavg) |"
    echo
    echo "Jobs of heat (C, $ranks ranks, ${rows} x ${cols}, $iterations iterations: ${mib:-16} MiB of state per rank) under"
    echo "\`roam run\` on three namespace hosts (agents with stealing off, 2 slots each), one after the"
    echo "other. Each job gets rounds of orders (\`POST /api/migrate\`, as \`roam migrate\` sends them) to"
    echo "random targets until it ends: *pair*, two ranks ordered at the same moment; *repeat*, one"
    echo "rank three times in a row; *single*. A busy loop runs in one host's CPU cgroup (a different"
    echo "host each job), so 5 ranks, the noise and the agents share $(nproc) cores. A hang is no"
    echo "progress of the job (iterations in the heartbeats, or an order's stream) within $hang_s s;"
    echo "its stacks go to \`$(basename "$stacks")\`, and the job is killed. Times are libpcm's (the"
    echo "DONE line's \`times\`): *merge + split* from the spawn's return to the new world made"
    echo "(metadata, the two merges, MPI_Intercomm_create or its replacement, MPI_Comm_split),"
    echo "*total* from the order's arrival in the process to the replacement resumed with its state."
    echo
    echo "| measure | value |"
    echo "|---|---|"
    echo "| migrations done | $done_moves |"
    echo "| pair rounds (two orders at once) | $pair_rounds |"
    echo "| orders queued behind another of the job | $(grep -c '(queued)' "$raw" || true) |"
    echo "| orders FAILED / no end | $(count FAILED) / $(count NONE) |"
    echo "| orders the job's end overtook (accepted, the job finished first) | $(count ENDED) |"
    echo "| jobs | $jobs |"
    echo "| hangs | $hangs |"
    echo "| jobs ended by themselves | $ended |"
    echo "| of them ended by libpcm's stall bound (exit 75: a reconfiguration stalled) | $stalled |"
    echo "| final grids bit-exact | $exact of $jobs |"
    echo
    echo "| time (ms) | p50 | p99 | max | n |"
    echo "|---|---:|---:|---:|---:|"
    echo "| merge + split, all | $(pct 10 .) |"
    echo "| merge + split, pair rounds | $(pct 10 pair) |"
    echo "| order to resumed, all | $(pct 13 .) |"
    echo "| order to resumed, pair rounds | $(pct 13 pair) |"
    echo "| decide (order to agreement) | $(pct 8 .) |"
    echo "| spawn | $(pct 9 .) |"
    echo "| state transfer after the merge | $(pct 11 .) |"
    echo
    echo "The floor in the same run (\`benchmarks/c/comm_floor.c\`, under \`roam run\` on the same hosts"
    echo "and agents, before the jobs): the same 5 ranks, all waiting, make the four communicator"
    echo "constructions of a merge + split (a split of the world, MPI_Intercomm_create,"
    echo "MPI_Intercomm_merge, a split of the merged communicator), without PCM and without a spawn;"
    echo "the largest of the ranks' times per repetition, $floor_reps repetitions without noise and"
    echo "$floor_reps with the busy loop in each host's cgroup in turn."
    echo
    echo "| floor (ms) | p50 | p99 | max | n |"
    echo "|---|---:|---:|---:|---:|"
    echo "| without noise | $(fpct quiet) |"
    echo "| a busy loop in one host's cgroup | $(fpct noisy) |"
    echo "| merge + split / the noisy floor | $(ratio 1 10 floor) | $(ratio 2 10 floor) | | |"
    echo
    echo "The spawn floor in the same run (\`benchmarks/c/spawn_floor.c\`, the same way): each repetition"
    echo "one of the 5 ranks in turn spawns a process of the same small program onto the hosts in turn"
    echo "(MPI_Comm_spawn over MPI_COMM_SELF), and the world builds it in as libpcm does (the daemon sync,"
    echo "MPI_Intercomm_merge with it, MPI_Intercomm_create through the pair, MPI_Intercomm_merge,"
    echo "MPI_Comm_split without the spawning rank), without PCM, state or agent: *merge* from the spawn's"
    echo "return to the last process's end of the split, as libpcm's merge + split is timed."
    echo
    echo "| spawn floor (ms) | p50 | p99 | max | n |"
    echo "|---|---:|---:|---:|---:|"
    echo "| spawn, without noise | $(fpct quiet spawn_floor 3) |"
    echo "| spawn, a busy loop in one host's cgroup | $(fpct noisy spawn_floor 3) |"
    echo "| merge, without noise | $(fpct quiet spawn_floor 2) |"
    echo "| merge, a busy loop in one host's cgroup | $(fpct noisy spawn_floor 2) |"
    echo "| PCM's spawn / the noisy spawn floor's | $(ratio 1 9 "spawn_floor 3") | $(ratio 2 9 "spawn_floor 3") | | |"
    echo "| PCM's merge + split / the noisy spawn floor's merge | $(ratio 1 10 "spawn_floor 2") | $(ratio 2 10 "spawn_floor 2") | | |"
    echo
    echo "| job | noisy host | moves | mpirun exit | bit-exact |"
    echo "|---:|---|---:|---|---|"
    printf '%s\n' "${job_lines[@]}"
    echo
    echo "Orders that did not end DONE (first 20):"
    echo
    awk -F'\t' 'NR > 1 && $7 != "DONE" {printf "- job %s round %s %s rank %s: %s %s\n", $1, $2, $3, $4, $7, $15}' "$raw" | head -20
} > "$out"
echo "wrote $out: $done_moves moves, $pair_rounds pair rounds, $hangs hangs, $exact of $jobs bit-exact"
[[ $hangs == 0 && $exact == "$jobs" ]]
