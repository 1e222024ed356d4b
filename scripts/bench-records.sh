#!/usr/bin/env bash
# Record-layer benchmark on real UDP: NODES nodes (default 200) in one JVM on 127.0.0.1 with Noise sessions, test
# network (no proof of work). Publishes NAMES names (default 100), resolves RESOLVES times (default 1000) from random
# nodes with cold resolver caches, kills 30% of the nodes and resolves again. Prints publish p50/p95, resolve
# p50/p95/p99, the DHT's time to first valid value, and the share of names resolved. Binds loopback only.
#
#   scripts/bench-records.sh [NODES] [NAMES] [RESOLVES]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
for a in "$@"; do [[ "$a" =~ ^[0-9]+$ ]] || { echo "usage: $0 [NODES] [NAMES] [RESOLVES]" >&2; exit 2; }; done
CP_FILE="$ROOT/p2pnode/target/bench-records.cp"
mvn -B -q -pl p2pnode test-compile dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >&2
exec java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$ROOT/p2pnode/target/classes:$ROOT/p2pnode/target/test-classes:$(cat "$CP_FILE")" \
  org.p2pdns.node.resolve.RecordsBench "$@"
