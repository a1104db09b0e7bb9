#!/usr/bin/env bash
# Roster's load-test kit. Measures the hash bound and /health/live as baselines, seeds two
# organizations, login, shared and locked accounts and a 100,000-user import, runs the Gatling
# simulations and writes bench/results/<stamp>.md with every number as a ratio to its baseline.
#
#   bench/run.sh                                  starts target/roster.jar (build it first:
#                                                 mvn -B -q package -DskipTests) on the embedded
#                                                 PostgreSQL, with conf/jvm.options
#   bench/run.sh --url URL --support-key KEY      a running deployment instead (no server CPU/RSS)
#
# Environment: DURATION (seconds per simulation, 20), ROWS (import size, 100000), PROFILE=1 (a JFR
# recording of the server per scenario, summarised by a `jfr` that has `view` (JDK 21+) into
# bench/results/<stamp>-profiles/<scenario>.md: hot methods, allocation, GC), ONLY (scenario names
# to run, space-separated, e.g. "password-64 password-4x"; seeding and the import always run).
set -euo pipefail
cd "$(dirname "$0")"
URL="" KEY="bench-support-key-$(date +%s)"
while [ $# -gt 0 ]; do
  case "$1" in
    --url) URL="$2"; shift 2 ;;
    --support-key) KEY="$2"; shift 2 ;;
    *) echo "usage: bench/run.sh [--url URL --support-key KEY]" >&2; exit 2 ;;
  esac
done
DURATION=${DURATION:-20}
ROWS=${ROWS:-100000}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="target/run-$STAMP"
mkdir -p "$OUT" results
SMTP_PORT=${SMTP_PORT:-12525} SINK_HTTP=${SINK_HTTP:-12526} API_PORT=${API_PORT:-18080}
JVM_OPTIONS=$(cat ../conf/jvm.options)

echo "== building the simulations"
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test
CP="target/test-classes:$(cat target/classpath.txt)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

java -Xmx256m -cp "$CP" roster.bench.Sink "$SMTP_PORT" "$SINK_HTTP" > "$OUT/sink.log" 2>&1 &
PIDS+=($!)
SINK="http://127.0.0.1:$SINK_HTTP"

SERVER_PID=""
if [ -z "$URL" ]; then
  JAR=../target/roster.jar
  [ -f "$JAR" ] || { echo "No $JAR: build it first (mvn -B -q package -DskipTests)" >&2; exit 1; }
  echo "== hash bound: argon2id with Roster's parameters on every core"
  # shellcheck disable=SC2086
  java $JVM_OPTIONS -jar "$JAR" measure-hashing 10 | tail -1 > "$OUT/hash.json"
  cat "$OUT/hash.json"
  URL="http://127.0.0.1:$API_PORT"
  echo "== AppCDS training run (java -jar roster.jar train-cds), then the server starts from its archive"
  # shellcheck disable=SC2086
  java $JVM_OPTIONS -XX:ArchiveClassesAtExit="$PWD/$OUT/roster.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
    -jar "$JAR" train-cds > "$OUT/cds-training.log" 2>&1 || echo "   (training failed: see $OUT/cds-training.log; starting without the archive)"
  JVM_OPTIONS="$JVM_OPTIONS -XX:SharedArchiveFile=$PWD/$OUT/roster.jsa"
  echo "== starting Roster ($JVM_OPTIONS)"
  T0=$(date +%s%N)
  # shellcheck disable=SC2086
  env HTTP_PORT="$API_PORT" MANAGEMENT_PORT=$((API_PORT + 1)) DATA_DIR="$PWD/$OUT/data" SUPPORT_API_KEY="$KEY" \
    SMTP_HOST=127.0.0.1 SMTP_PORT="$SMTP_PORT" SMTP_STARTTLS=DISABLED RATE_LIMIT_EXEMPT=127.0.0.0/8 \
    ACCESS_TOKEN_TTL=PT4H PUBLIC_BASE_URL="$URL" java $JVM_OPTIONS -jar "$JAR" > "$OUT/roster.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  until curl -fs "$URL/health/ready" > /dev/null 2>&1; do
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$OUT/roster.log"; exit 1; }
    sleep 0.02
  done
  echo "{\"startToReadyMs\": $(( ($(date +%s%N) - T0) / 1000000 ))}" > "$OUT/start.json"
  cat "$OUT/start.json"
fi

