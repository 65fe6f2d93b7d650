#!/usr/bin/env bash
# whoami over HTTPS vs a bare net/http handler over HTTPS, with wrk,
# alternating, in one run (TLS 1.2+, keep-alive connections, SQLite):
#   e2e/bench/whoami_tls.sh [seconds] [rounds]
# Also runs plain-HTTP latch in the same rounds, so the cost of TLS itself
# shows: it prints req/s of bare-TLS, latch-TLS and latch-plain, and the
# ratios latch-TLS/bare-TLS and latch-TLS/latch-plain.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-5}; rounds=${2:-2}
command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install wrk)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "bench: openssl is missing (apt-get install openssl)" >&2; exit 1; }
tmp=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.2; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/latch" ./cmd/latch
go build -o "$tmp/bare" ./e2e/bench/bare
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
source e2e/lib.bash
tport=$(pick_port 3); pport=$(( tport + 1 )); bport=$(( tport + 2 ))
db="$tmp/latch.db"
echo 'bench-password-1' | "$tmp/latch" admin --db "$db" user create amy --password-stdin >/dev/null
"$tmp/latch" serve --listen "127.0.0.1:$tport" --db "$db" --log-level error \
  --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" 2>"$tmp/serve-tls.log" & pids+=($!)
"$tmp/latch" serve --listen "127.0.0.1:$pport" --db "$db" --log-level error 2>"$tmp/serve.log" & pids+=($!)
"$tmp/bare" --listen "127.0.0.1:$bport" --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" & pids+=($!)
c=(curl -fsk)
for _ in $(seq 100); do "${c[@]}" "https://127.0.0.1:$tport/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 100); do "${c[@]}" "http://127.0.0.1:$pport/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
login=$("${c[@]}" -X POST "https://127.0.0.1:$tport/v1/auth/login" -d '{"username":"amy","password":"bench-password-1"}')
session=$(printf '%s' "$login" | sed -n 's/.*"token":"\([A-Za-z0-9]*\)".*/\1/p')
created=$("${c[@]}" -X POST "https://127.0.0.1:$tport/v1/tokens" -H "Authorization: Bearer $session" -d '{"name":"bench"}')
api=$(printf '%s' "$created" | sed -n 's/^{"token":"\([A-Za-z0-9]*\)".*/\1/p')
[ ${#api} -eq 32 ] || { echo "bench: no API token: $created" >&2; exit 1; }
"${c[@]}" "https://127.0.0.1:$bport/v1/whoami" >/dev/null

rps() { wrk -t2 -c"$1" -d"${secs}s" "${@:2}" | awk '/Requests\/sec/ {print $2}'; }
echo "TLS: seconds=$secs rounds=$rounds (wrk -t2, alternating bare-TLS, latch-TLS, latch-plain; SQLite)"
for conns in 2 16 32; do
  line="c=$conns"
  for _ in $(seq "$rounds"); do
    b=$(rps "$conns" "https://127.0.0.1:$bport/v1/whoami")
    l=$(rps "$conns" -H "Authorization: Bearer $api" "https://127.0.0.1:$tport/v1/whoami")
    p=$(rps "$conns" -H "Authorization: Bearer $api" "http://127.0.0.1:$pport/v1/whoami")
    line="$line  bare-tls=$b latch-tls=$l latch-plain=$p tls/bare=$(awk -v l="$l" -v b="$b" 'BEGIN{printf "%.2f", l/b}') tls/plain=$(awk -v l="$l" -v p="$p" 'BEGIN{printf "%.2f", l/p}')"
  done
  echo "$line"
done
code=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$tport/v1/whoami" -H "Authorization: Bearer $api")
[ "$code" = 200 ] || { echo "bench: whoami answered $code at the end" >&2; exit 1; }
