#!/usr/bin/env bash
# End-to-end: the console as a person uses it. `latch demo` runs in a
# detached 80x24 tmux session; the script types through login → pick a
# project → create a token → copy it → revoke it; then, from another
# terminal (the CLI), makes a token, fails a sign-in and revokes the
# console's session while it is open, and checks the console shows them by
# itself; signs in again (the last sign-in and the failure said), reads the
# Activity tab (filter, details, a new event arriving live) — asserting
# on what `tmux capture-pane` shows after each step. It prints the time from
# start to the first frame and from the revoke to the login screen. Exits
# non-zero on the first failed check.
set -euo pipefail
cd "$(dirname "$0")/.."
source e2e/lib.bash
command -v tmux >/dev/null || { echo "e2e/tui: tmux is not installed (apt-get install tmux)" >&2; exit 1; }
tmp=$(mktemp -d)
bin="$tmp/latch"
session="latch-e2e-$$"
cleanup() { tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
screen() { tmux capture-pane -p -t "$session"; }
fail() { echo "e2e/tui: FAIL: $*" >&2; echo "--- screen ---" >&2; screen >&2 || true; exit 1; }
# wait_for TEXT: poll the screen up to 10 s.
wait_for() {
  for _ in $(seq 200); do
    screen | has -F -- "$1" && return 0
    sleep 0.05
  done
  fail "the screen never showed: $1"
}
refute() { if screen | has -F -- "$1"; then fail "the screen still shows: $1"; fi; }
keys() { tmux send-keys -t "$session" "$@"; }

go build -o "$bin" ./cmd/latch
start=$(date +%s%N)
tmux new-session -d -s "$session" -x 80 -y 24 "LATCH_CONFIG_DIR=$tmp/config HOME=$tmp $bin demo 2>$tmp/stderr"
wait_for "Sign in to latch"
echo "e2e/tui: first frame of latch demo after $(( ($(date +%s%N) - start) / 1000000 )) ms"
url=$(screen | grep -m1 -oE 'http://127\.0\.0\.1:[0-9]+' || true)
[ -n "$url" ] || fail "no server address on the login screen"

# Login: the demo account is prefilled and its password shown.
wait_for "password amy-demo-password"
keys 'amy-demo-password' Enter
wait_for "1 Projects"
wait_for "auto-logout in 1"
wait_for "SAM importer test"
wait_for "Scratch Project"

# Projects: include VIEW ones, pick Scratch Project.
keys v
wait_for "Reference genomes"
keys / ; keys 'Scratch' Enter Enter
wait_for "Current project: Scratch Project"

# Tokens: create one (90 days, one project), see the secret once, copy.
keys 2
wait_for "API tokens"
wait_for "tui session"
keys n
wait_for "New API token"
keys 'e2e upload' Tab Right Tab Right Tab Space
keys C-s
wait_for "has been generated"
secret=$(screen | grep -oE '\b[A-Za-z0-9]{32}\b' | head -1)
[ ${#secret} -eq 32 ] || fail "no 32-character secret on screen"
keys c
wait_for "Sent to the clipboard"
keys Enter
wait_for "Token “e2e upload” created"
refute "$secret"

# Revoke it, with the confirmation.
keys / ; keys 'e2e' Enter
keys x
wait_for "Revoke this token?"
keys y
wait_for "Revoked “e2e upload”."
refute "No such"
# Esc clears the filter (sent alone: esc then a at once reads as alt+a).
keys Escape
wait_for "/ to filter"
keys a
wait_for "active, "
screen | has "e2e upload .* revoked" || fail "the revoked token is not listed as revoked"

# Another terminal, on the same server: what it does shows here without a
# key pressed.
other() { LATCH_CONFIG_DIR="$tmp/other" HOME="$tmp" "$bin" "$@"; }
keys a
wait_for "4 active" # the CLI's session below makes it 5
other login --server "$url" --username amy --password-stdin --noprojects <<<'amy-demo-password' >/dev/null 2>&1 || fail "latch login from another terminal failed"
wait_for "5 active"
other token create --name "made elsewhere" >/dev/null 2>&1 || fail "latch token create failed"
wait_for "made elsewhere"
# A wrong password from a third terminal: the next sign-in says so.
LATCH_CONFIG_DIR="$tmp/third" HOME="$tmp" "$bin" login --server "$url" --username amy --password-stdin --noprojects <<<'not-the-password' >/dev/null 2>&1 \
  && fail "a wrong password logged in"
console_token=$(other token list --json | awk '/"id":/ {id=$2} /"name": "tui session/ {tui=1} /"state":/ {if (tui && $2 ~ /active/) print id; tui=0}' | tr -d '",')
[ -n "$console_token" ] || fail "the console's session is not listed"
start=$(date +%s%N)
other token revoke "$console_token" --yes >/dev/null 2>&1 || fail "latch token revoke failed"
wait_for "Your session was revoked elsewhere"
echo "e2e/tui: revoke from another terminal → login screen after $(( ($(date +%s%N) - start) / 1000000 )) ms (polled every 50 ms)"
# Keys meant for the tokens screen do not become part of a password.
keys n x
wait_for "Keys typed until then"
keys Enter
keys 'amy-demo-password' Enter
wait_for "1 Projects"
# As sshd does: the sign-in before this one (the CLI's) and the failure since.
wait_for "Last sign-in "
wait_for "(CLI, password)"
wait_for "1 failed sign-in attempt since then"

# Activity: newest first, the failure with its client, details on enter,
# the filter, and what another terminal does arriving live.
keys 4
refute "Last sign-in " # a key takes the note away
wait_for "Activity ·"
wait_for "sign-in failed"
wait_for "token created"
wait_for "CLI"
keys / ; keys 'fail' Enter
wait_for "sign-in failed"
refute "token created"
keys Enter
wait_for "wrong username or password"
wait_for "Event id"
keys Escape
wait_for "/ fail"
keys Escape
wait_for "/ to filter by kind"
other token create --name "made while watching" >/dev/null 2>&1 || fail "latch token create failed"
# Older "token created" rows are on screen already: wait for the new one
# to be the top row, as it arrives live.
top() { screen | grep -m1 -E "token created|signed in|sign-in failed"; }
for _ in $(seq 200); do top | has "token created" && break; sleep 0.05; done
top | has "token created" || fail "the new event is not at the top"
keys 2
wait_for "made while watch"

# Log out, then quit.
keys L
wait_for "You logged out."
keys C-c
for _ in $(seq 50); do tmux has-session -t "$session" 2>/dev/null || break; sleep 0.1; done
if tmux has-session -t "$session" 2>/dev/null; then fail "ctrl+c did not quit"; fi
echo "e2e/tui: ok"
