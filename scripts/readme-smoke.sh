#!/usr/bin/env bash
# Runs the README's first set-up command exactly as written (`scripts/p2p --start-node`: default port, default DNS
# bridge address 127.0.0.1:5354, default difficulty) in a throw-away home directory, registers a name through the
# running node, resolves it with dig through the bridge, then stops the node with SIGTERM and checks it exits 0.
# Bounded: every wait has a deadline. Kills only the process it started. Used by .ci/run after `mvn -B verify`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v dig >/dev/null 2>&1 || { echo "readme-smoke: dig is needed (apt-get install bind9-dnsutils)" >&2; exit 1; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/p2p-readme.XXXXXX")"
PID=""
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cd "$ROOT"
# the README's command, verbatim, with only HOME moved so that the default data directory is a fresh one
HOME="$WORK" scripts/p2p --start-node > "$WORK/node.out" 2> "$WORK/node.err" &
PID=$!
deadline=$((SECONDS + 180))   # first use builds the jar when it is missing
until grep -qs "^running" "$WORK/node.out" "$WORK/node.err"; do
  if ! kill -0 "$PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    echo "readme-smoke: the node did not come up" >&2; cat "$WORK/node.out" "$WORK/node.err" >&2; exit 1
  fi
  sleep 0.2
done
echo "readme-smoke: node up"

HOME="$WORK" timeout 120 scripts/p2p --register readme-smoke.p2p --a 192.0.2.123 --ttl 60
answer="$(timeout 20 dig @127.0.0.1 -p 5354 readme-smoke.p2p A +short +tries=3 +time=3)"
if [ "$answer" != "192.0.2.123" ]; then
  echo "readme-smoke: dig answered '$answer', expected 192.0.2.123" >&2; exit 1
fi
status="$(timeout 20 dig @127.0.0.1 -p 5354 no-such-name.p2p A +tries=3 +time=3 | grep -o 'status: [A-Z]*')"
if [ "$status" != "status: NXDOMAIN" ]; then
  echo "readme-smoke: a missing name gave '$status', expected NXDOMAIN" >&2; exit 1
fi
echo "readme-smoke: dig readme-smoke.p2p -> $answer; no-such-name.p2p -> NXDOMAIN"

kill -TERM "$PID"
deadline=$((SECONDS + 30))
while kill -0 "$PID" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
if kill -0 "$PID" 2>/dev/null; then echo "readme-smoke: the node did not stop on SIGTERM" >&2; exit 1; fi
rc=0; wait "$PID" || rc=$?
PID=""
if [ "$rc" != 0 ] && [ "$rc" != 143 ]; then echo "readme-smoke: the node exited with $rc" >&2; exit 1; fi
echo "readme-smoke: node stopped (exit $rc); README set-up command works"
