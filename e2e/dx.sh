#!/usr/bin/env bash
# End-to-end: the real binary answers the platform client's requests (as
# dx-toolkit's `dx login` and `dx logout` send them) on its API listener by
# default, and not with --dx-api=false.
set -euo pipefail
cd "$(dirname "$0")/.."
source e2e/lib.bash
tmp=$(mktemp -d)
bin="$tmp/latch"
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "e2e/dx: FAIL: $*" >&2; [ -f "$tmp/serve.log" ] && tail -5 "$tmp/serve.log" >&2; exit 1; }

go build -o "$bin" ./cmd/latch
db="$tmp/latch.db"
port=$(pick_port)
url="http://127.0.0.1:$port"

start() {
  "$bin" serve --listen "127.0.0.1:$port" --db "$db" "$@" 2>>"$tmp/serve.log" &
  pid=$!
  for _ in $(seq 200); do curl -fs "$url/healthz" >/dev/null 2>&1 && return; sleep 0.1; done
  fail "server did not start"
}
stop() { kill -TERM "$pid"; wait "$pid" || fail "serve did not exit 0"; pid=""; }
# dx posts JSON with these headers; the answer is JSON whatever the status.
dx() { curl -s -X POST "$url$1" -H 'Content-Type: application/json' -H 'DNAnexus-API: 1.0.0' ${3:+-H "Authorization: Bearer $3"} -d "$2"; }

echo 'e2e-password-1' | "$bin" admin --db "$db" user create amy --password-stdin >/dev/null
p=$("$bin" admin --db "$db" project create "Scratch Project")
"$bin" admin --db "$db" project add-member "$p" amy ADMINISTER >/dev/null

start
expires=$(( ($(date +%s) + 3600) * 1000 ))
login=$(dx /system/newAuthToken "{\"username\": \"amy\", \"password\": \"e2e-password-1\", \"otp\": null, \"expires\": $expires}")
tok=$(printf '%s' "$login" | sed -n 's/.*"access_token":"\([A-Za-z0-9]*\)".*/\1/p')
[ ${#tok} -eq 32 ] || fail "no token from newAuthToken: $login"
dx /system/findProjects '{"describe": true, "level": "CONTRIBUTE", "explicitPermission": true, "limit": 10}' "$tok" |
  has '"name":"Scratch Project"' || fail "findProjects does not list the project"
dx /system/whoami '{}' "$tok" | has '"id":"user-amy"' || fail "whoami"
sig=$(printf '%s' "$tok" | sha256sum | cut -d' ' -f1)
[ "$(dx /system/destroyAuthToken "{\"tokenSignature\": \"$sig\"}" "$tok")" = '{}' ] || fail "destroyAuthToken"
dx /system/whoami '{}' "$tok" | has '"type":"InvalidAuthentication"' || fail "the token works after dx logout"
stop

start --dx-api=false
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/system/newAuthToken" -d '{"username": "amy", "password": "e2e-password-1"}')
[ "$code" = 404 ] || fail "with --dx-api=false, newAuthToken answered $code"
curl -fs -X POST "$url/v1/auth/login" -d '{"username":"amy","password":"e2e-password-1"}' >/dev/null || fail "/v1 login with --dx-api=false"
stop
if grep -q "e2e-password\|$tok" "$tmp/serve.log"; then fail "a secret reached the log"; fi
echo "e2e/dx: ok"
