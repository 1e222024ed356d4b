#!/usr/bin/env bash
# Wall time of `p2p --query` against a running node (target: at most 0.5 s), through the launcher scripts/p2p as a
# user runs it. Starts its own node on loopback (test network: proof of work lowered), registers a name, times
# RUNS queries (default 20) and prints min / median / p90 / max; stops the node it started.
#
#   scripts/bench-query.sh [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-20}"
[[ "$RUNS" =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] && [ "$RUNS" -le 1000 ] || { echo "usage: $0 [RUNS 1..1000]" >&2; exit 2; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/p2p-bench.XXXXXX")"
NODE_PID=""
cleanup() {
  if [ -n "$NODE_PID" ]; then
    kill -TERM "$NODE_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$NODE_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$ROOT/scripts/p2p" --version >/dev/null     # build on first use
export P2P_DATA_DIR="$WORK/node" P2P_NETWORK_ID_DIFFICULTY=4 P2P_NETWORK_NAME_DIFFICULTY=4 P2P_BIND=127.0.0.1
echo "bench-query: test network (proof of work lowered to 4 bits); node data in $WORK/node" >&2
"$ROOT/scripts/p2p" --start-node --port 0 --no-dns --quiet >"$WORK/node.log" 2>&1 &
NODE_PID=$!
for _ in $(seq 1 300); do [ -s "$WORK/node/control.port" ] && break; sleep 0.2; done
[ -s "$WORK/node/control.port" ] || { echo "bench-query: the node did not start; log:" >&2; tail "$WORK/node.log" >&2; exit 1; }
"$ROOT/scripts/p2p" --register bench.p2p --a 192.0.2.44 --quiet
# one untimed run creates the launcher's class-data-sharing archive if it is missing
"$ROOT/scripts/p2p" --query bench.p2p >/dev/null

times=()
cpus=()
for _ in $(seq 1 "$RUNS"); do
  start=$(date +%s%N)
  out="$( { TIMEFORMAT='%U %S'; time "$ROOT/scripts/p2p" --query bench.p2p --type A 2>/dev/null; } 2>"$WORK/time")"
  end=$(date +%s%N)
  [ "$out" = "$(printf 'bench.p2p.\t3600\tIN\tA\t192.0.2.44')" ] || { echo "bench-query: unexpected answer: $out" >&2; exit 1; }
  times+=($(( (end - start) / 1000000 )))
  cpus+=($(awk '{printf "%d", ($1 + $2) * 1000}' "$WORK/time"))
done
stats() {
  local sorted=($(printf '%s\n' "$@" | sort -n)) n=$#
  local p90=$(( (n * 9 + 9) / 10 - 1 ))
  echo "min ${sorted[0]} median ${sorted[$((n / 2))]} p90 ${sorted[$p90]} max ${sorted[$((n - 1))]}"
}
echo "p2p --query against a running node, $RUNS runs, wall time (ms): $(stats "${times[@]}")"
echo "  CPU time of the query process, user + system (ms): $(stats "${cpus[@]}")"
echo "  machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
