#!/usr/bin/env bash
# Sustained load on the DNS bridge: finds the bridge's peak rate without loss on a mixed query set (1,000 cached
# overlay names, 1,000 NXDOMAIN overlay names, 1,000 names forwarded to a local upstream), then drives it with dnsperf
# at 80% of that peak for MINUTES (default 10) while sampling, every INTERVAL seconds (default 5), the bridge's heap
# (jstat: used heap and old generation) and its open file descriptors (/proc/PID/fd). Prints the loss, the heap trend
# (first vs last minute, least-squares slope) and the fd trend. Loopback only; the bridge is the standalone benchmark
# main of scripts/bench-dns.sh (dns-bridge test sources: org.p2pdns.dns.bench.BenchBridgeMain).
#
#   scripts/soak-dns.sh [MINUTES]      env: INTERVAL=5 RATES="1000 2000 4000 8000 16000 24000 32000 48000 64000" PEAK_DUR=5
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
MINUTES=${1:-10}
INTERVAL=${INTERVAL:-5}
RATES=${RATES:-"1000 2000 4000 8000 16000 24000 32000 48000 64000"}
PEAK_DUR=${PEAK_DUR:-5}
[[ "$MINUTES" =~ ^[0-9]+$ ]] && [ "$MINUTES" -ge 1 ] && [ "$MINUTES" -le 120 ] || { echo "usage: $0 [MINUTES 1..120]" >&2; exit 2; }
OUT=${OUT:-$ROOT/dns-bridge/target/soak}
mkdir -p "$OUT"
for tool in dnsperf jstat; do command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }; done

echo "== building the bridge and its benchmark main" >&2
mvn -B -q -f "$ROOT/pom.xml" -pl dns-bridge -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=test >"$OUT/build.log" 2>&1 \
    || { cat "$OUT/build.log" >&2; exit 1; }
CP="$ROOT/dns-bridge/target/classes:$ROOT/dns-bridge/target/test-classes:$ROOT/p2pnode/target/classes:$ROOT/p2pnode/target/test-classes:$(cat "$OUT/cp.txt")"

{
  for i in $(seq 0 999); do echo "name$i.p2p A"; echo "nx$i.p2p A"; echo "fwd$i.bench.test A"; done
} >"$OUT/q-mixed.txt"

