#!/usr/bin/env bash
# A local p2pdns network on loopback: an introduction server and N node processes (ports chosen free), a name
# registered on the last node and resolved with dig through the first node's DNS bridge. Runs until Ctrl-C, or exits
# after the check with --exit. Kills only the processes it started. Bounded: every wait has a deadline.
#
#   scripts/cluster.sh N [--exit]        N in 1..50 (default 5)
#
# Environment: P2P_CLUSTER_DIFFICULTY (proof-of-work bits of this test network, default 4),
# P2P_CLUSTER_KEEP=1 (keep the work directory with logs), P2P_CLUSTER_JAVA_OPTS (JVM options of each process).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-5}"
EXIT_AFTER=0
[ "${2:-}" = "--exit" ] && EXIT_AFTER=1
if ! [[ "$N" =~ ^[0-9]+$ ]] || [ "$N" -lt 1 ] || [ "$N" -gt 50 ]; then
  echo "usage: scripts/cluster.sh N [--exit]   (N nodes, 1..50)" >&2
  exit 2
fi
command -v dig >/dev/null 2>&1 || { echo "cluster.sh: dig is needed (apt-get install bind9-dnsutils)" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/p2p-cluster.XXXXXX")"
PIDS=()
STOPPING=0
cleanup() {
  STOPPING=1
  trap - INT TERM
  if [ "${#PIDS[@]}" -gt 0 ]; then
    echo "cluster: stopping ${#PIDS[@]} processes" >&2
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    deadline=$((SECONDS + 25))
    for pid in "${PIDS[@]}"; do
      while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
      kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
  fi
  if [ "${P2P_CLUSTER_KEEP:-0}" = 1 ]; then echo "cluster: logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a port free for both UDP and TCP on 127.0.0.1 (the bridge listens on both)
free_port() { python3 "$ROOT/scripts/free-port.py"; }

"$ROOT/scripts/p2p" --version >/dev/null   # builds the jar on first use
JAR="$ROOT/cli/target/p2p.jar"
JOPTS=(${P2P_CLUSTER_JAVA_OPTS:--Xmx128m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1})
p2p() { java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -jar "$JAR" "$@"; }

DIFF="${P2P_CLUSTER_DIFFICULTY:-4}"
export P2P_NETWORK_ID_DIFFICULTY="$DIFF" P2P_NETWORK_NAME_DIFFICULTY="$DIFF" P2P_BIND=127.0.0.1
echo "cluster: test network, proof-of-work difficulty lowered to $DIFF bits; work directory $WORK" >&2

INTRO_PORT="$(free_port)"
STUN_PORT="$(free_port)"
java "${JOPTS[@]}" -jar "$JAR" --intro-server --intro-bind 127.0.0.1 --intro-port "$INTRO_PORT" --stun-port "$STUN_PORT" \
  --data-dir "$WORK/intro" >"$WORK/intro.log" 2>&1 &
PIDS+=($!)
export P2P_STUN="127.0.0.1:$STUN_PORT"   # the nodes' NAT checks use this cluster's STUN responder, not port 3478
echo "cluster: introduction server on 127.0.0.1:$INTRO_PORT, STUN on 127.0.0.1:$STUN_PORT (pid $!)" >&2

FIRST_PORT="$(free_port)"
DNS_PORT="$(free_port)"
for i in $(seq 1 "$N"); do
  dir="$WORK/node$i"
  if [ "$i" = 1 ]; then
    args=(--start-node --port "$FIRST_PORT" --dns "127.0.0.1:$DNS_PORT" --intro "127.0.0.1:$INTRO_PORT")
  else
    args=(--start-node --port 0 --no-dns --intro "127.0.0.1:$INTRO_PORT" --bootstrap "127.0.0.1:$FIRST_PORT")
  fi
  java "${JOPTS[@]}" -jar "$JAR" "${args[@]}" --data-dir "$dir" >"$WORK/node$i.log" 2>&1 &
  PIDS+=($!)
done
echo "cluster: started $N nodes; node 1 on udp 127.0.0.1:$FIRST_PORT with its DNS bridge on 127.0.0.1:$DNS_PORT" >&2

deadline=$((SECONDS + 120))
for i in $(seq 1 "$N"); do
  while [ ! -s "$WORK/node$i/control.port" ]; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "cluster: node $i did not start within 120 s; its log:" >&2; tail -20 "$WORK/node$i.log" >&2; exit 1
    fi
    sleep 0.3
  done
done
echo "cluster: all $N nodes are up" >&2

want=$(( N - 1 < 20 ? N - 1 : 20 ))
while :; do
  size="$(p2p --status --json --data-dir "$WORK/node1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["routingTableSize"])' 2>/dev/null || echo 0)"
  [ "$size" -ge "$want" ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then echo "cluster: node 1 knows only $size peers after 120 s" >&2; break; fi
  sleep 1
done
echo "cluster: node 1's routing table holds $size contacts" >&2

NAME="cluster.p2p"
p2p --register "$NAME" --a 10.11.12.13 --txt "registered on node $N" --ttl 60 --data-dir "$WORK/node$N"
answer=""
deadline=$((SECONDS + 30))
while [ "$SECONDS" -lt "$deadline" ]; do
  answer="$(dig @127.0.0.1 -p "$DNS_PORT" "$NAME" A +short +time=3 +tries=1 2>/dev/null || true)"
  [ "$answer" = "10.11.12.13" ] && break
  sleep 1
done
echo "cluster: dig @127.0.0.1 -p $DNS_PORT $NAME A +short  ->  ${answer:-no answer}"
ok=0
[ "$answer" = "10.11.12.13" ] && ok=1

if [ "$EXIT_AFTER" = 1 ]; then
  [ "$ok" = 1 ] && { echo "cluster: OK"; exit 0; }
  echo "cluster: FAILED: the name did not resolve through the bridge" >&2
  P2P_CLUSTER_KEEP=1
  exit 1
fi
echo "cluster: running; try: dig @127.0.0.1 -p $DNS_PORT $NAME"
echo "cluster: or: java -jar $JAR --query $NAME --data-dir $WORK/node2 ; Ctrl-C stops everything"
while [ "$STOPPING" = 0 ]; do sleep 1; done
