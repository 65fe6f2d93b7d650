# Shared by the e2e scripts: sourced, not run (.ci/run runs e2e/*.sh).

# pick_port [N] prints a port for a server to listen on, with the N-1
# ports after it free too (N defaults to 2: one more listener). It stays
# below the kernel's ephemeral range (32768 and up on Linux), where :0
# listeners and outgoing connections take theirs, so no other test can
# hold it by chance; one in use is skipped.
pick_port() {
  local n=${1:-2} p i busy
  for _ in $(seq 50); do
    p=$(( 20000 + RANDOM % 12000 )); busy=""
    for (( i = 0; i < n; i++ )); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$((p + i))") 2>/dev/null; then busy=1; break; fi
    done
    if [ -z "$busy" ]; then echo "$p"; return 0; fi
  done
  echo "e2e: no $n free ports found" >&2; return 1
}

# has PATTERN... is `grep -q` that reads all of its input first. Under
# pipefail, `cmd | grep -q x` fails when grep exits at the first match
# while cmd is still writing: cmd dies of SIGPIPE, and the pipe reports it.
has() { local in; in=$(cat); grep -q "$@" <<<"$in"; }
