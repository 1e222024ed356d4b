#!/bin/bash
# natlab.sh - build a tiny "internet with two NATs" out of Linux network namespaces (p2pdns NAT lab, adapted from
# the reference recipe; the lab tests in introduction-server drive it, see docs/nat-traversal.md).
#
#   natlab.sh up   [ID]          create (idempotent: tears down an old lab with the same ID first; ~0.2 s)
#   natlab.sh down [ID]          delete everything of lab ID (idempotent)
#   natlab.sh nat  ID A|B MODE   (re)program NAT router A or B with MODE (see nat_rules)
#   natlab.sh ns   ID NAME       print the netns name for NAME (pub|natA|natB|hostA|hostB)
#   natlab.sh stun ID            start coturn (STUN only, RFC 5780 with 2 IPs) in pub on 198.51.100.10/.11:3478
#   natlab.sh upnp ID A|B        start miniupnpd (UPnP IGD + NAT-PMP) in natA/natB (needs "stun" first;
#                                "nat" re-creates the NAT table and drops the STUN exception again)
#   natlab.sh check              exit 0 when every tool the lab needs is installed and we are root
#   natlab.sh exec ID NAME CMD.. run CMD inside namespace NAME of lab ID
#
# ID defaults to $NATLAB_ID or "0". Netns names are "nl<ID>-<role>", e.g. nl0-hostA.
# Every veth is created *inside* lab namespaces (ip -n X link add ... peer ... netns Y),
# nothing is created in the root namespace, and no lab namespace has a route off the box.
#
#                     pub  (bridge br0 203.0.113.254/24; coturn on 198.51.100.10 + .11, our intro servers on .20
#                           and .21, a public (un-NATed) DHT node on .30)
#                    /   \
#   natA wan 203.0.113.1   natB wan 203.0.113.2
#   natA lan 192.0.2.1/26  natB lan 192.0.2.65/26
#         |                      |
#   hostA 192.0.2.10/26    hostB 192.0.2.74/26
set -euo pipefail

ID=${2:-${NATLAB_ID:-0}}
P="nl${ID}"
PUB=$P-pub; NATA=$P-natA; NATB=$P-natB; HOSTA=$P-hostA; HOSTB=$P-hostB
ALL=("$PUB" "$NATA" "$NATB" "$HOSTA" "$HOSTB")
RUN=${NATLAB_RUN:-/tmp/natlab-run}/$ID      # logs, pid files, generated configs

SRV1=198.51.100.10   # introduction server / STUN primary
SRV2=198.51.100.11   # STUN alternate address (RFC 5780)
SRV3=198.51.100.20   # the p2pdns introduction server (intro port + its own STUN responder)
SRV4=198.51.100.21   # a second introduction server (nodes registered at different servers)
PUBNODE=198.51.100.30  # a public DHT node without NAT

nx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

down() {
    local ns pid
    for ns in "${ALL[@]}"; do
        [ -e "/run/netns/$ns" ] || continue
        # kill only processes living in *this* namespace
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
    done
    for ns in "${ALL[@]}"; do
        [ -e "/run/netns/$ns" ] || continue
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
        ip netns del "$ns"
    done
    rm -rf "$RUN"
}

# NAT modes (per router):
#  cone        EIM mapping (masquerade keeps the port) + APDF filtering, unsolicited inbound silently dropped
#  cone-icmp   like cone but WITHOUT the drop: router answers unsolicited packets with ICMP port-unreachable
#              (the inbound conntrack entry gets confirmed -> may steal the port, see report)
#  restricted  EIM + address-dependent filtering (dynamic nft map: remote-ip.ext-port -> internal host)
#  fullcone    EIM + endpoint-independent filtering (dynamic nft map: ext-port -> internal host)
#  symmetric   APDM: masquerade random  (new external port for every new destination) + APDF, drop
#  symmetric-full   APDM: masquerade fully-random + APDF, drop
#  none        no NAT at all (router forwards, public cannot route back to 192.0.2.x anyway)
nat_rules() {
    local mode=$1 masq="masquerade" drop="yes" fc="" rc="" fcl="" rcl=""
    case $mode in
        cone) ;;
        cone-icmp) drop="" ;;
        restricted) rc=1 ;;
        fullcone) fc=1 ;;
        symmetric) masq="masquerade random" ;;
        symmetric-full) masq="masquerade fully-random" ;;
        none) masq=""; drop="" ;;
        *) echo "unknown NAT mode $mode" >&2; return 1 ;;
    esac
    # (built here because a '}' inside ${x:+...} would end the expansion)
    [ -n "$fc" ] && fcl='oifname "wan" meta l4proto udp update @fc { udp sport : ct original ip saddr . ct original proto-src }'
    [ -n "$rc" ] && rcl='oifname "wan" meta l4proto udp update @rc { ip daddr . udp sport : ct original ip saddr . ct original proto-src }'
    cat <<EOF
