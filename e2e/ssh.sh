#!/usr/bin/env bash
# End-to-end: the console over SSH with the real binary and OpenSSH's
# client. `latch serve --ssh-listen` runs; in a detached 80x24 tmux pane
# `ssh -tt` opens the console without a key (password login, projects,
# a token made and revoked); then a key registered with `latch ssh-key
# add` opens it without the password, runs `token create` without a
# terminal (the secret alone on stdout), runs `whoami` with a terminal and
# no key (the password asked there), keeps `select` on the server (the
# console and a restarted server see it), and SIGTERM ends the open
# session cleanly. Skips, saying why, without ssh, ssh-keygen or tmux.
set -euo pipefail
cd "$(dirname "$0")/.."
source e2e/lib.bash
for tool in ssh ssh-keygen tmux curl; do
  command -v "$tool" >/dev/null || {
    echo "e2e/ssh: no $tool (apt-get install openssh-client tmux curl)" >&2
    [ -n "${LATCH_REQUIRE_TOOLS:-}" ] && exit 1 # CI: a missing tool fails
    echo "e2e/ssh: skipped"; exit 0
  }
done
tmp=$(mktemp -d)
bin="$tmp/latch"
session="latch-ssh-e2e-$$"
pid=""
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
screen() { tmux capture-pane -p -t "$session"; }
fail() {
  echo "e2e/ssh: FAIL: $*" >&2
  echo "--- screen ---" >&2; screen >&2 2>/dev/null || true
  echo "--- serve.log ---" >&2; tail -5 "$tmp/serve.log" >&2 || true
  exit 1
}
wait_for() {
  for _ in $(seq 200); do
    screen | has -F -- "$1" && return 0
    sleep 0.05
  done
  fail "the screen never showed: $1"
}
keys() { tmux send-keys -t "$session" "$@"; sleep 0.1; }

go build -o "$bin" ./cmd/latch
db="$tmp/latch.db"
port=$(pick_port)
sshport=$(( port + 1 ))
url="http://127.0.0.1:$port"
export LATCH_DATA_DIR="$tmp/data" LATCH_CONFIG_DIR="$tmp/config" HOME="$tmp"
ssh_opts=(-F /dev/null -p "$sshport" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
  -o IdentityAgent=none -o PasswordAuthentication=no)

"$bin" admin --db "$db" org create "Genomics Lab" --auto-logout-after 15m >/dev/null
echo 'e2e-password-1' | "$bin" admin --db "$db" user create amy --password-stdin --org "Genomics Lab" >/dev/null
"$bin" admin --db "$db" project create "SAM importer test" >/dev/null
"$bin" admin --db "$db" project add-member "SAM importer test" amy CONTRIBUTE >/dev/null

"$bin" serve --listen "127.0.0.1:$port" --db "$db" --ssh-listen "127.0.0.1:$sshport" 2>>"$tmp/serve.log" &
pid=$!
for _ in $(seq 200); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
grep -q '"latch serving the console over SSH"' "$tmp/serve.log" || fail "no SSH listener in the log"
[ "$(stat -c %a "$tmp/data/ssh_host_ed25519_key")" = 600 ] || fail "host key not made with mode 0600"

# Without a key: the login screen, the username from the SSH user.
tmux new-session -d -s "$session" -x 80 -y 24 \
  "ssh ${ssh_opts[*]} -o PubkeyAuthentication=no -tt amy@127.0.0.1; sleep 30"