BRIDGE_PID=""
PERF_PID=""
cleanup() {
  exec 9>&- 2>/dev/null || true
  [ -n "$PERF_PID" ] && kill "$PERF_PID" 2>/dev/null || true
  if [ -n "$BRIDGE_PID" ]; then
    kill "$BRIDGE_PID" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting the bridge" >&2
rm -f "$OUT/bridge.in"
mkfifo "$OUT/bridge.in"
java -Xms256m -Xmx512m -cp "$CP" org.p2pdns.dns.bench.BenchBridgeMain 0 <"$OUT/bridge.in" >"$OUT/bridge.out" 2>&1 &
BRIDGE_PID=$!
exec 9>"$OUT/bridge.in"
for _ in $(seq 1 150); do grep -q READY "$OUT/bridge.out" && break; sleep 0.2; done
grep -q READY "$OUT/bridge.out" || { cat "$OUT/bridge.out" >&2; exit 1; }
read -r _ PORT _ RCVBUF < <(grep READY "$OUT/bridge.out")
echo "   bridge pid $BRIDGE_PID, udp port $PORT, $RCVBUF" >&2

# dnsperf <rate or 0> <seconds> -> "sent completed lost"
perf() {
  local args=()
  [ "$1" != 0 ] && args=(-Q "$1")
  dnsperf -s 127.0.0.1 -p "$PORT" -d "$OUT/q-mixed.txt" -l "$2" -c 4 -q 500 -t 2 "${args[@]}" 2>&1 \
    | awk '/Queries sent:/{s=$3} /Queries completed:/{c=$3} /Queries lost:/{l=$3} END{printf "%d %d %d\n", s, c, l}'
}

perf 0 5 >/dev/null   # warm-up: JIT, caches, the upstream's answers
PEAK=0
for rate in $RATES; do
  read -r sent done lost < <(perf "$rate" "$PEAK_DUR")
  echo "   peak search @${rate}/s: sent $sent, completed $done, lost $lost" >&2
  if [ "$lost" = 0 ] && [ "$sent" -gt 0 ]; then PEAK=$rate; else break; fi
done
[ "$PEAK" -gt 0 ] || { echo "the bridge lost queries even at the lowest rate" >&2; exit 1; }
TARGET=$((PEAK * 8 / 10))
SECS=$((MINUTES * 60))
echo "== soak: ${MINUTES} min at ${TARGET} q/s (80% of the highest loss-free rate tried, ${PEAK} q/s)" >&2

heap_kb() { jstat -gc "$BRIDGE_PID" 2>/dev/null | awk 'NR==2{printf "%d %d\n", $3+$4+$6+$8, $8}'; }
fds() { ls "/proc/$BRIDGE_PID/fd" 2>/dev/null | wc -l; }

dnsperf -s 127.0.0.1 -p "$PORT" -d "$OUT/q-mixed.txt" -l "$SECS" -c 4 -q 500 -t 2 -Q "$TARGET" -S 60 \
  >"$OUT/dnsperf.out" 2>&1 &
PERF_PID=$!
echo "t_s used_heap_kb old_gen_kb open_fds" >"$OUT/samples.txt"
t0=$(date +%s)
while kill -0 "$PERF_PID" 2>/dev/null; do
  now=$(( $(date +%s) - t0 ))
  read -r used old < <(heap_kb || echo "0 0")
  echo "$now $used $old $(fds)" >>"$OUT/samples.txt"
  sleep "$INTERVAL"
done
wait "$PERF_PID" || true
PERF_PID=""
read -r sent done lost < <(awk '/Queries sent:/{s=$3} /Queries completed:/{c=$3} /Queries lost:/{l=$3} END{printf "%d %d %d\n", s, c, l}' "$OUT/dnsperf.out")
exec 9>&-
wait "$BRIDGE_PID" 2>/dev/null || true
BRIDGE_PID=""

echo "== results (samples in $OUT/samples.txt; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "duration ${MINUTES} min at ${TARGET} q/s (peak ${PEAK} q/s): sent $sent, completed $done, lost $lost ($(awk -v l="$lost" -v s="$sent" 'BEGIN{ if (s > 0) printf "%.4f", 100 * l / s; else print "n/a" }')%)"
awk 'NR > 1 && $2 > 0 { n++; t[n]=$1; u[n]=$2; o[n]=$3; f[n]=$4 }
  END {
    if (n < 2) { print "too few samples"; exit }
    # first and last minute averages, least-squares slope of used heap and of old gen (MB per minute)
    for (i = 1; i <= n; i++) { if (t[i] <= t[1] + 60) { fu += u[i]; fo += o[i]; ff += f[i]; fn++ }
                               if (t[i] >= t[n] - 60) { lu += u[i]; lo += o[i]; lf += f[i]; ln++ }
                               st += t[i]; su += u[i]; so += o[i]; stt += t[i] * t[i]; stu += t[i] * u[i]; sto += t[i] * o[i];
                               if (f[i] > fmax) fmax = f[i]; if (fmin == 0 || f[i] < fmin) fmin = f[i] }
    d = n * stt - st * st
    su_slope = d ? (n * stu - st * su) / d * 60 / 1024 : 0
    so_slope = d ? (n * sto - st * so) / d * 60 / 1024 : 0
    printf "heap used: first minute %.1f MB, last minute %.1f MB, slope %+.2f MB/min\n", fu / fn / 1024, lu / ln / 1024, su_slope
    printf "old gen:   first minute %.1f MB, last minute %.1f MB, slope %+.2f MB/min\n", fo / fn / 1024, lo / ln / 1024, so_slope
    printf "open fds:  first minute %.1f, last minute %.1f, min %d, max %d (%d samples)\n", ff / fn, lf / ln, fmin, fmax, n
  }' "$OUT/samples.txt"
grep STATS "$OUT/bridge.out" | cut -c1-400 || true