table ip natlab {
    # ext-port -> lan-ip . lan-port  /  remote-ip . ext-port -> lan-ip . lan-port
    map fc { type inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 120s; }
    map rc { type ipv4_addr . inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 120s; }
    chain nat_pre {
        type nat hook prerouting priority dstnat; policy accept;
        ${fc:+iifname "wan" meta l4proto udp dnat to udp dport map @fc}
        ${rc:+iifname "wan" meta l4proto udp dnat to ip saddr . udp dport map @rc}
    }
    chain nat_post {
        type nat hook postrouting priority srcnat; policy accept;
        ${masq:+oifname "wan" $masq}
    }
    chain post_learn {
        # runs after srcnat: udp sport is the external port, ct original saddr/proto-src the LAN endpoint
        type filter hook postrouting priority 200; policy accept;
        $fcl
        $rcl
    }
    chain filter_fwd {
        type filter hook forward priority filter; policy accept;
        iifname "wan" ct state established,related accept
        iifname "wan" ct status dnat accept
        ${drop:+iifname "wan" drop}
    }
    chain filter_in {
        type filter hook input priority filter; policy accept;
        iifname "wan" ct state established,related accept
        iifname "wan" icmp type echo-request accept
        ${drop:+iifname "wan" drop}
    }
}
EOF
}

set_nat() {  # set_nat <ns> <mode>
    local ns=$1 mode=$2
    nx "$ns" nft delete table ip natlab 2>/dev/null || true
    nat_rules "$mode" | nx "$ns" nft -f -
    # forget old mappings so the new behaviour applies to every flow
    if command -v conntrack >/dev/null; then nx "$ns" conntrack -F >/dev/null 2>&1 || true; fi
}

start_stun() {
    mkdir -p "$RUN"
    nx "$PUB" turnserver -n --stun-only -L $SRV1 -L $SRV2 -p 3478 --no-cli --no-tls --no-dtls \
        --simple-log --no-stdout-log --log-file "$RUN/turn.log" --pidfile "$RUN/turn.pid" \
        >/dev/null 2>&1 &
    local i; for i in $(seq 50); do       # wait until it listens on both addresses
        [ "$(nx "$PUB" ss -Hlun "sport = :3478" | wc -l)" -ge 2 ] && return 0; sleep 0.1
    done
    echo "coturn did not start, see $RUN/turn.log*" >&2; return 1
}

