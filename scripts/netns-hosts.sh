#!/usr/bin/env bash
# netns-hosts.sh - several "hosts" on this machine, one network namespace each, joined
# by a bridge, for tests of MPI across hosts. Needs root and iproute2.
#
#   netns-hosts.sh up PREFIX N [SUBNET]   create PREFIX-h1..PREFIX-hN, print "name ip" lines
#   netns-hosts.sh down PREFIX            remove everything named PREFIX-*
#   netns-hosts.sh rsh-agent PREFIX FILE  write an rsh agent for mpirun (--mca plm_rsh_agent)
#   netns-hosts.sh exec PREFIX I CMD...   run CMD on host I (1-based)
#   netns-hosts.sh cpu PREFIX I CORES     give host I a CPU quota of CORES (e.g. 0.6; "max" =
#                                         none): its processes run in a CPU cgroup of their
#                                         own, roam-PREFIX-hI (cgroup v1 cpu+cpuacct, or v2)
#                                         With NETNS_CPU_WEIGHT=W (1 to 10000, v2's scale: an
#                                         ordinary process has 100) the cgroup gets that CPU
#                                         weight as well (v1: cpu.shares W x 1024 / 100): on a
#                                         busy machine a host then gets its CORES whatever else
#                                         runs, instead of a share of what is left.
#                                         With NETNS_CPU_PERIOD_US=P (1000 to 1000000, default
#                                         100000) the quota is enforced per period of P us: CORES
#                                         x P us of CPU, then the host waits for the next period;
#                                         where CORES x P is under 1 ms (the least quota the
#                                         kernel takes) the period is 1 ms / CORES instead.
#
# A host is a network namespace plus a UTS namespace whose host name is the host's address
# (also exported as ROAM_HOST): processes of different hosts must not share a host name,
# or Open MPI's shared-memory segments in the common /dev/shm collide.
#
# Host i gets SUBNET.i (default subnet 10.231.0); the bridge lives in a namespace of its
# own (PREFIX-br) so the root namespace is untouched. Callers remove what they made:
# trap "netns-hosts.sh down PREFIX" EXIT.
#
# A host with a CPU quota is a CPU cgroup too: "exec" and the rsh agent start processes in
# it, and the agent finds its node's capacity and use there (roam.profiling.cpu-source).
# Changing the quota while the host runs throttles everything on it, as a slow node would be.
set -euo pipefail

cmd=${1:?usage: netns-hosts.sh up|down|rsh-agent PREFIX ...}
prefix=${2:?PREFIX required}
[[ $prefix =~ ^[a-z0-9-]{1,10}$ ]] || { echo "PREFIX must be 1-10 of [a-z0-9-]" >&2; exit 2; }

up() {
    local n=${1:?N required} subnet=${2:-10.231.0}
    ip netns add "$prefix-br"
    ip -n "$prefix-br" link add br0 type bridge
    ip -n "$prefix-br" link set br0 up
    for i in $(seq 1 "$n"); do
        local ns="$prefix-h$i"
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        ip link add "$prefix-v$i" type veth peer name eth0 netns "$ns"
        ip link set "$prefix-v$i" netns "$prefix-br"
        ip -n "$prefix-br" link set "$prefix-v$i" master br0 up
        ip -n "$ns" addr add "$subnet.$i/24" dev eth0
        ip -n "$ns" link set eth0 up
        echo "$ns $subnet.$i"
    done
}

