#!/usr/bin/env bash
# Benchmarks the DNS bridge with dnsperf, and unbound (if installed) serving the same names, on loopback only.
#
# For three query sets (1,000 cached overlay names, 1,000 NXDOMAIN overlay names, 1,000 forwarded names) it prints:
#   - peak throughput without loss: the highest rate of a ladder (RATES) at which dnsperf lost no query and achieved
#     at least 95% of the rate (with 500 queries outstanding, a server that answers late caps dnsperf's rate without
#     losing any);
#   - server CPU per query at a fixed 50,000 queries/s (utime+stime of the server process from /proc/<pid>/stat);
#   - latency p50/p99 at 20,000 queries/s (from dnsperf -v, one line per query), and at 50,000 queries/s;
#   - with unbound: PAIRS rounds of CPU per query at 50,000 q/s, bridge and unbound alternating, and the median ratio;
#     LAT_PAIRS rounds of p99 latency at 20,000 q/s, alternating, and each server's median p99 of whole runs and of a
#     run's typical second (scripts/latency-stats.py); STALLS=1 marks the runs during which dnsperf's CPU stalled;
#     AA_PAIRS rounds of the same between unbound and a second, identical unbound (the spread between equal servers).
# The server runs pinned to CPU 0 and dnsperf to CPU 1 (taskset). Bounded: every dnsperf run lasts DUR seconds.
#
# Usage: scripts/bench-dns.sh
#   env: DUR=5  RATES="20000 50000 80000 100000 120000"  SETS="overlay nxdomain forwarded"  SKIP_UNBOUND=1  PAIRS=3  LAT_PAIRS=3
#        STALLS=1  AA_PAIRS=0
#        JAVA_OPTS="-Xms256m -Xmx512m -XX:+UseSerialGC"  SERVER_CPU=0  CLIENT_CPU=1
#        (add -Dbench.readPacingRate=0 to JAVA_OPTS to measure the bridge without read pacing, on from 30,000 q/s by default)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DUR=${DUR:-5}
RATES=${RATES:-"20000 50000 80000 100000 120000"}
OUT=${OUT:-$ROOT/dns-bridge/target/bench}
SETS=${SETS:-"overlay nxdomain forwarded"}
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx512m -XX:+UseSerialGC"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
mkdir -p "$OUT"