start_upnp() {   # start_upnp A|B
    local side=$1 ns lannet
    if [ "$side" = A ]; then ns=$NATA lannet=192.0.2.0/26; else ns=$NATB lannet=192.0.2.64/26; fi
    mkdir -p "$RUN"
    # miniupnpd's nft backend expects these (Debian's nft_init.sh is broken: it sources the iptables helper)
    nx "$ns" nft delete table inet filter 2>/dev/null || true
    printf '%s\n' 'table inet filter {' \
        '  chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }' \
        '  chain miniupnpd { }' \
        '  chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }' \
        '  chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }' \
        '  chain prerouting_miniupnpd { }' \
        '  chain postrouting_miniupnpd { }' \
        '}' | nx "$ns" nft -f -
    # 203.0.113.x is TEST-NET-3, which miniupnpd 2.3.1 treats as "reserved" -> it refuses to forward
    # unless its STUN check says the address is public and unfiltered. Let the STUN replies
    # (incl. RFC 5780 changed-address ones) reach the router itself.
    nx "$ns" nft insert rule ip natlab filter_in iifname wan ip saddr "{ $SRV1, $SRV2 }" \
        udp sport "{ 3478, 3479 }" accept
    printf '%s\n' "ext_ifname=wan" "listening_ip=lan" "http_port=5000" "enable_natpmp=yes" \
        "enable_upnp=yes" "secure_mode=yes" "system_uptime=yes" \
        "uuid=$(cat /proc/sys/kernel/random/uuid)" \
        "ext_perform_stun=yes" "ext_stun_host=$SRV1" "ext_stun_port=3478" \
        "upnp_table_name=filter" "upnp_nat_table_name=filter" "upnp_forward_chain=miniupnpd" \
        "upnp_nat_chain=prerouting_miniupnpd" "upnp_nat_postrouting_chain=postrouting_miniupnpd" \
        "allow 1024-65535 $lannet 1024-65535" "deny 0-65535 0.0.0.0/0 0-65535" \
        > "$RUN/miniupnpd-$side.conf"
    nx "$ns" miniupnpd -d -f "$RUN/miniupnpd-$side.conf" -P "$RUN/miniupnpd-$side.pid" \
        >"$RUN/miniupnpd-$side.log" 2>&1 &
    local i; for i in $(seq 100); do      # its STUN check takes ~0.1-3 s
        grep -q "Port forwarding is now enabled" "$RUN/miniupnpd-$side.log" && return 0
        grep -q "Port forwarding is now disabled" "$RUN/miniupnpd-$side.log" && break
        sleep 0.1
    done
    echo "miniupnpd in $ns did not enable port forwarding, see $RUN/miniupnpd-$side.log" >&2
    return 1
}

up() {
    down
    # one "ip -batch" per namespace instead of one process per command: the lab builds in ~0.2 s
    local ns
    printf 'netns add %s\n' "${ALL[@]}" | ip -batch -
    # --- fake internet: bridge in pub, servers on pub's loopback ---
    # NOTE: pub has NO default route -> anything not in the lab is unreachable.
    ip -n "$PUB" -batch - <<EOF
link set lo up
link add br0 type bridge
addr add 203.0.113.254/24 dev br0
link set br0 up
addr add $SRV1/32 dev lo
addr add $SRV2/32 dev lo
addr add $SRV3/32 dev lo
addr add $SRV4/32 dev lo
addr add $PUBNODE/32 dev lo
link add wanA type veth peer name wan netns $NATA
link add wanB type veth peer name wan netns $NATB
link set wanA master br0 up
link set wanB master br0 up
EOF
    local side nat host wanip lanip hostip
    for side in A B; do
        if [ $side = A ]; then nat=$NATA host=$HOSTA wanip=203.0.113.1 lanip=192.0.2.1 hostip=192.0.2.10
        else                   nat=$NATB host=$HOSTB wanip=203.0.113.2 lanip=192.0.2.65 hostip=192.0.2.74; fi
        # wan link: pub:wan$side <-> nat:wan ; lan link: nat:lan <-> host:eth0
        ip -n "$nat" -batch - <<EOF
link set lo up
addr add $wanip/24 dev wan
link set wan up
route add default via 203.0.113.254
link add lan type veth peer name eth0 netns $host
addr add $lanip/26 dev lan
link set lan up
EOF
        ip -n "$host" -batch - <<EOF
link set lo up
addr add $hostip/26 dev eth0
link set eth0 up
route add default via $lanip
EOF
    done
    for ns in "$PUB" "$NATA" "$NATB"; do nx "$ns" sysctl -qw net.ipv4.ip_forward=1; done
    # fresh namespaces: no old table to delete, no conntrack entries to flush
    nat_rules "${NAT_MODE:-cone}" | nx "$NATA" nft -f -
    nat_rules "${NAT_MODE:-cone}" | nx "$NATB" nft -f -
}

case "${1:-}" in
    up)   up ;;
    down) down ;;
    nat)  set_nat "$P-nat$3" "$4" ;;
    stun) start_stun ;;
    upnp) start_upnp "$3" ;;
    ns)   echo "nl$2-$3" ;;
    exec) shift 2; ns=$P-$1; shift; exec ip netns exec "$ns" "$@" ;;
    check)
        [ "$(id -u)" = 0 ] || { echo "natlab: needs root" >&2; exit 1; }
        for t in ip nft turnserver miniupnpd; do
            command -v "$t" >/dev/null || { echo "natlab: $t missing" >&2; exit 1; }
        done ;;
    rules) nat_rules "${2:-cone}" ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
esac
