package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/latch-dev/latch/server/postgres"
	"github.com/latch-dev/latch/server/sqlite"
)

// withPostgresOptions puts `latch serve --pool-size N --statement-timeout D`
// into the database URL, as the pgx parameters pool_max_conns and
// statement_timeout (milliseconds); zero values leave the URL as it is.
func withPostgresOptions(db string, poolSize int, statementTimeout time.Duration) (string, error) {
	if poolSize == 0 && statementTimeout == 0 {
		return db, nil
	}
	if !postgres.IsURL(db) {
		return "", errors.New("--pool-size and --statement-timeout apply to a PostgreSQL --db (postgres://…)")
	}
	if poolSize < 0 || statementTimeout < 0 {
		return "", errors.New("--pool-size and --statement-timeout must be positive")
	}
	if statementTimeout > 0 && statementTimeout < time.Millisecond {
		return "", errors.New("--statement-timeout must be at least 1ms")
	}
	u, err := url.Parse(db)
	if err != nil {
		// The parse error quotes the URL, password and all: leave it out.
		return "", errors.New("--db is not a URL these flags can extend: put pool_max_conns and statement_timeout (ms) in the URL itself")
	}
	q := u.Query()
	if poolSize > 0 {
		q.Set("pool_max_conns", strconv.Itoa(poolSize))
	}
	if statementTimeout > 0 {
		q.Set("statement_timeout", strconv.FormatInt(statementTimeout.Milliseconds(), 10))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

const migrateUsage = `usage: latch admin migrate --from FILE --to postgres://USER:PASSWORD@HOST/DB

Copies everything in the SQLite database FILE (default: --db, else latch.db in
the data dir) into the PostgreSQL database at --to, which must hold no latch
data yet, in one transaction. Stop the servers on FILE first.`

// adminMigrate is `latch admin migrate`: SQLite file → PostgreSQL.
func adminMigrate(ctx context.Context, e *env, db string, args []string) int {
	fset := newFlagSet("latch admin migrate", e.stderr)
	from := fset.String("from", "", "SQLite file to copy from")
	to := fset.String("to", "", "postgres:// URL of the database to copy into")
	fset.Usage = func() { fmt.Fprintln(e.stderr, migrateUsage) }
	pos, err := parseFlags(fset, args)
	if err != nil {
		return usageExit(err)
	}
	if len(pos) != 0 || !postgres.IsURL(*to) {
		return failf(e.stderr, exitUsage, "%s", migrateUsage)
	}
	if *from == "" {
		*from = db
	}
	if *from == "" {
		if *from, err = defaultDBPath(e.getenv); err != nil {
			return failf(e.stderr, exitError, "%v", err)
		}
	}
	if postgres.IsURL(*from) {
		return failf(e.stderr, exitUsage, "--from must be a SQLite file, not a URL")
	}
	if _, err := os.Stat(*from); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return failf(e.stderr, exitError, "no SQLite database at %s", *from)
		}
		return failf(e.stderr, exitError, "%v", err)
	}
	src, err := sqlite.Open(*from)
	if err != nil {
		return failf(e.stderr, exitError, "open %s: %v", *from, err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *to, postgres.Options{})
	if err != nil {
		return failf(e.stderr, exitError, "open %s: %v", redactDSN(*to), err)
	}
	defer dst.Close()
	stats, err := dst.Import(ctx, src)
	if err != nil {
		return failf(e.stderr, exitError, "migrate: %v", err)
	}
	fmt.Fprintf(e.stdout, "copied %s\nfrom %s to %s\nstart every instance with: latch serve --db '%s'\n",
		stats, *from, redactDSN(*to), redactDSN(*to))
	return exitOK
}
