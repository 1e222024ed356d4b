#!/usr/bin/env bash
# Loopback benchmark of the secure UDP transport: IK handshakes per second and messages per second on a session,
# with round-trip percentiles. Usage: scripts/bench-transport.sh [clients=400] [round-trips=100000]
# Builds p2pnode (never installs); binds 127.0.0.1 ephemeral ports only; bounded in count and time.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl p2pnode -am test-compile
CPFILE=$(mktemp)
trap 'rm -f "$CPFILE"' EXIT
mvn -B -q -pl p2pnode dependency:build-classpath -Dmdep.outputFile="$CPFILE" >/dev/null
java -Xmx1g -cp "p2pnode/target/classes:p2pnode/target/test-classes:$(cat "$CPFILE")" \
  org.p2pdns.node.transport.TransportBench "${1:-400}" "${2:-100000}"
