#!/usr/bin/env bash
# The time from a revoke elsewhere to the console's login screen, with the
# real binary as a person sees it: `latch serve` with SSH; the console runs
# in a detached 80x24 tmux pane, either on this machine (`latch` against the
# server) or over SSH (`ssh -tt`); once it is signed in, its session is
# revoked with the API (curl, as another terminal would) and the pane is
# read every few milliseconds until the login screen shows. N runs of each
# (default 10), alternating; prints each kind's median and every sample.
# Usage: e2e/bench/revoke.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-10}
for tool in ssh tmux curl; do command -v "$tool" >/dev/null || { echo "e2e/bench/revoke: no $tool" >&2; exit 1; }; done
tmp=$(mktemp -d)
bin="$tmp/latch"
session="latch-revoke-$$"
pid=""
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "e2e/bench/revoke: FAIL: $*" >&2; tmux capture-pane -p -t "$session" >&2 2>/dev/null || true; exit 1; }
screen() { tmux capture-pane -p -t "$session"; }
wait_for() {
  for _ in $(seq 1000); do screen | has -F -- "$1" && return 0; sleep 0.01; done
  fail "the screen never showed: $1"
}

go build -o "$bin" ./cmd/latch
db="$tmp/latch.db"
source e2e/lib.bash
port=$(pick_port)
sshport=$(( port + 1 ))
url="http://127.0.0.1:$port"
export LATCH_DATA_DIR="$tmp/data" HOME="$tmp"
"$bin" admin --db "$db" org create "Genomics Lab" --auto-logout-after 15m >/dev/null
echo 'bench-password-1' | "$bin" admin --db "$db" user create amy --password-stdin --org "Genomics Lab" >/dev/null
"$bin" serve --listen "127.0.0.1:$port" --db "$db" --ssh-listen "127.0.0.1:$sshport" 2>>"$tmp/serve.log" &
pid=$!
for _ in $(seq 100); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 100); do grep -q '"latch serving the console over SSH"' "$tmp/serve.log" && break; sleep 0.1; done

# Another terminal's session, for the revokes.
LATCH_CONFIG_DIR="$tmp/other" "$bin" login --server "$url" --username amy --password-stdin --noprojects <<<'bench-password-1' >/dev/null 2>&1
other=$(sed -n 's/.*"token": *"\([^"]*\)".*/\1/p' "$tmp/other/credentials.json")
[ -n "$other" ] || fail "no token for the other terminal"

# console KIND: opens the console of that kind, signed in, and prints the
# id of its session.
console() {
  local name
  if [ "$1" = local ]; then
    tmux new-session -d -s "$session" -x 80 -y 24 "LATCH_CONFIG_DIR=$tmp/console LATCH_SERVER=$url $bin; sleep 30"
    name="tui session"
  else
    tmux new-session -d -s "$session" -x 80 -y 24 "ssh -F /dev/null -p $sshport -o StrictHostKeyChecking=no \
      -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o IdentityAgent=none -o PasswordAuthentication=no \
      -o PubkeyAuthentication=no -tt amy@127.0.0.1; sleep 30"
    name="ssh session"
  fi
  wait_for "Sign in to latch"
  wait_for "Password"
  screen | has "Username  amy" || { tmux send-keys -t "$session" 'amy' Enter; sleep 0.2; }
  tmux send-keys -t "$session" 'bench-password-1' Enter
  wait_for "1 Projects"
  sleep 0.3 # the console's stream is open
  curl -fs "$url/v1/tokens" -H "Authorization: Bearer $other" | tr '{' '\n' |
    grep "\"name\":\"$name" | grep '"state":"active"' | sed -n 's/.*"id":"\(token-[^"]*\)".*/\1/p' | head -1
}

declare -A took
for i in $(seq "$n"); do
  for kind in local ssh; do
    id=$(console "$kind")
    [ -n "$id" ] || fail "no $kind console session listed"
    start=$(date +%s%N)
    curl -fs -X DELETE "$url/v1/tokens/$id" -H "Authorization: Bearer $other" >/dev/null || fail "revoke $id"
    wait_for "Sign in to latch"
    took[$kind]+="$(( ($(date +%s%N) - start) / 1000000 )) "
    tmux kill-session -t "$session"
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
for kind in local ssh; do
  echo "e2e/bench/revoke: $kind console, revoke → login screen: median $(echo "${took[$kind]}" | median) ms over $n (ms: ${took[$kind]% })"
done
