#!/usr/bin/env bash
# whoami vs a bare handler with wrk, alternating, in one run:
#   e2e/bench/whoami.sh [sqlite|postgres] [seconds] [rounds]
# postgres needs LATCH_TEST_POSTGRES (source .ci/postgres.sh && pg_start).
# Prints one line per connection count: the req/s of each and their ratio.
# CPU_PROFILE=FILE also writes a pprof CPU profile of latch serve to FILE
# (go tool pprof -top FILE); HEAP_PROFILE=FILE a heap profile, written when
# it stops. LATCH_BIN=FILE measures that binary instead. BARE_TIMEOUTS=1
# gives the bare server latch serve's HTTP timeouts (a fairer baseline).
set -euo pipefail
cd "$(dirname "$0")/../.."
engine=${1:-sqlite}; secs=${2:-5}; rounds=${3:-2}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
tmp=$(mktemp -d); pids=()
drop() { :; }
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.2; drop; rm -rf "$tmp"; }
trap cleanup EXIT
if [ -n "${LATCH_BIN:-}" ]; then cp "$LATCH_BIN" "$tmp/latch"; else go build -o "$tmp/latch" ./cmd/latch; fi
go build -o "$tmp/bare" ./e2e/bench/bare
source e2e/lib.bash
lport=$(pick_port); bport=$(( lport + 1 ))
db="$tmp/latch.db"; keyargs=()
if [ "$engine" = postgres ]; then
  [ -n "${LATCH_TEST_POSTGRES:-}" ] || { echo "bench: LATCH_TEST_POSTGRES is not set" >&2; exit 1; }
  # A database of its own, dropped at the end.
  name="latch_bench_$RANDOM$RANDOM"
  psql -q "$LATCH_TEST_POSTGRES" -c "CREATE DATABASE $name" >/dev/null
  db=$(printf '%s' "$LATCH_TEST_POSTGRES" | sed "s#/[A-Za-z0-9_]*\([?]\|\$\)#/$name\1#")
  keyargs=(--secret-key-file "$tmp/latch.key")
  drop() { psql -q "$LATCH_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true; }
fi
echo 'bench-password-1' | "$tmp/latch" admin --db "$db" "${keyargs[@]}" user create amy --password-stdin >/dev/null
profargs=(); [ -z "${CPU_PROFILE:-}" ] || profargs=(--cpu-profile "$CPU_PROFILE")
[ -z "${HEAP_PROFILE:-}" ] || profargs+=(--heap-profile "$HEAP_PROFILE")
"$tmp/latch" serve --listen "127.0.0.1:$lport" --db "$db" "${keyargs[@]}" "${profargs[@]}" --log-level error 2>"$tmp/serve.log" & pids+=($!)
serve=$!
bareargs=(); [ -z "${BARE_TIMEOUTS:-}" ] || bareargs=(--serve-timeouts)
"$tmp/bare" --listen "127.0.0.1:$bport" "${bareargs[@]}" & pids+=($!)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$lport/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
login=$(curl -fs -X POST "http://127.0.0.1:$lport/v1/auth/login" -d '{"username":"amy","password":"bench-password-1"}')
session=$(printf '%s' "$login" | sed -n 's/.*"token":"\([A-Za-z0-9]*\)".*/\1/p')
created=$(curl -fs -X POST "http://127.0.0.1:$lport/v1/tokens" -H "Authorization: Bearer $session" -d '{"name":"bench"}')
api=$(printf '%s' "$created" | sed -n 's/^{"token":"\([A-Za-z0-9]*\)".*/\1/p')
[ ${#api} -eq 32 ] || { echo "bench: no API token: $created" >&2; exit 1; }
curl -fs "http://127.0.0.1:$lport/v1/whoami" -H "Authorization: Bearer $api" >/dev/null

rps() { wrk -t2 -c"$1" -d"${secs}s" "${@:2}" | awk '/Requests\/sec/ {print $2}'; }
echo "engine=$engine seconds=$secs rounds=$rounds (wrk -t2, alternating bare and latch)"
for c in 2 16 32; do
  line="c=$c"
  for r in $(seq "$rounds"); do
    b=$(rps "$c" "http://127.0.0.1:$bport/v1/whoami")
    l=$(rps "$c" -H "Authorization: Bearer $api" "http://127.0.0.1:$lport/v1/whoami")
    line="$line  bare=$b latch=$l ratio=$(awk -v l="$l" -v b="$b" 'BEGIN{printf "%.2f", l/b}')"
  done
  echo "$line"
done
# Every answer must have been a 200: a refused token would inflate the figure.
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$lport/v1/whoami" -H "Authorization: Bearer $api")
[ "$code" = 200 ] || { echo "bench: whoami answered $code at the end" >&2; exit 1; }
# A graceful stop writes the profile.
kill "$serve"; wait "$serve" 2>/dev/null || true
