#!/usr/bin/env bash
# intro-load.sh - load on an introduction server over loopback: signed registrations, rendezvous requests and bad
# packets (malformed, oversized, unsigned) from many 127.1.x.y source addresses, with per-second figures from the
# generator and the server (registrations held, heap, RSS, counters).
#
#   scripts/intro-load.sh [SECONDS] [REG_RATE] [RDV_RATE]      defaults: 60 10000 1000
#
# The server runs as its own JVM (ttl 5 s, so that stale entries expire during the run; per-IP caps raised because
# the generator shares 250 source addresses) and is killed by its pid at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_RUN=${1:-60}; REG=${2:-10000}; RDV=${3:-1000}
OUT=$ROOT/introduction-server/target/load; mkdir -p "$OUT"
cd "$ROOT"
mvn -B -q -o -pl introduction-server -am package -DskipTests \
    dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >/dev/null
CP="introduction-server/target/classes:p2pnode/target/classes:$(cat introduction-server/target/classpath.txt)"
PORT=$((20000 + $$ % 20000))
java -Xmx512m -cp "$CP" org.p2pdns.intro.IntroServerMain --bind 127.0.0.1 --port $PORT --stun-port -1 \
    --ttl 5 --id-difficulty 0 --max-per-ip 1024 --rate 400 --burst 800 --stats 5 > "$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for i in $(seq 100); do grep -q "listening" "$OUT/server.log" && break; sleep 0.1; done
( while kill -0 $SERVER 2>/dev/null; do
    echo "rss_kb=$(awk '/VmRSS/{print $2}' /proc/$SERVER/status 2>/dev/null)"; sleep 5
  done ) > "$OUT/rss.log" &
java -Xmx1500m -cp "$CP" org.p2pdns.intro.tools.IntroLoadGenerator --target 127.0.0.1:$PORT \
    --seconds "$SECONDS_RUN" --reg-rate "$REG" --rdv-rate "$RDV" --bad-rate 300 | tee "$OUT/generator.log"
sleep 6   # one more stats line after the run
echo "--- server (stats every 5 s) ---"
grep '^stats' "$OUT/server.log" | sed 's/ {.*//' 
echo "--- server counters at the end ---"
grep '^stats' "$OUT/server.log" | tail -1 | sed 's/.*{/{/'
echo "--- server RSS (every 5 s) ---"
tr '\n' ' ' < "$OUT/rss.log"; echo
kill -0 $SERVER 2>/dev/null && echo "server alive after the run: yes" || echo "server alive after the run: NO"
