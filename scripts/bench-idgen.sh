#!/usr/bin/env bash
# Measures node-id proof-of-work generation on one core: key pairs per second and mean time per difficulty.
# Usage: scripts/bench-idgen.sh [runs-per-difficulty]   (builds p2pnode first; never installs)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl p2pnode -am test-compile
CPFILE=$(mktemp)
trap 'rm -f "$CPFILE"' EXIT
mvn -B -q -pl p2pnode dependency:build-classpath -Dmdep.outputFile="$CPFILE" >/dev/null
CP=$(cat "$CPFILE")
taskset -c 0 java -cp "p2pnode/target/classes:p2pnode/target/test-classes:$CP" \
  org.p2pdns.node.identity.IdGenBench "${1:-10}"
