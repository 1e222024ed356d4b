#!/usr/bin/env bash
# Coverage-guided fuzzing of every Jazzer @FuzzTest target, one at a time, SECONDS each (default 60, 5..600).
# Prints, per target, the executions (the last count libFuzzer reported before the stop: a lower bound, since the
# interrupted fork exits without a final line), the corpus size, and any finding (a crash reproducer is
# written by Jazzer into the target's regression-inputs directory under src/test/resources, so plain `mvn verify`
# replays it from then on). The generated corpus lands in <module>/.cifuzz-corpus/ (git-ignored).
#
#   scripts/fuzz.sh [SECONDS] [TARGET-REGEX]      e.g. scripts/fuzz.sh 60   or   scripts/fuzz.sh 30 'Dns|Stun'
#
# Each run is `JAZZER_FUZZ=1 mvn test-compile surefire:test -Dtest=Class#method` on the already-built classes; the target's
# annotation caps a run at 10 minutes and this script interrupts it after SECONDS (libFuzzer stops on SIGINT).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECS="${1:-60}"
FILTER="${2:-}"
[[ "$SECS" =~ ^[0-9]+$ ]] && [ "$SECS" -ge 5 ] && [ "$SECS" -le 600 ] || { echo "usage: $0 [SECONDS 5..600] [FILTER]" >&2; exit 2; }
TARGETS=(
  "p2pnode org.p2pdns.node.wire.DhtCodecFuzzTest#decode"
  "p2pnode org.p2pdns.node.dht.DhtNodeFuzzTest#messages"
  "p2pnode org.p2pdns.node.transport.SecureTransportFuzzTest#packets"
  "p2pnode org.p2pdns.node.record.RecordFuzzTest#decode"
  "p2pnode org.p2pdns.node.record.RecordFuzzTest#tamper"
  "p2pnode org.p2pdns.node.reach.ReachFuzzTest#decode"
  "p2pnode org.p2pdns.node.reach.ReachFuzzTest#tamper"
  "p2pnode org.p2pdns.node.intro.IntroCodecFuzzTest#decode"
  "p2pnode org.p2pdns.node.nat.StunCodecFuzzTest#decodeResponse"
  "introduction-server org.p2pdns.intro.IntroServerFuzzTest#datagrams"
  "introduction-server org.p2pdns.intro.StunResponderFuzzTest#request"
  "dns-bridge org.p2pdns.dns.server.DnsBridgeFuzzTest#query"
)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/p2p-fuzz.XXXXXX")"
MVN_PID=""
cleanup() {
  [ -n "$MVN_PID" ] && kill -TERM "$MVN_PID" 2>/dev/null || true
  [ -n "${FUZZ_KEEP:-}" ] && echo "fuzz: logs kept in $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cd "$ROOT"
echo "fuzz: building the modules and their tests once (no tests run)" >&2
mvn -B -q -pl p2pnode,introduction-server,dns-bridge -am verify -DskipTests >"$WORK/build.log" 2>&1 \
  || { tail -40 "$WORK/build.log" >&2; exit 1; }

printf '%-62s %12s %8s %7s  %s\n' "target" "executions>=" "exec/s" "corpus" "findings"
total_findings=0
for t in "${TARGETS[@]}"; do
  module="${t%% *}"; test="${t#* }"
  if [ -n "$FILTER" ] && ! [[ "$test" =~ $FILTER ]]; then continue; fi
  log="$WORK/$(echo "$test" | tr '#.' '__').log"
  # -am with test-compile so the reactor resolves sibling modules (and p2pnode's test-jar) from their target/
  # directories without installing anything; the filter matches one test
  JAZZER_FUZZ=1 mvn -B -pl "$module" -am test-compile surefire:test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
    -DtrimStackTrace=false >"$log" 2>&1 &
  MVN_PID=$!
  # wait for libFuzzer to start, then give it SECONDS
  for _ in $(seq 1 600); do grep -q 'INFO: Seed: \|#[0-9]*\s*INITED' "$log" 2>/dev/null && break
    kill -0 "$MVN_PID" 2>/dev/null || break; sleep 0.5; done
  end=$(( $(date +%s) + SECS ))
  while kill -0 "$MVN_PID" 2>/dev/null && [ "$(date +%s)" -lt "$end" ]; do sleep 1; done
  if kill -0 "$MVN_PID" 2>/dev/null; then
    # SIGINT to the forked test JVM (a child of this mvn): libFuzzer stops and reports
    for child in $(pgrep -P "$MVN_PID" || true); do kill -INT "$child" 2>/dev/null || true; done
    for _ in $(seq 1 60); do kill -0 "$MVN_PID" 2>/dev/null || break; sleep 0.5; done
    kill -TERM "$MVN_PID" 2>/dev/null || true
  fi
  wait "$MVN_PID" 2>/dev/null || true
  MVN_PID=""
  execs=$( (grep -oE '^#[0-9]+' "$log" || true) | tail -1 | tr -d '#'); execs="${execs:-0}"
  rate=$( (grep -oE 'exec/s: [0-9]+' "$log" || true) | tail -1 | awk '{print $2}'); rate="${rate:-0}"
  corp=$( (grep -oE 'corp: [0-9]+' "$log" || true) | tail -1 | awk '{print $2}'); corp="${corp:-0}"
  findings=$(grep -cE 'DEDUP_TOKEN|Test unit written to' "$log" || true)
  findings=$(( (findings + 1) / 2 ))   # libFuzzer prints both lines per finding
  if [ "$execs" = 0 ]; then
    echo "fuzz: $test did not start fuzzing; log: $log" >&2
    grep -E 'ERROR|Exception' "$log" | head -5 >&2 || true
    findings="error"
    total_findings=$((total_findings + 1))
    printf '%-62s %12s %8s %7s  %s\n' "$test" 0 0 0 "$findings"
    continue
  fi
  total_findings=$((total_findings + findings))
  printf '%-62s %12s %8s %7s  %s\n' "$test" "$execs" "$rate" "$corp" "$findings"
  if [ "$findings" != 0 ]; then
    grep -E -B2 -A3 'FuzzTestFindingException|Test unit written to' "$log" | head -30 >&2 || true
    echo "fuzz: the reproducer is in the target's ...Inputs directory under src/test/resources; log: $log" >&2
    FUZZ_KEEP=1
  fi
done
echo "fuzz: ${SECS}s per target, findings in total: $total_findings"
[ "$total_findings" = 0 ]
