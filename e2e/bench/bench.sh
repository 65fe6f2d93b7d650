#!/usr/bin/env bash
# Every performance figure of SPEC.md in one run, each as a ratio against
# its baseline measured in the same run (this is `task bench`):
#   - GET /v1/whoami with an API token vs a bare net/http handler, wrk,
#     alternating, at 2, 16 and 32 connections: SQLite, then PostgreSQL
#     (its own throwaway cluster unless LATCH_TEST_POSTGRES is set);
#   - SSH consoles (real `ssh -tt` clients, 120x40, one process each) vs a
#     bare wish + Bubble Tea program of the same size: memory of the
#     first session and per session at N, idle CPU with N open, key → first
#     byte p50/p99 with one typing, goroutines 10 s after the last closed.
# Knobs: BENCH_SECONDS (per wrk run, 3), BENCH_ROUNDS (alternations, 5),
# BENCH_SESSIONS (100). Needs wrk, ssh, ssh-keygen, curl; PostgreSQL's
# server binaries for the PostgreSQL part (skipped, saying so, without).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${BENCH_SECONDS:-3}; rounds=${BENCH_ROUNDS:-5}; sessions=${BENCH_SESSIONS:-100}
out=$(mktemp -d); started_pg=""
cleanup() { [ -n "$started_pg" ] && pg_stop >/dev/null 2>&1; rm -rf "$out"; }
trap cleanup EXIT

# median of the ratio=… fields of one whoami.sh line, with their range:
# single runs on a shared 2-core machine scatter by ±0.1, so the range is
# part of the figure.
median() { tr ' ' '\n' | sed -n 's/^ratio=//p' | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%s(%s-%s)\n", a[int((NR+1)/2)], a[1], a[NR]; else print "-"}'; }
whoami() { # engine
  bash e2e/bench/whoami.sh "$1" "$secs" "$rounds" >"$out/$1.txt"
  for c in 2 16 32; do
    printf '%s %s %s\n' "$1" "$c" "$(grep "^c=$c " "$out/$1.txt" | median)"
  done
}

echo "== whoami vs bare (wrk, ${secs}s x $rounds alternations)"
whoami sqlite >"$out/ratios"
if [ -z "${LATCH_TEST_POSTGRES:-}" ]; then
  # shellcheck source=/dev/null
  source .ci/postgres.sh
  if pg_start >/dev/null 2>&1; then started_pg=1; fi
fi
if [ -n "${LATCH_TEST_POSTGRES:-}" ]; then
  whoami postgres >>"$out/ratios"
else
  echo "bench: no PostgreSQL (no server binaries for .ci/postgres.sh): its rows are skipped" >&2
fi
ratio() { awk -v e="$1" -v c="$2" '$1 == e && $2 == c {print $3}' "$out/ratios"; }
echo "median of the runs (lowest-highest single run)"
printf '%-26s %16s %16s %16s\n' "" "2 conns" "16" "32"
printf '%-26s %16s %16s %16s   target ≥ 0.7 / 0.8 / 0.8\n' "SQLite whoami / bare" "$(ratio sqlite 2)" "$(ratio sqlite 16)" "$(ratio sqlite 32)"
printf '%-26s %16s %16s %16s   target ≥ 0.6 / 0.8\n' "PostgreSQL whoami / bare" "$(ratio postgres 2)" "$(ratio postgres 16)" "$(ratio postgres 32)"
for e in sqlite postgres; do [ -s "$out/$e.txt" ] && sed "s/^/  $e /" "$out/$e.txt"; done

echo
echo "== SSH: $sessions consoles vs bare wish + Bubble Tea"
bash e2e/bench/ssh.sh "$sessions" 1 >"$out/ssh.txt"
field() { sed -n "s/^$1 .* $2=\([^ ]*\).*/\1/p" "$out/ssh.txt" | head -1; }
row() { # label field unit target
  local b l
  b=$(field bare "$2"); l=$(field latch "$2")
  printf '%-34s %10s %10s %8s   %s\n' "$1" "$l$3" "$b$3" "$(awk -v l="$l" -v b="$b" 'BEGIN { if (b > 0) printf "%.2f", l/b; else print "-" }')" "$4"
}
printf '%-34s %10s %10s %8s\n' "" "latch" "bare" "ratio"
row "first session (RSS)" first_kib " KiB" "target ≤ 4 MiB"
row "per session at N (RSS)" per_kib " KiB" "target ≤ 1 MiB"
row "idle CPU, N open (% of a core)" idle_cpu "%" "target ≤ 5%"
row "key → first byte p50" p50_ms " ms" ""
row "key → first byte p99" p99_ms " ms" "target < 16 ms"
row "goroutines before" goroutines_base "" ""
row "goroutines 10 s after all closed" goroutines_after "" "target: back to before"
sed 's/^/  /' "$out/ssh.txt"