wait_for "Sign in to latch"
wait_for "Username  amy"
keys 'e2e-password-1' Enter
wait_for "1 Projects"
wait_for "SAM importer test"
keys 2
wait_for "API tokens"
keys n
wait_for "New API token"
keys 'e2e over ssh'
keys C-s
wait_for "has been generated"
secret=$(screen | grep -oE '\b[A-Za-z0-9]{32}\b' | head -1)
[ ${#secret} -eq 32 ] || fail "no secret on screen"
curl -fs "$url/v1/whoami" -H "Authorization: Bearer $secret" | has '"name":"e2e over ssh"' || fail "the token made over SSH does not work"
keys Enter
keys / ; keys 'e2e over' Enter x
wait_for "Revoke this token?"
keys y
wait_for "Revoked"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/v1/whoami" -H "Authorization: Bearer $secret")
[ "$code" = 401 ] || fail "the token revoked over SSH answered $code"
keys q
sleep 0.5
tmux kill-session -t "$session" 2>/dev/null || true

# A command with a terminal runs the command, not the console; without a
# key the password is asked there (not echoed).
tmux new-session -d -s "$session" -x 80 -y 24 \
  "ssh ${ssh_opts[*]} -o PubkeyAuthentication=no -tt amy@127.0.0.1 whoami; echo exit=\$?; sleep 60"
wait_for "Password for amy:"
keys 'e2e-password-1' Enter
wait_for "User:"
wait_for "signed in with password"
wait_for "exit=0"
if screen | has "e2e-password-1\|Sign in to latch"; then fail "the password was echoed, or the console opened"; fi
tmux kill-session -t "$session" 2>/dev/null || true

# A key, registered with the CLI.
ssh-keygen -q -t ed25519 -N '' -C amy@e2e -f "$tmp/id_ed25519"
echo 'e2e-password-1' | "$bin" login --server "$url" --username amy --password-stdin --noprojects >/dev/null 2>&1
echo 'e2e-password-1' | "$bin" ssh-key add --password-stdin "$tmp/id_ed25519.pub" | has "Added SSH key" || fail "ssh-key add"
"$bin" ssh-key list | has "amy@e2e" || fail "ssh-key list"

# Commands without a terminal: the secret alone on stdout.
ssh "${ssh_opts[@]}" -i "$tmp/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes amy@127.0.0.1 \
  token create --name ci >"$tmp/token.txt" 2>"$tmp/notice.txt" || fail "token create over SSH: $(cat "$tmp/notice.txt")"
[ "$(tr -d '\n' <"$tmp/token.txt" | wc -c)" -eq 32 ] || fail "stdout is not the secret alone: $(cat "$tmp/token.txt")"
grep -q "Created API token" "$tmp/notice.txt" || fail "no notice on stderr"
curl -fs "$url/v1/whoami" -H "Authorization: Bearer $(cat "$tmp/token.txt")" | has '"name":"ci"' || fail "the secret does not work"
set +e
ssh "${ssh_opts[@]}" -i "$tmp/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes amy@127.0.0.1 admin user list 2>/dev/null
rc=$?
set -e
[ "$rc" = 2 ] || fail "a command not offered over SSH exited $rc"

# The current project over SSH is kept by the server for the account.
ssh "${ssh_opts[@]}" -i "$tmp/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes amy@127.0.0.1 \
  select "'SAM importer test'" | has "kept on the server for your account" || fail "select over SSH"
ssh "${ssh_opts[@]}" -i "$tmp/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes amy@127.0.0.1 \
  whoami | has "Project: *SAM importer test" || fail "whoami over SSH does not show the project"

# With the key, the console opens without the password, with that
# project, and says the sign-in before it as sshd does: the command's,
# with the key.
tmux new-session -d -s "$session" -x 80 -y 24 \
  "ssh ${ssh_opts[*]} -i $tmp/id_ed25519 -o IdentitiesOnly=yes -tt amy@127.0.0.1; sleep 30"
wait_for "1 Projects"
wait_for "SAM importer test"
wait_for "project: SAM importer test"
wait_for "Last sign-in "
wait_for "(SSH command, key"
# Its activity: the commands' sign-ins with the key, the console's own.
keys 4
wait_for "Activity ·"
wait_for "SSH key"
wait_for "SSH console"

# SIGTERM ends the open session cleanly, with a word to the person.
kill -TERM "$pid"
if ! wait "$pid"; then fail "serve did not exit 0 on SIGTERM"; fi
pid=""
wait_for "The latch server is shutting down."
grep -q '"msg":"stopped"' "$tmp/serve.log" || fail "no clean shutdown in the log"
if grep -q "e2e-password\|$secret\|$(cat "$tmp/token.txt")" "$tmp/serve.log"; then fail "a secret reached the log"; fi

# After a restart the server still keeps amy's current project.
"$bin" serve --listen "127.0.0.1:$port" --db "$db" --ssh-listen "127.0.0.1:$sshport" 2>>"$tmp/serve.log" &
pid=$!
for _ in $(seq 200); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 200); do grep -c '"latch serving the console over SSH"' "$tmp/serve.log" | has 2 && break; sleep 0.1; done
ssh "${ssh_opts[@]}" -i "$tmp/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes amy@127.0.0.1 \
  whoami | has "Project: *SAM importer test" || fail "the current project did not survive a restart"
kill -TERM "$pid"; wait "$pid" || true; pid=""
echo "e2e/ssh: ok"
