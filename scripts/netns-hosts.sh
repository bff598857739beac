#!/usr/bin/env bash
# netns-hosts.sh - several "hosts" on this machine, one network namespace each, joined
# by a bridge, for tests of MPI across hosts. Needs root and iproute2.
#
#   netns-hosts.sh up PREFIX N [SUBNET]   create PREFIX-h1..PREFIX-hN, print "name ip" lines
#   netns-hosts.sh down PREFIX            remove everything named PREFIX-*
#   netns-hosts.sh rsh-agent PREFIX FILE  write an rsh agent for mpirun (--mca plm_rsh_agent)
#   netns-hosts.sh exec PREFIX I CMD...   run CMD on host I (1-based)
#
# A host is a network namespace plus a UTS namespace whose host name is the host's address
# (also exported as ROAM_HOST): processes of different hosts must not share a host name,
# or Open MPI's shared-memory segments in the common /dev/shm collide.
#
# Host i gets SUBNET.i (default subnet 10.231.0); the bridge lives in a namespace of its
# own (PREFIX-br) so the root namespace is untouched. Callers remove what they made:
# trap "netns-hosts.sh down PREFIX" EXIT.
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

down() {
    for ns in $(ip netns list | awk '{print $1}' | grep -E "^$prefix-(h[0-9]+|br)$" || true); do
        ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
        ip netns del "$ns" 2>/dev/null || true
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
exec ip netns exec "\$ns" unshare --uts /bin/sh -c "hostname \$host && export ROAM_HOST=\$host && \$*"
AGENT
    chmod +x "$file"
}

on_host() {
    local i=${1:?host index required}; shift
    local ns="$prefix-h$i" addr
    addr=$(ip -n "$ns" -o -4 addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)
    [[ -n $addr ]] || { echo "no host $ns" >&2; exit 2; }
    exec ip netns exec "$ns" unshare --uts /bin/sh -c 'hostname "$0" && export ROAM_HOST="$0" && exec "$@"' "$addr" "$@"
}

case $cmd in
    up) up "${@:3}" ;;
    exec) on_host "${@:3}" ;;
    down) down ;;
    rsh-agent) rsh_agent "${@:3}" ;;
    *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
