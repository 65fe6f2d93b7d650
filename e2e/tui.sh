#!/usr/bin/env bash
# End-to-end: the console as a person uses it. `latch demo` runs in a
# detached 80x24 tmux session; the script types through login → pick a
# project → create a token → copy it → revoke it, asserting on what
# `tmux capture-pane` shows after each step, and prints the time from
# start to the first frame. Exits non-zero on the first failed check.
set -euo pipefail
cd "$(dirname "$0")/.."
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
    screen | grep -qF -- "$1" && return 0
    sleep 0.05
  done
  fail "the screen never showed: $1"
}
refute() { if screen | grep -qF -- "$1"; then fail "the screen still shows: $1"; fi; }
keys() { tmux send-keys -t "$session" "$@"; }

go build -o "$bin" ./cmd/latch
start=$(date +%s%N)
tmux new-session -d -s "$session" -x 80 -y 24 "LATCH_CONFIG_DIR=$tmp/config HOME=$tmp $bin demo 2>$tmp/stderr"
wait_for "Sign in to latch"
echo "e2e/tui: first frame of latch demo after $(( ($(date +%s%N) - start) / 1000000 )) ms"

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
keys Escape a
wait_for "revoked"

# Log out, then quit.
keys L
wait_for "You logged out."
keys C-c
for _ in $(seq 50); do tmux has-session -t "$session" 2>/dev/null || break; sleep 0.1; done
if tmux has-session -t "$session" 2>/dev/null; then fail "ctrl+c did not quit"; fi
echo "e2e/tui: ok"
