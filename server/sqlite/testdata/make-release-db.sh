#!/usr/bin/env bash
# Makes release-d6a2545.db and release-d6a2545.json (the secrets the tests use
# with it) with a latch binary of an earlier release, through its own admin
# commands and HTTP API, as a person would have:
#
#   git worktree add /tmp/oldrel d6a2545
#   (cd /tmp/oldrel && go build -o /tmp/latch-d6a2545 ./cmd/latch)
#   server/sqlite/testdata/make-release-db.sh /tmp/latch-d6a2545
#   git worktree remove /tmp/oldrel
#
# Needs curl, jq, oathtool and ssh-keygen.
set -euo pipefail
latch=$1
out=$(cd "$(dirname "$0")" && pwd)/release-d6a2545
tmp=$(mktemp -d)
db=$tmp/latch.db
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

admin() { "$latch" admin --db "$db" "$@"; }
admin org create lab --auto-logout-after 30m --require-2fa=false >/dev/null
echo 'amy-password-release' | admin user create amy --password-stdin --org lab --email amy@example.org --name 'Amy Ng' >/dev/null
echo 'bob-password-release' | admin user create bob --password-stdin --email bob@example.org >/dev/null
project=$(admin project create Genomes --public --phi)
admin project create Scratch >/dev/null
admin project add-member Genomes amy UPLOAD >/dev/null
admin project add-member Genomes bob VIEW >/dev/null

port=$(( 20000 + RANDOM % 20000 ))
"$latch" serve --db "$db" --listen "127.0.0.1:$port" --log-level error &
pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
post() { curl -fsS -X POST "$base$1" -H "Authorization: Bearer ${3:-}" -d "$2"; }
login() { post /v1/auth/login "{\"username\":\"$1\",\"password\":\"$2\"${3:+,\"code\":\"$3\"}}" | jq -r .token; }

amy=$(login amy amy-password-release)
api=$(post /v1/tokens "{\"name\":\"ci\",\"idleTimeout\":\"1h\",\"scope\":{\"projects\":{\"$project\":\"VIEW\"}}}" "$amy" | jq -r .token)
old=$(post /v1/tokens '{"name":"old"}' "$amy" | jq -r .id)
curl -fsS -X DELETE "$base/v1/tokens/$old" -H "Authorization: Bearer $amy" >/dev/null
ssh-keygen -q -t ed25519 -N '' -C amy@laptop -f "$tmp/key"
post /v1/account/ssh-keys "$(jq -n --arg k "$(cat "$tmp/key.pub")" '{publicKey: $k}')" "$amy" >/dev/null
secret=$(post /v1/account/2fa/enroll '{"password":"amy-password-release"}' "$amy" | jq -r .secret)
codes=$(post /v1/account/2fa/confirm "{\"code\":\"$(oathtool --totp -b "$secret")\"}" "$amy" | jq -c .backupCodes)
# One backup code used for a login; failed logins for the audit log.
login amy amy-password-release "$(jq -r '.[0]' <<<"$codes")" >/dev/null
bob=$(login bob bob-password-release)
curl -fsS "$base/v1/whoami" -H "Authorization: Bearer $bob" >/dev/null
curl -s -X POST "$base/v1/auth/login" -d '{"username":"bob","password":"wrong-password"}' >/dev/null
curl -s -X POST "$base/v1/auth/login" -d '{"username":"nobody","password":"whatever-password"}' >/dev/null

kill "$pid"; wait "$pid" || true; pid= # flushes token uses, checkpoints the WAL
cp "$db" "$out.db"
jq -n --arg api "$api" --arg totp "$secret" --argjson codes "$codes" --arg project "$project" \
  '{amyPassword: "amy-password-release", bobPassword: "bob-password-release", apiToken: $api,
    totpSecret: $totp, unusedBackupCodes: $codes[1:], genomesProject: $project}' >"$out.json"
echo "made $out.db and $out.json"
