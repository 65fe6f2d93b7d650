#!/usr/bin/env bash
# End-to-end: the real binary serves, `latch admin` works beside it, a token
# acknowledged before `kill -9` still works after a restart, revocation is
# refused at once, and SIGTERM shuts down cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
source e2e/lib.bash
tmp=$(mktemp -d)
bin="$tmp/latch"
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "e2e/serve: FAIL: $*" >&2; [ -f "$tmp/serve.log" ] && tail -5 "$tmp/serve.log" >&2; exit 1; }

go build -o "$bin" ./cmd/latch
db="$tmp/latch.db"
port=$(pick_port)
url="http://127.0.0.1:$port"

start() {
  "$bin" serve --listen "127.0.0.1:$port" --db "$db" 2>>"$tmp/serve.log" &
  pid=$!
  for _ in $(seq 200); do curl -fs "$url/healthz" >/dev/null 2>&1 && return; sleep 0.1; done
  fail "server did not start"
}

start
echo 'e2e-password-1' | "$bin" admin --db "$db" user create amy --password-stdin >/dev/null
login=$(curl -fs -X POST "$url/v1/auth/login" -d '{"username":"amy","password":"e2e-password-1"}')
session=$(printf '%s' "$login" | sed -n 's/.*"token":"\([A-Za-z0-9]*\)".*/\1/p')
[ ${#session} -eq 32 ] || fail "no session token in $login"
created=$(curl -fs -X POST "$url/v1/tokens" -H "Authorization: Bearer $session" -d '{"name":"survivor"}')
api=$(printf '%s' "$created" | sed -n 's/^{"token":"\([A-Za-z0-9]*\)".*/\1/p')
[ ${#api} -eq 32 ] || fail "no API token in $created"

kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
start
curl -fs "$url/v1/whoami" -H "Authorization: Bearer $api" | has '"username":"amy"' || fail "token acknowledged before kill -9 is gone"

id=$(printf '%s' "$created" | sed -n 's/.*"id":"\(token-[A-Za-z0-9]*\)".*/\1/p')
curl -fs -X DELETE "$url/v1/tokens/$id" -H "Authorization: Bearer $session" >/dev/null || fail "revoke"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/whoami" -H "Authorization: Bearer $api")
[ "$code" = 401 ] || fail "revoked token answered $code"

# An admin password reset from another process signs the session out at once.
echo 'e2e-password-2' | "$bin" admin --db "$db" user reset-password amy --password-stdin >/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/whoami" -H "Authorization: Bearer $session")
[ "$code" = 401 ] || fail "session after an admin reset answered $code"

kill -TERM "$pid"
if ! wait "$pid"; then fail "serve did not exit 0 on SIGTERM"; fi
pid=""
grep -q '"msg":"stopped"' "$tmp/serve.log" || fail "no clean shutdown in the log"
if grep -q 'e2e-password\|'"$api"'\|'"$session" "$tmp/serve.log"; then fail "a secret reached the log"; fi
echo "e2e/serve: ok"