command -v dnsperf >/dev/null || { echo "dnsperf is missing (apt-get install dnsperf)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "taskset is missing (util-linux)" >&2; exit 1; }

echo "== building the bridge and its benchmark main"
mvn -B -q -f "$ROOT/pom.xml" -pl dns-bridge -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$OUT/cp.txt" -Dmdep.includeScope=test >"$OUT/build.log" 2>&1 \
    || { cat "$OUT/build.log" >&2; exit 1; }
CP="$ROOT/dns-bridge/target/classes:$ROOT/dns-bridge/target/test-classes:$(cat "$OUT/cp.txt")"

for i in $(seq 0 999); do echo "name$i.p2p A"; done >"$OUT/q-overlay.txt"
for i in $(seq 0 999); do echo "nx$i.p2p A"; done >"$OUT/q-nxdomain.txt"
for i in $(seq 0 999); do echo "fwd$i.bench.test A"; done >"$OUT/q-forwarded.txt"

CLK_TCK=$(getconf CLK_TCK)
BRIDGE_PID=""
UNBOUND_PID=""
UNBOUND2_PID=""
SAMPLER_PID=""
cleanup() {
  exec 9>&- 2>/dev/null || true
  [ -n "$BRIDGE_PID" ] && kill "$BRIDGE_PID" 2>/dev/null || true
  [ -n "$UNBOUND_PID" ] && kill "$UNBOUND_PID" 2>/dev/null || true
  [ -n "$UNBOUND2_PID" ] && kill "$UNBOUND2_PID" 2>/dev/null || true
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
}
trap cleanup EXIT

# free_port -> a port free for both UDP and TCP on 127.0.0.1
free_port() { python3 "$ROOT/scripts/free-port.py"; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# median "<numbers separated by spaces>" -> the middle one (the lower middle of an even count)
median() { echo "$1" | tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END{print NR ? a[int((NR+1)/2)] : "n/a"}'; }

# dnsperf <port> <file> <rate or 0> -> "sent completed lost qps"
perf() {
  local port=$1 file=$2 rate=$3 args=()
  [ "$rate" != 0 ] && args=(-Q "$rate")
  taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$port" -d "$file" -l "$DUR" -c 4 -q 500 -t 2 "${args[@]}" 2>&1 \
    | awk '/Queries sent:/{s=$3} /Queries completed:/{c=$3} /Queries lost:/{l=$3} /Queries per second:/{q=$4}
           END{printf "%d %d %d %.0f\n", s, c, l, q}'
}

# cpu_per_query <port> <pid> <file> -> server CPU us per completed query of one run at 50,000 q/s
cpu_per_query() {
  local port=$1 pid=$2 file=$3 t0 t1 sent done lost qps
  t0=$(cpu_ticks "$pid")
  read -r sent done lost qps < <(perf "$port" "$file" 50000)
  t1=$(cpu_ticks "$pid")
  awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$done" 'BEGIN{ if (n > 0) printf "%.2f", d * 1e6 / hz / n; else print "0" }'
}

# measure <name> <port> <pid> <file>
measure() {
  local name=$1 port=$2 pid=$3 file=$4 peak=0 peakq=0
  perf "$port" "$file" 0 >/dev/null # warm-up (JIT, caches)
  for rate in $RATES; do
    read -r sent done lost qps < <(perf "$port" "$file" "$rate")
    echo "   $name $(basename "$file" .txt) @${rate}/s: sent $sent, completed $done, lost $lost, ${qps} q/s" >&2
    if [ "$lost" = 0 ] && [ "$sent" -gt 0 ] && awk -v q="$qps" -v r="$rate" 'BEGIN{exit !(q >= 0.95 * r)}'; then
      peak=$rate; peakq=$qps
    else
      break
    fi
  done
  local t0 t1
  t0=$(cpu_ticks "$pid")
  read -r sent done lost qps < <(perf "$port" "$file" 50000)
  t1=$(cpu_ticks "$pid")
  local cpu_us
  cpu_us=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$done" 'BEGIN{ if (n > 0) printf "%.2f", d * 1e6 / hz / n; else print "n/a" }')
  read -r p50 p99 _ < <(latency "$port" "$file" 20000)
  read -r p50b p99b _ < <(latency "$port" "$file" 50000)
  printf "| %s | %s | %s (%s achieved) | %s | %s | %s | %s | %s |\n" "$name" "$(basename "$file" .txt | sed 's/^q-//')" \
    "$peak" "$peakq" "$cpu_us" "$p50" "$p99" "$p50b / $p99b" "$done/$sent lost $lost"
}

# latency <port> <file> <rate> -> "p50_ms p99_ms count p99_ms_of_a_typical_second" of one dnsperf -v run (one line
# per query; scripts/latency-stats.py)
latency() {
  taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$1" -d "$2" -l "$DUR" -c 4 -q 500 -t 2 -Q "$3" -v 2>/dev/null \
    | awk '/^> (NOERROR|NXDOMAIN|SERVFAIL|REFUSED) /{print $NF * 1000}' >"$OUT/latencies.txt"
  python3 "$ROOT/scripts/latency-stats.py" "$OUT/latencies.txt" "$3"
}

echo "== starting the bridge (CPU $SERVER_CPU)"
rm -f "$OUT/bridge.in"
mkfifo "$OUT/bridge.in"
# shellcheck disable=SC2086
taskset -c "$SERVER_CPU" java $JAVA_OPTS -cp "$CP" org.p2pdns.dns.bench.BenchBridgeMain 0 \
    <"$OUT/bridge.in" >"$OUT/bridge.out" 2>&1 &
BRIDGE_PID=$!
exec 9>"$OUT/bridge.in"
for _ in $(seq 1 100); do grep -q READY "$OUT/bridge.out" && break; sleep 0.2; done
grep -q READY "$OUT/bridge.out" || { cat "$OUT/bridge.out" >&2; exit 1; }
read -r _ BRIDGE_PORT UPSTREAM_PORT RCVBUF < <(grep READY "$OUT/bridge.out")
echo "   bridge udp port $BRIDGE_PORT, local upstream port $UPSTREAM_PORT, $RCVBUF"

RESULTS="$OUT/results.md"
{
  echo "| server | query set | highest target rate without loss | CPU us/query @50k q/s | p50 ms @20k | p99 ms @20k | p50 / p99 ms @50k | @50k: completed/sent |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
} >"$RESULTS"
for set in $SETS; do
  measure bridge "$BRIDGE_PORT" "$BRIDGE_PID" "$OUT/q-$set.txt" >>"$RESULTS"
done

if [ -z "${SKIP_UNBOUND:-}" ] && command -v unbound >/dev/null; then
  echo "== starting unbound (CPU $SERVER_CPU) with the same 1,000 names as local-data"
  UPORT=$(free_port)
  mkdir -p "$OUT/unbound"
  {
    echo "server:"
    echo "  interface: 127.0.0.1@$UPORT"
    echo "  port: $UPORT"
    echo "  do-daemonize: no"
    echo "  username: \"\""
    echo "  chroot: \"\""
    echo "  directory: \"$OUT/unbound\""
    echo "  pidfile: \"\""
    echo "  use-syslog: no"
    echo "  verbosity: 0"
    echo "  num-threads: 1"
    echo "  so-rcvbuf: 4m"
    echo "  module-config: \"iterator\""
    echo "  do-not-query-localhost: no"
    echo "  access-control: 127.0.0.0/8 allow"
    echo "  local-zone: \"p2p.\" static"
    # the bridge's zone SOA: with it unbound's NXDOMAIN answers carry the SOA as the bridge's must (RFC 2308),
    # so both servers send the same 81-byte answer (without it unbound sends no authority section: 25 bytes)
    echo "  local-data: \"p2p. 60 IN SOA localhost. hostmaster.p2p. 1 3600 600 86400 60\""
    for i in $(seq 0 999); do echo "  local-data: \"name$i.p2p. 3600 IN A 10.0.$((i / 256)).$((i % 256))\""; done
    echo "forward-zone:"
    echo "  name: \"bench.test.\""
    echo "  forward-addr: 127.0.0.1@$UPSTREAM_PORT"
  } >"$OUT/unbound/unbound.conf"
  unbound-checkconf "$OUT/unbound/unbound.conf" >/dev/null
  # 9>&-: unbound must not hold the bridge's stdin pipe open
  taskset -c "$SERVER_CPU" unbound -d -c "$OUT/unbound/unbound.conf" >"$OUT/unbound/out.log" 2>&1 9>&- &
  UNBOUND_PID=$!
  for _ in $(seq 1 50); do
    dig @127.0.0.1 -p "$UPORT" name1.p2p A +time=1 +tries=1 +short 2>/dev/null | grep -q 10.0.0.1 && break
    sleep 0.2
  done
  if ! kill -0 "$UNBOUND_PID" 2>/dev/null; then
    echo "unbound did not start:" >&2; cat "$OUT/unbound/out.log" >&2; exit 1
  fi
  for set in $SETS; do
    measure unbound "$UPORT" "$UNBOUND_PID" "$OUT/q-$set.txt" >>"$RESULTS"
  done
  # Paired CPU per query: both servers are up (each idle while the other is measured); PAIRS rounds of one 50k q/s run
  # on each, alternating, so a change in the machine's load hits both alike. Prints every pair and the median ratio.
  PAIRS=${PAIRS:-3}
  if [ "$PAIRS" -gt 0 ]; then
    {
      echo
      echo "| query set | CPU us/query @50k, bridge, unbound (alternating pairs) | median bridge/unbound |"
      echo "| --- | --- | --- |"
    } >>"$RESULTS"
    for set in $SETS; do
      pairs="" ratios=""
      # warm both first: the bridge's NXDOMAIN answers (negative TTL 60 s) have expired since the set was measured
      # above, and refreshing 1,000 of them would be counted in the first pair (unbound's local-data never expires)
      perf "$BRIDGE_PORT" "$OUT/q-$set.txt" 0 >/dev/null
      perf "$UPORT" "$OUT/q-$set.txt" 0 >/dev/null
      for _ in $(seq 1 "$PAIRS"); do
        b=$(cpu_per_query "$BRIDGE_PORT" "$BRIDGE_PID" "$OUT/q-$set.txt")
        u=$(cpu_per_query "$UPORT" "$UNBOUND_PID" "$OUT/q-$set.txt")
        pairs="$pairs ${b}/${u}"
        ratios="$ratios $(awk -v b="$b" -v u="$u" 'BEGIN{ if (u > 0) printf "%.3f", b / u; else print "nan" }')"
      done
      echo "   paired $set:$pairs -> ratios$ratios" >&2
      echo "| $set |$pairs | $(median "$ratios") |" >>"$RESULTS"
    done
  fi
  # Paired latency: LAT_PAIRS rounds of one 20,000 q/s run on each server, alternating. Each server's median over its
  # runs of the run's p99, and of the p99 of a typical second of the run (the median over the run's seconds): a stall
  # of a tenth of a second sets a whole run's p99 on this machine (dnsperf's CPU busy in the kernel while the server
  # idles, with unbound as with the bridge; docs/benchmarks.md). With STALLS=1 a sampler (scripts/client-stalls.py,
  # pinned to the server's CPU) also marks the runs during which dnsperf's CPU stalled. AA_PAIRS rounds of the same
  # between unbound and a second, identical unbound show how far two equal servers' figures fall apart here.
  LAT_PAIRS=${LAT_PAIRS:-3}
  AA_PAIRS=${AA_PAIRS:-0}
  if [ -n "${STALLS:-}" ] && [ $((LAT_PAIRS + AA_PAIRS)) -gt 0 ]; then
    : >"$OUT/stalls.txt"
    taskset -c "$SERVER_CPU" python3 "$ROOT/scripts/client-stalls.py" sample "$OUT/stalls.txt" 9>&- &
    SAMPLER_PID=$!
  fi
  # lat_run <port> <file> -> "p99 p99-of-a-typical-second mark" of one 20,000 q/s run; mark is * if dnsperf's CPU
  # stalled (STALLS=1)
  lat_run() {
    local t0 t1 p99 typical
    read -r t0 _ </proc/uptime
    read -r _ p99 _ typical < <(latency "$1" "$2" 20000)
    read -r t1 _ </proc/uptime
    if [ -n "${STALLS:-}" ] \
        && [ "$(python3 "$ROOT/scripts/client-stalls.py" check "$OUT/stalls.txt" "$t0" "$t1" "$CLIENT_CPU")" -gt 0 ]; then
      echo "$p99 $typical *"
    else
      echo "$p99 $typical -"
    fi
  }
  # lat_pairs <rounds> <name a> <port a> <name b> <port b> -> a markdown table, one row per query set
  lat_pairs() {
    local rounds=$1 na=$2 pa=$3 nb=$4 pb=$5 set pairs as bs at bt a atyp amark b btyp bmark
    echo
    echo "| query set | p99 ms @20k, $na/$nb (alternating runs${STALLS:+; * = the dnsperf CPU stalled}) | $na: median p99 of runs / of typical seconds | $nb: median p99 of runs / of typical seconds |"
    echo "| --- | --- | --- | --- |"
    for set in $SETS; do
      pairs="" as="" bs="" at="" bt=""
      for _ in $(seq 1 "$rounds"); do
        read -r a atyp amark < <(lat_run "$pa" "$OUT/q-$set.txt")
        read -r b btyp bmark < <(lat_run "$pb" "$OUT/q-$set.txt")
        as="$as $a" bs="$bs $b" at="$at $atyp" bt="$bt $btyp"
        pairs="$pairs ${a}${amark#-}/${b}${bmark#-}"
      done
      echo "   latency pairs $na/$nb $set:$pairs" >&2
      echo "| $set |$pairs | $(median "$as") / $(median "$at") | $(median "$bs") / $(median "$bt") |"
    done
  }
  if [ "$LAT_PAIRS" -gt 0 ]; then
    lat_pairs "$LAT_PAIRS" bridge "$BRIDGE_PORT" unbound "$UPORT" >>"$RESULTS"
  fi
  if [ "$AA_PAIRS" -gt 0 ]; then
    UPORT2=$(free_port)
    mkdir -p "$OUT/unbound-2"
    sed "s/@$UPORT\$/@$UPORT2/; s/^  port: $UPORT\$/  port: $UPORT2/; s|$OUT/unbound\"|$OUT/unbound-2\"|" \
        "$OUT/unbound/unbound.conf" >"$OUT/unbound-2/unbound.conf"
    taskset -c "$SERVER_CPU" unbound -d -c "$OUT/unbound-2/unbound.conf" >"$OUT/unbound-2/out.log" 2>&1 9>&- &
    UNBOUND2_PID=$!
    for _ in $(seq 1 50); do
      dig @127.0.0.1 -p "$UPORT2" name1.p2p A +time=1 +tries=1 +short 2>/dev/null | grep -q 10.0.0.1 && break
      sleep 0.2
    done
    if ! kill -0 "$UNBOUND2_PID" 2>/dev/null; then
      echo "the second unbound did not start:" >&2; cat "$OUT/unbound-2/out.log" >&2; exit 1
    fi
    for set in $SETS; do perf "$UPORT2" "$OUT/q-$set.txt" 0 >/dev/null; done
    lat_pairs "$AA_PAIRS" unbound "$UPORT" unbound-2 "$UPORT2" >>"$RESULTS"
    kill "$UNBOUND2_PID" 2>/dev/null || true
    UNBOUND2_PID=""
  fi
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
fi

[ -n "$UNBOUND_PID" ] && kill "$UNBOUND_PID" 2>/dev/null || true
UNBOUND_PID=""
exec 9>&-
wait "$BRIDGE_PID" 2>/dev/null || true
BRIDGE_PID=""
grep STATS "$OUT/bridge.out" || true
echo "== results (also in $RESULTS); $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$RESULTS"
