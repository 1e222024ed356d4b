#!/usr/bin/env bash
# Cold resolution through the DNS bridge on real UDP: NODES nodes (default 200) in one JVM on 127.0.0.1 with Noise
# sessions, test network (no proof of work), built as scripts/bench-records.sh builds them. Publishes NAMES names
# (default 100), starts the real DnsBridge (forwarding off) on one node's resolver, then sends RESOLVES A queries
# (default 500) for published names and RESOLVES/5 for names nobody published, one at a time over UDP, with the
# bridge's and the resolver's caches cleared before each (every answer is a DHT lookup; the bridge's counters show it).
# Prints the DNS round trip p50/p95/p99/max of each set, the rcodes and the counters, and the load average before and
# after. Exits 1 if an answer was wrong or a cache answered. Binds loopback only; the query phase stops after 5 min.
#
#   scripts/bench-dns-cold.sh [NODES] [NAMES] [RESOLVES]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
for a in "$@"; do [[ "$a" =~ ^[0-9]+$ ]] || { echo "usage: $0 [NODES] [NAMES] [RESOLVES]" >&2; exit 2; }; done
mkdir -p "$ROOT/dns-bridge/target"
CP_FILE="$ROOT/dns-bridge/target/bench-dns-cold.cp"
mvn -B -q -pl dns-bridge -am test-compile dependency:build-classpath -Dmdep.outputFile="$CP_FILE" \
  -Dmdep.includeScope=test >&2
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min; $(nproc) cores)"
rc=0
java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$ROOT/dns-bridge/target/classes:$ROOT/dns-bridge/target/test-classes:$(cat "$CP_FILE")" \
  org.p2pdns.dns.bench.ColdResolveBench "$@" || rc=$?
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$rc"