# Server CPU (the JVM and the PostgreSQL processes under its data directory, in clock ticks) and RSS.
server_pids() {
  [ -n "$SERVER_PID" ] || return 0
  echo "$SERVER_PID"
  local pm
  for pm in $(pgrep -f -- "$PWD/$OUT/data" || true); do
    [ "$pm" = "$SERVER_PID" ] && continue
    echo "$pm"; pgrep -P "$pm" || true
  done | sort -u
}
cpu_ticks() {
  local total=0 p f
  for p in $(server_pids); do
    f=$(cut -d' ' -f14-17 "/proc/$p/stat" 2>/dev/null) || continue
    set -- $f
    total=$((total + $1 + $2 + $3 + $4))
  done
  echo "$total"
}
rss_kib() { [ -n "$SERVER_PID" ] && awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status" || echo 0; }
sleep 5
echo "idle $(rss_kib)" > "$OUT/rss.txt"

PROFILE=${PROFILE:-0}
JFR_TOOL=""
if [ "$PROFILE" = 1 ] && [ -n "$SERVER_PID" ]; then
  for j in "${JAVA_HOME:-/nonexistent}/bin/jfr" $(command -v jfr || true) /usr/lib/jvm/*/bin/jfr; do
    [ -x "$j" ] && "$j" help view > /dev/null 2>&1 && { JFR_TOOL="$j"; break; }
  done
  [ -n "$JFR_TOOL" ] || echo "   (PROFILE=1: no jfr with 'view' found; recordings are kept, not summarised)"
  mkdir -p "results/$STAMP-profiles"
fi
profile_start() {
  [ "$PROFILE" = 1 ] && [ -n "$SERVER_PID" ] || return 0
  jcmd "$SERVER_PID" JFR.start name="$1" settings=profile > /dev/null
}
profile_stop() {
  [ "$PROFILE" = 1 ] && [ -n "$SERVER_PID" ] || return 0
  jcmd "$SERVER_PID" JFR.stop name="$1" filename="$PWD/$OUT/$1.jfr" > /dev/null
  [ -n "$JFR_TOOL" ] || return 0
  {
    echo "# $1: JFR profile of the server (bench/run.sh PROFILE=1, $STAMP)"
    for v in thread-cpu-load hot-methods cpu-load allocation-by-site gc-pauses; do
      echo; echo "## $v"; echo '```'; "$JFR_TOOL" view --width 160 "$v" "$PWD/$OUT/$1.jfr" 2>&1 | head -40; echo '```'
    done
  } > "results/$STAMP-profiles/$1.md"
}

simulate() {
  local name="$1" class="$2"; shift 2
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then return 0; fi
  echo "== $name"
  local c0 c1 dir
  rm -rf "target/bench-status/$class.json"
  profile_start "$name"
  c0=$(cpu_ticks)
  mvn -q -B gatling:test -Dgatling.simulationClass="roster.bench.$class" -Dseed="$PWD/$OUT/seed.json" \
    -Dduration="$DURATION" "$@" > "$OUT/$name.log" 2>&1 || echo "   ($name: Gatling reported failed requests; see $OUT/$name.log)"
  c1=$(cpu_ticks)
  profile_stop "$name"
  dir=$(ls -td target/gatling/"$(echo "$class" | tr '[:upper:]' '[:lower:]')"-* | head -1)
  cp "$dir/js/stats.js" "$OUT/$name.stats.js"
  cp "target/bench-status/$class.json" "$OUT/$name.status.json" 2>/dev/null || echo '{}' > "$OUT/$name.status.json"
  echo "$name $((c1 - c0)) $(rss_kib)" >> "$OUT/server.txt"
}

echo "{\"base\": \"$URL\"}" > "$OUT/seed.json"
simulate health HealthLive -Dusers=16
echo "== seeding accounts"
java -cp "$CP" roster.bench.Seed accounts "$URL" "$KEY" "$SINK" "$OUT/seed.json"
BOUND=$(sed -n 's/.*"checksPerSecond":\([0-9.]*\).*/\1/p' "$OUT/hash.json" 2>/dev/null || true)
BOUND=${BOUND:-${HASH_BOUND:-20}}
RATE1=$(awk -v b="$BOUND" 'BEGIN { printf "%.1f", b }')
RATE4=$(awk -v b="$BOUND" 'BEGIN { printf "%.1f", 4 * b }')
simulate password-16 PasswordStep -Dusers=16
simulate password-64 PasswordStep -Dusers=64
simulate password-open PasswordStep -Drate="$RATE1"
simulate password-4x PasswordOverload -Drate="$RATE4"
simulate shared-16 PasswordStep -Daccounts=sharedAccount -Dusers=16
simulate shared-64 PasswordStep -Daccounts=sharedAccount -Dusers=64
simulate unknown UnknownEmails -Drate="$RATE1"
simulate locked LockedAccount -Dusers=16
simulate me Me -Dusers=16
# The import comes after the sign-in and /me runs: its 100,000 rows leave PostgreSQL work behind
# (autovacuum, the trigram index's pending list, the mail drain), which would take CPU from them.
echo "== importing $ROWS users (and draining their invitations)"
profile_start import
c0=$(cpu_ticks)
java -cp "$CP" roster.bench.Seed import "$OUT/seed.json" "$ROWS" "$SINK" | tail -1 > "$OUT/import.json"
echo "import $(( $(cpu_ticks) - c0 )) $(rss_kib)" >> "$OUT/server.txt"
profile_stop import
cat "$OUT/import.json"

simulate list ListUsers -Dusers=16
simulate list-q ListUsers -Dusers=16 -Dq=miller
simulate list-status ListUsers -Dusers=16 -Dsort=status
simulate create CreateUser -Dusers=16
echo "after $(rss_kib)" >> "$OUT/rss.txt"

java -Dduration="$DURATION" -cp "$CP" roster.bench.Report "$OUT" "results/$STAMP.md" "$JVM_OPTIONS"
echo "== report: bench/results/$STAMP.md"
