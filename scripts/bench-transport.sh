#!/usr/bin/env bash
# Loopback benchmark of the secure UDP transport: IK handshakes per second and messages per second on a session,
# with round-trip percentiles, then heap per node. Usage: scripts/bench-transport.sh [clients=400] [round-trips=100000]
#        scripts/bench-transport.sh dht [nodes=200] [lookups=500]   (the DHT over secure sessions on real UDP)
# Builds p2pnode (never installs); binds 127.0.0.1 ephemeral ports only; bounded in count and time.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl p2pnode -am test-compile
CPFILE=$(mktemp)
trap 'rm -f "$CPFILE"' EXIT
mvn -B -q -pl p2pnode dependency:build-classpath -Dmdep.outputFile="$CPFILE" >/dev/null
CP="p2pnode/target/classes:p2pnode/target/test-classes:$(cat "$CPFILE")"
if [ "${1:-}" = dht ]; then
  exec java -Xmx1g -cp "$CP" org.p2pdns.node.transport.SecureDhtLoopbackBench "${2:-200}" "${3:-500}"
fi
java -Xmx1g -cp "$CP" org.p2pdns.node.transport.TransportBench "${1:-400}" "${2:-100000}"
java -Xmx1g -cp "$CP" org.p2pdns.node.transport.TransportMemoryBench 500 30
