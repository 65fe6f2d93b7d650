# Sourced by .ci/run: a throwaway PostgreSQL cluster for the store tests.
#
#   pg_start   initdb a cluster in a fresh temp dir, run it as an unprivileged
#              user on a unix socket inside that dir (no TCP port), create the
#              database latch_test and export LATCH_TEST_POSTGRES.
#   pg_stop    stop the server and remove the dir; safe to call at any time.
#
# It installs nothing: .ci/run apt-installs the postgresql package first.
# Locally: `source .ci/postgres.sh && pg_start`, run the tests, `pg_stop`.

pg_bin_dir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$d" ] && command -v pg_ctl >/dev/null 2>&1; then
    d=$(dirname "$(command -v pg_ctl)")
  fi
  [ -n "$d" ] || { echo "pg_start: no PostgreSQL server binaries (initdb, pg_ctl) found" >&2; return 1; }
  echo "$d"
}

# pg_as runs a command as the cluster's owner: the postgres system user (or
# nobody) when we are root, ourselves otherwise.
pg_as() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$LATCH_PG_USER" -- "$@"
  else
    "$@"
  fi
}

pg_start() {
  local bin
  bin=$(pg_bin_dir) || return 1
  LATCH_PG_BIN=$bin
  LATCH_PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/latch-pg.XXXXXX")
  LATCH_PG_USER=$(id -un)
  if [ "$(id -u)" = 0 ]; then
    if id -u postgres >/dev/null 2>&1; then LATCH_PG_USER=postgres; else LATCH_PG_USER=nobody; fi
    chown "$LATCH_PG_USER" "$LATCH_PG_DIR"
  fi
  chmod 0755 "$LATCH_PG_DIR" # the socket lives here; the data dir below stays 0700
  export LATCH_PG_BIN LATCH_PG_DIR LATCH_PG_USER

  pg_as "$bin/initdb" -D "$LATCH_PG_DIR/data" -U latch -A trust -E UTF8 --no-sync >"$LATCH_PG_DIR/initdb.log" 2>&1 || {
    cat "$LATCH_PG_DIR/initdb.log" >&2
    return 1
  }
  # A throwaway cluster: no fsync, nothing on TCP, enough connections for
  # the tests' pools (each conformance test opens two stores).
  pg_as "$bin/pg_ctl" -D "$LATCH_PG_DIR/data" -l "$LATCH_PG_DIR/server.log" -w -t 60 \
    -o "-k $LATCH_PG_DIR -c listen_addresses= -c port=5432 -c max_connections=300 -c fsync=off -c full_page_writes=off" \
    start >/dev/null || {
    cat "$LATCH_PG_DIR/server.log" >&2
    return 1
  }
  "$bin/createdb" -h "$LATCH_PG_DIR" -p 5432 -U latch latch_test || return 1
  export LATCH_TEST_POSTGRES="postgres://latch@/latch_test?host=$LATCH_PG_DIR&port=5432&sslmode=disable"
  echo "ci: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on $LATCH_PG_DIR (LATCH_TEST_POSTGRES set)"
}

pg_stop() {
  [ -n "${LATCH_PG_DIR:-}" ] || return 0
  if [ -f "$LATCH_PG_DIR/data/postmaster.pid" ]; then
    pg_as "$LATCH_PG_BIN/pg_ctl" -D "$LATCH_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 ||
      pg_as "$LATCH_PG_BIN/pg_ctl" -D "$LATCH_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$LATCH_PG_DIR"
  unset LATCH_PG_DIR LATCH_TEST_POSTGRES
}
