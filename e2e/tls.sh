#!/usr/bin/env bash
# End-to-end, operations: the real binary serves HTTPS with a certificate
# from a CA made here (openssl), the CLI logs in with --ca-file, SIGHUP
# swaps in a renewed certificate without a restart, metrics count the
# traffic on their own port, `latch admin backup` copies the live database,
# /readyz drains on SIGTERM, and the process exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
source e2e/lib.bash
tmp=$(mktemp -d)
bin="$tmp/latch"
pid=""
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "e2e/tls: FAIL: $*" >&2; [ -f "$tmp/serve.log" ] && tail -5 "$tmp/serve.log" >&2; exit 1; }
command -v openssl >/dev/null || fail "openssl is missing (Debian package openssl)"

go build -o "$bin" ./cmd/latch
# A CA, and a server certificate for 127.0.0.1 signed by it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=e2e CA" \
  -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
leaf() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
    -keyout "$tmp/key.new" -out "$tmp/req.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\n' >"$tmp/ext"
  openssl x509 -req -in "$tmp/req.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
    -days 1 -extfile "$tmp/ext" -out "$tmp/cert.new" 2>/dev/null
  mv "$tmp/key.new" "$tmp/key.pem"; mv "$tmp/cert.new" "$tmp/cert.pem"
}
leaf
port=$(pick_port); mport=$(( port + 1 ))
url="https://127.0.0.1:$port"
db="$tmp/latch.db"
export LATCH_CONFIG_DIR="$tmp/config"
echo 'e2e-password-1' | "$bin" admin --db "$db" user create amy --password-stdin >/dev/null

"$bin" serve --listen "127.0.0.1:$port" --db "$db" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" \
  --metrics-listen "127.0.0.1:$mport" --drain-delay 2s 2>"$tmp/serve.log" &
pid=$!
for _ in $(seq 200); do curl -fs --cacert "$tmp/ca.pem" "$url/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs --cacert "$tmp/ca.pem" "$url/readyz" | has '"status":"ready"' || fail "not ready over HTTPS"
[ "$(curl -s --cacert "$tmp/ca.pem" -o /dev/null -w '%{http_version}' "$url/healthz")" = 2 ] || fail "no HTTP/2"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/healthz" || true)
[ "$code" = 400 ] || fail "plain HTTP on the TLS port answered $code"

echo 'e2e-password-1' | "$bin" login --server "$url" --username amy --password-stdin --noprojects >/dev/null 2>"$tmp/err" \
  && fail "login without the CA worked"
grep -q certificate "$tmp/err" || fail "login without the CA: $(cat "$tmp/err")"
echo 'e2e-password-1' | "$bin" login --server "$url" --username amy --password-stdin --noprojects --ca-file "$tmp/ca.pem" >/dev/null 2>&1 \
  || fail "login with --ca-file"
LATCH_CA_FILE="$tmp/ca.pem" "$bin" whoami >"$tmp/who" 2>&1 || true
grep -q amy "$tmp/who" || fail "whoami with LATCH_CA_FILE: $(cat "$tmp/who")"

serial() { openssl s_client -connect "127.0.0.1:$port" -CAfile "$tmp/ca.pem" </dev/null 2>/dev/null | openssl x509 -noout -serial; }
before=$(serial)
leaf
kill -HUP "$pid"
for _ in $(seq 50); do [ "$(serial)" != "$before" ] && break; sleep 0.1; done
[ "$(serial)" != "$before" ] || fail "SIGHUP did not load the renewed certificate"
kill -0 "$pid" 2>/dev/null || fail "SIGHUP stopped the server"
grep -q '"msg":"TLS certificate reloaded"' "$tmp/serve.log" || fail "no reload in the log"
LATCH_CA_FILE="$tmp/ca.pem" "$bin" whoami >"$tmp/who" 2>&1 || true
grep -q amy "$tmp/who" || fail "whoami after the reload: $(cat "$tmp/who")"

metrics=$(curl -fs "http://127.0.0.1:$mport/metrics") || fail "no metrics"
grep -q '^latch_logins_total{method="password",result="success"} 1$' <<<"$metrics" || fail "login not counted"
grep -q '^latch_http_request_duration_seconds_count{code="200",route="GET /v1/whoami"} 2$' <<<"$metrics" || fail "whoami not counted"
[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/ca.pem" "$url/metrics")" = 404 ] || fail "metrics on the API port"

"$bin" admin --db "$db" backup "$tmp/backup.db" >"$tmp/backup.out" || fail "backup"
grep -q 'integrity_check ok' "$tmp/backup.out" || fail "backup: $(cat "$tmp/backup.out")"
grep -q "server key file $tmp/latch.key is not in the backup" "$tmp/backup.out" || fail "backup does not name the key file"
[ "$(stat -c %a "$tmp/backup.db")" = 600 ] || fail "backup mode $(stat -c %a "$tmp/backup.db")"
# Alone, the copy yields nothing; with the key file, everything.
"$bin" admin --db "$tmp/backup.db" user list >/dev/null 2>&1 && fail "the backup opened without its key file"
"$bin" admin --db "$tmp/backup.db" --secret-key-file "$tmp/latch.key" user list | has amy || fail "the backup does not open"

kill -TERM "$pid"
sleep 0.5
code=$(curl -s --cacert "$tmp/ca.pem" -o /dev/null -w '%{http_code}' "$url/readyz")
[ "$code" = 503 ] || fail "/readyz while draining answered $code"
if ! wait "$pid"; then fail "serve did not exit 0 on SIGTERM"; fi
pid=""
grep -q '"msg":"stopped"' "$tmp/serve.log" || fail "no clean shutdown in the log"
if grep -q 'e2e-password' "$tmp/serve.log"; then fail "a password reached the log"; fi
echo "e2e/tls: ok"
