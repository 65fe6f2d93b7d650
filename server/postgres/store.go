// Package postgres is the store of latch for several server instances:
// server.Store on a shared PostgreSQL database, through a jackc/pgx pool.
//
// Every write is a transaction whose first statement bumps the one-row
// change_version table. That row lock serializes the writes of every
// instance (as SQLite's single writer does on one machine), which gives two
// guarantees the domain relies on:
//
//   - ChangeVersion, one cheap SELECT, changes with every commit of any
//     instance, in the same transaction as the data, so the service's cache
//     of authenticated tokens never serves a token revoked anywhere (rule 6);
//   - identity values (event ids) are handed out in commit order, so a
//     stream that follows events by id never skips one committed late.
//
// Statement triggers bump the counter for writes made outside this package
// (an operator's psql session), so no commit goes unseen.
//
// The queries and transactions are sqlstore's, shared with SQLite, run
// through database/sql on the same pgx pool that ChangeVersion reads; this
// package keeps what is PostgreSQL's own: the pool and session options,
// the migrations' SQL and their advisory lock, and the change version.
// Times are stored as fixed-width UTC text with nanoseconds, like the SQLite
// store, so they round-trip exactly; see migrations/0001_init.sql.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/sqlstore"
)

// Options tune Open. Zero values keep what the URL says, else the defaults.
type Options struct {
	// PoolSize is the most connections this instance opens (the URL's
	// pool_max_conns; default: pgxpool's, max(4, CPUs)).
	PoolSize int
	// StatementTimeout cancels any statement that runs longer (the URL's
	// statement_timeout; default DefaultStatementTimeout).
	StatementTimeout time.Duration
	// Schema puts latch's tables in that schema, created when missing
	// (default: the URL's search_path, else the server's, usually public).
	Schema string
	// KeyFile is the server key file, required: every instance reads the
	// same one (`latch serve --secret-key-file`). It is made when missing
	// and the database has no key yet (the first instance); copy it to the
	// others. An instance with another key file refuses to start.
	KeyFile string
}

// DefaultStatementTimeout bounds every statement when neither the URL nor
// Options set one: a request waits at most this long on a stuck database.
const DefaultStatementTimeout = 10 * time.Second

// PingTimeout bounds Ping, so /healthz answers quickly when the database
// does not.
const PingTimeout = sqlstore.PingTimeout

// ImportStats counts what Import copied.
type ImportStats = sqlstore.ImportStats

// ErrNotEmpty is Import's answer when the database already holds latch data.
var ErrNotEmpty = sqlstore.ErrNotEmpty

// dialect is how PostgreSQL differs from SQLite for sqlstore.
var dialect = sqlstore.Dialect{
	Name: "postgres",
	Bind: sqlx.DOLLAR,
	// Taking the counter's row lock first serializes the writes of every
	// instance; txid_current() spares the triggers a second bump.
	BeginWrite:  `UPDATE change_version SET version = version + 1, xact = txid_current() WHERE id = 1 RETURNING version`,
	Classify:    classify,
	TableExists: `SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = ?`,
	AfterImport: []string{setval("orgs"), setval("users"), setval("events")},
}

// setval moves the identity sequence of table past the ids copied into it,
// so new rows continue after them.
func setval(table string) string {
	return `SELECT setval(pg_get_serial_sequence('` + table + `', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM ` + table
}

// Store implements server.Store and server.ChangeVersioner.
type Store struct {
	*sqlstore.Store
	pool    *pgxpool.Pool
	db      *sql.DB // database/sql over pool, for sqlstore
	version *versionReader
	watch   *watcher // the listener and cache lease (lease.go)
}

var (
	_ server.Store           = (*Store)(nil)
	_ server.ChangeVersioner = (*Store)(nil)
	_ server.CachedVersioner = (*Store)(nil)
)

// IsURL tells a PostgreSQL connection URL from a file path.
func IsURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Open connects to the database at url (postgres://user:pass@host:port/db?…;
// pgx's parameters apply, e.g. pool_max_conns, sslmode), brings the schema up
// to date under an advisory lock, so that instances starting together
// migrate once, and returns the store.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	s, err := open(ctx, url, opts)
	return s, RedactError(err, url)
}

func open(ctx context.Context, url string, opts Options) (*Store, error) {
	if opts.KeyFile == "" {
		return nil, errors.New("postgres: a server key file is required (--secret-key-file): every instance must read the same one")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	rp := cfg.ConnConfig.RuntimeParams
	if opts.PoolSize < 0 || opts.StatementTimeout < 0 {
		return nil, errors.New("postgres: pool size and statement timeout must not be negative")
	}
	if opts.PoolSize > 0 {
		cfg.MaxConns = int32(opts.PoolSize)
	}
	if opts.StatementTimeout > 0 {
		rp["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	} else if rp["statement_timeout"] == "" {
		rp["statement_timeout"] = strconv.FormatInt(DefaultStatementTimeout.Milliseconds(), 10)
	}
	if rp["idle_in_transaction_session_timeout"] == "" {
		// A transaction holds the change_version lock: an instance that
		// stalls inside one must not hold every other writer for long.
		rp["idle_in_transaction_session_timeout"] = "60000"
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// An unreachable host otherwise takes the system's TCP timeout.
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	// An acknowledged write is never lost, whatever the database's default.
	rp["synchronous_commit"] = "on"
	rp["timezone"] = "UTC"
	if rp["application_name"] == "" {
		rp["application_name"] = "latch"
	}
	if opts.Schema != "" {
		rp["search_path"] = pgx.Identifier{opts.Schema}.Sanitize()
	}
	if err := migrate(ctx, cfg.ConnConfig, opts.Schema); err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// database/sql keeps no idle connections of its own here: each
	// statement borrows one from pool, which ChangeVersion shares.
	db := stdlib.OpenDBFromPool(pool)
	s := &Store{Store: sqlstore.New(db, db, dialect), pool: pool, db: db}
	s.version = &versionReader{s: s, maxInflight: maxVersionReads}
	var channel string
	var v int64
	if err := pool.QueryRow(ctx, `SELECT latch_channel(), version FROM change_version WHERE id = 1`).Scan(&channel, &v); err != nil {
		s.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s.watch = newWatcher(cfg.ConnConfig, pool, channel, v)
	s.Store.OnCommit(s.watch.awaitAcks)
	if err := s.UseKeys(ctx, opts.KeyFile, true); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close gives up the cache lease and closes the pool.
func (s *Store) Close() error {
	if s.watch != nil {
		s.watch.close()
	}
	err := s.db.Close()
	s.pool.Close()
	return err
}

// ChangeVersion implements server.ChangeVersioner: the counter every write
// transaction bumps. It is read in a snapshot taken after the call began,
// so it reflects every commit, by any instance, that returned before; a
// changed value is seen at once everywhere. Concurrent callers share reads
// (see versionReader), so a busy instance sends few of them.
func (s *Store) ChangeVersion(ctx context.Context) (int64, error) {
	return s.version.read(ctx)
}

// CachedVersion implements server.CachedVersioner: the change version as
// the listener last heard it, while this store holds a trusted cache lease
// (lease.go). Every write, by any instance or `latch admin`, returns only
// after every trusted lease took its version in, so the answer reflects
// every commit that returned before the call, as ChangeVersion's does,
// without a round trip.
func (s *Store) CachedVersion() (int64, bool) { return s.watch.cached() }

// classify: unique violations are server.ErrConflict, references to a
// missing row (foreign keys) server.ErrNotFound.
func classify(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return server.ErrConflict
		case "23503": // foreign_key_violation
			return server.ErrNotFound
		}
	}
	return nil
}
