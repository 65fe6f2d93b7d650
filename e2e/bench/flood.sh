#!/usr/bin/env bash
# 600 concurrent logins from 600 loopback addresses against the real
# binary with production argon2 (19 MiB, t=2), and the owner's login in the
# middle of it: e2e/bench/flood.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-600}
tmp=$(mktemp -d); pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
go build -o "$tmp/latch" ./cmd/latch
go build -o "$tmp/flood" ./e2e/bench/flood
source e2e/lib.bash
port=$(pick_port)
echo 'owner-password-1' | "$tmp/latch" admin --db "$tmp/latch.db" user create owner --password-stdin >/dev/null
"$tmp/latch" serve --listen "127.0.0.1:$port" --db "$tmp/latch.db" --log-level error 2>"$tmp/serve.log" & pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
"$tmp/flood" -url "http://127.0.0.1:$port" -n "$n" -owner owner:owner-password-1
