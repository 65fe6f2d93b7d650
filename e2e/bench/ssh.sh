#!/usr/bin/env bash
# SSH consoles against a bare wish + Bubble Tea program of the same size,
# with real OpenSSH clients (e2e/bench/sshload), alternating, in one run:
#   e2e/bench/ssh.sh [sessions] [rounds]
# Ten users, ten consoles each. Prints one line per server and round: memory of the first session and
# per session at N, idle CPU with N open (% of one core), key → first
# byte p50/p99 with one session typing, goroutines before and 10 s after.
# CPU_PROFILE=FILE writes a pprof CPU profile of the last latch serve run,
# HEAP_PROFILE=FILE a heap profile of it (live once it stopped, and all
# that was allocated);
# LATCH_BIN=FILE measures that binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-100}; rounds=${2:-1}
for tool in ssh ssh-keygen curl; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
tmp=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$tmp"; }
trap cleanup EXIT
if [ -n "${LATCH_BIN:-}" ]; then cp "$LATCH_BIN" "$tmp/latch"; else go build -o "$tmp/latch" ./cmd/latch; fi
go build -o "$tmp/sshload" ./e2e/bench/sshload
go build -o "$tmp/barewish" ./e2e/bench/barewish
export LATCH_DATA_DIR="$tmp/data" LATCH_CONFIG_DIR="$tmp/config" HOME="$tmp"
ulimit -n 8192 2>/dev/null || true

source e2e/lib.bash
base=$(pick_port 5)
port=$base; sshport=$((base + 1)); mport=$((base + 2)); bport=$((base + 3)); bmport=$((base + 4))
url="http://127.0.0.1:$port"; db="$tmp/latch.db"
# Ten people with ten consoles each (the default limit per user), each
# with a key of their own, on twelve projects.
users=$(seq -f 'bench%02g' 1 10 | paste -sd, -)
"$tmp/latch" admin --db "$db" org create "Bench Lab" --auto-logout-after 15m >/dev/null
mkdir -p "$tmp/keys"
for u in ${users//,/ }; do
  echo 'bench-password-1' | "$tmp/latch" admin --db "$db" user create "$u" --password-stdin --org "Bench Lab" >/dev/null
  ssh-keygen -q -t ed25519 -N '' -C "$u@bench" -f "$tmp/keys/$u"
done
for i in $(seq -w 1 12); do
  "$tmp/latch" admin --db "$db" project create "project $i" >/dev/null
  for u in ${users//,/ }; do "$tmp/latch" admin --db "$db" project add-member "project $i" "$u" CONTRIBUTE >/dev/null; done
done

serve() {
  "$tmp/latch" serve --listen "127.0.0.1:$port" --db "$db" --ssh-listen "127.0.0.1:$sshport" \
    --metrics-listen "127.0.0.1:$mport" --log-level error \
    --ssh-max-sessions $((4 * n)) --ssh-max-per-addr $((2 * n)) "$@" 2>>"$tmp/serve.log" &
  latch_pid=$!; pids+=("$latch_pid")
  for _ in $(seq 100); do curl -fs "$url/healthz" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "bench: latch serve did not start: $(tail -3 "$tmp/serve.log")" >&2; exit 1
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
serve
for u in ${users//,/ }; do
  echo 'bench-password-1' | "$tmp/latch" login --server "$url" --username "$u" --password-stdin --noprojects >/dev/null 2>&1
  echo 'bench-password-1' | "$tmp/latch" ssh-key add --password-stdin "$tmp/keys/$u.pub" >/dev/null
done
stop "$latch_pid"

echo "ssh: $n sessions of 120x40, ssh -tt each in its own process; bare = wish + Bubble Tea at its default 60 frames a second, the same size"
for r in $(seq "$rounds"); do
  "$tmp/barewish" -listen "127.0.0.1:$bport" -host-key "$tmp/bare_key" -metrics "127.0.0.1:$bmport" & bpid=$!; pids+=("$bpid")
  sleep 0.5
  printf 'bare  '; "$tmp/sshload" -port "$bport" -users "$users" -key-dir "$tmp/keys" -n "$n" -pid "$bpid" -metrics "http://127.0.0.1:$bmport/"
  stop "$bpid"
  profargs=()
  [ -z "${CPU_PROFILE:-}" ] || profargs+=(--cpu-profile "$CPU_PROFILE")
  [ -z "${HEAP_PROFILE:-}" ] || profargs+=(--heap-profile "$HEAP_PROFILE")
  serve "${profargs[@]}"
  printf 'latch '; "$tmp/sshload" -port "$sshport" -users "$users" -key-dir "$tmp/keys" -n "$n" -pid "$latch_pid" ${SSHLOAD_ARGS:-} \
    -metrics "http://127.0.0.1:$mport/metrics"
  stop "$latch_pid"
done
