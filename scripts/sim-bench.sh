#!/usr/bin/env bash
# Simulator benchmark: joins N simulated DHT nodes in one JVM (virtual time, seeded), then runs lookups and prints
# hops p50/p99, exactness against a brute-force oracle, messages per lookup and heap per node.
# Usage: scripts/sim-bench.sh [nodes=1000] [lookups=500] [seed=1] [killFraction=0] [heap=3g]
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${1:-1000}; LOOKUPS=${2:-500}; SEED=${3:-1}; KILL=${4:-0}; HEAP=${5:-3g}
mvn -B -q -o -pl p2pnode -am test-compile >/dev/null
CP_FILE="$PWD/p2pnode/target/sim-bench.classpath"
mvn -B -q -o -pl p2pnode dependency:build-classpath -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=test >/dev/null
exec java -Xmx"$HEAP" -cp "p2pnode/target/classes:p2pnode/target/test-classes:$(cat "$CP_FILE")" \
  org.p2pdns.node.sim.SimBench "$NODES" "$LOOKUPS" "$SEED" "$KILL"