# The cgroup directories of a host (v1: one per controller; v2: one), existing or not.
cg_dirs() {
    local name="roam-$1"
    if [[ -d /sys/fs/cgroup/cpu && -d /sys/fs/cgroup/cpuacct ]]; then
        echo "/sys/fs/cgroup/cpu/$name /sys/fs/cgroup/cpuacct/$name"
    elif [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
        echo "/sys/fs/cgroup/$name"
    fi
}

cpu() {
    local i=${1:?host index required} cores=${2:?CORES required} ns="$prefix-h${1}" d
    local weight=${NETNS_CPU_WEIGHT:-}
    [[ -z $weight || ( $weight =~ ^[0-9]+$ && $weight -ge 1 && $weight -le 10000 ) ]] \
        || { echo "NETNS_CPU_WEIGHT must be 1 to 10000, not $weight" >&2; exit 2; }
    local period=${NETNS_CPU_PERIOD_US:-100000}
    [[ $period =~ ^[0-9]+$ && $period -ge 1000 && $period -le 1000000 ]] \
        || { echo "NETNS_CPU_PERIOD_US must be 1000 to 1000000, not $period" >&2; exit 2; }
    ip netns list | awk '{print $1}' | grep -qx "$ns" || { echo "no host $ns" >&2; exit 2; }
    if [[ $cores != max ]]; then
        [[ $cores =~ ^[0-9]*\.?[0-9]+$ ]] && awk -v c="$cores" 'BEGIN{exit !(c > 0)}' \
            || { echo "CORES must be a number above 0 or max, not $cores" >&2; exit 2; }
        # the kernel refuses a quota under 1 ms per period: a period long enough for 1 ms
        period=$(awk -v c="$cores" -v p="$period" 'BEGIN{if (c*p < 1000) p = int(1000/c + 0.999999); printf "%d", p}')
        (( period <= 1000000 )) || { echo "CORES $cores: under 1 ms per second, below what the kernel enforces" >&2; exit 2; }
    fi
    local dirs; dirs=$(cg_dirs "$ns")
    [[ -n $dirs ]] || { echo "no CPU cgroup controller mounted under /sys/fs/cgroup" >&2; exit 2; }
    for d in $dirs; do mkdir -p "$d"; done
    if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
        grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu > /sys/fs/cgroup/cgroup.subtree_control
        if [[ $cores == max ]]; then echo "max $period" > "$dirs/cpu.max"
        else echo "$(awk -v c="$cores" -v p="$period" 'BEGIN{printf "%d", c*p}') $period" > "$dirs/cpu.max"; fi
        if [[ -n $weight ]]; then echo "$weight" > "$dirs/cpu.weight"; fi
    else
        local q=/sys/fs/cgroup/cpu/roam-$ns
        if [[ $(cat "$q/cpu.cfs_period_us") != "$period" ]]; then
            echo -1 > "$q/cpu.cfs_quota_us"   # first: a period shorter than the quota in force is refused
            echo "$period" > "$q/cpu.cfs_period_us"
        fi
        if [[ $cores == max ]]; then echo -1 > "$q/cpu.cfs_quota_us"
        else awk -v c="$cores" -v p="$period" 'BEGIN{printf "%d\n", c*p}' > "$q/cpu.cfs_quota_us"; fi
        if [[ -n $weight ]]; then echo $((weight * 1024 / 100)) > "$q/cpu.shares"; fi
    fi
}

# Moves this shell into host $1's CPU cgroups, if it has them (before entering its network
# namespace: nsenter, not "ip netns exec", which would hide /sys/fs/cgroup from the host).
join_cg() {
    local d
    for d in $(cg_dirs "$1"); do if [[ -d $d ]]; then echo $$ > "$d/cgroup.procs"; fi; done
}

down() {
    for ns in $(ip netns list | awk '{print $1}' | grep -E "^$prefix-(h[0-9]+|br)$" || true); do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
        for d in $(cg_dirs "$ns"); do
            [[ -d $d ]] || continue
            xargs -r kill -9 < "$d/cgroup.procs" 2>/dev/null || true
            for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$d" 2>/dev/null && break; sleep 0.2; done
        done
    done
}

rsh_agent() {
    local file=${1:?FILE required}
    cat > "$file" <<AGENT
#!/usr/bin/env bash
# rsh agent for mpirun: runs the command "on" a namespace host, chosen by its address.
while [[ \$# -gt 0 && \$1 == -* ]]; do shift; done   # options ssh would take
host=\$1; shift
ns=\$(for n in \$(ip netns list | awk '{print \$1}' | grep -E '^$prefix-h[0-9]+\$'); do
      if ip -n "\$n" -o -4 addr show dev eth0 | grep -q " \$host/"; then echo "\$n"; fi; done)
[[ -n \$ns ]] || { echo "rsh agent: no namespace host has address \$host" >&2; exit 255; }
for d in \$(if [ -d /sys/fs/cgroup/cpu ] && [ -d /sys/fs/cgroup/cpuacct ]; then
             echo /sys/fs/cgroup/cpu/roam-\$ns /sys/fs/cgroup/cpuacct/roam-\$ns
           elif [ -f /sys/fs/cgroup/cgroup.controllers ]; then echo /sys/fs/cgroup/roam-\$ns; fi); do
    # the host's CPU cgroup, if it has one; else the hierarchy's root: not the cgroup of the host
    # mpirun runs on, whose quota would otherwise bind this host's processes too
    if [ -d "\$d" ]; then echo \$\$ > "\$d/cgroup.procs"; else echo \$\$ > "\${d%/*}/cgroup.procs" 2>/dev/null || true; fi
done
exec nsenter --net=/run/netns/\$ns unshare --uts /bin/sh -c "hostname \$host && export ROAM_HOST=\$host && \$*"
AGENT
    chmod +x "$file"
}

on_host() {
    local i=${1:?host index required}; shift
    local ns="$prefix-h$i" addr
    addr=$(ip -n "$ns" -o -4 addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
    [[ -n $addr ]] || { echo "no host $ns" >&2; exit 2; }
    join_cg "$ns"
    exec nsenter --net="/run/netns/$ns" unshare --uts /bin/sh -c 'hostname "$0" && export ROAM_HOST="$0" && exec "$@"' "$addr" "$@"
}

case $cmd in
    up) up "${@:3}" ;;
    exec) on_host "${@:3}" ;;
    down) down ;;
    rsh-agent) rsh_agent "${@:3}" ;;
    cpu) cpu "${@:3}" ;;
    *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
