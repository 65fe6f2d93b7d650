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
// Times are stored as fixed-width UTC text with nanoseconds, like the SQLite
// store, so they round-trip exactly; see migrations/0001_init.sql.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
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
}

// DefaultStatementTimeout bounds every statement when neither the URL nor
// Options set one: a request waits at most this long on a stuck database.
const DefaultStatementTimeout = 10 * time.Second

// PingTimeout bounds Ping, so /healthz answers quickly when the database
// does not.
const PingTimeout = 2 * time.Second

// Store implements server.Store and server.ChangeVersioner.
type Store struct {
	pool    *pgxpool.Pool
	version *versionReader
}

var (
	_ server.Store           = (*Store)(nil)
	_ server.ChangeVersioner = (*Store)(nil)
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
	s := &Store{pool: pool}
	s.version = &versionReader{s: s, maxInflight: maxVersionReads}
	return s, nil
}

// Ping checks that the database answers within PingTimeout.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, PingTimeout)
	defer cancel()
	var one int
	if err := s.pool.QueryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// ChangeVersion implements server.ChangeVersioner: the counter every write
// transaction bumps. It is read in a snapshot taken after the call began,
// so it reflects every commit, by any instance, that returned before; a
// changed value is seen at once everywhere. Concurrent callers share reads
// (see versionReader), so a busy instance sends few of them.
func (s *Store) ChangeVersion(ctx context.Context) (int64, error) {
	return s.version.read(ctx)
}

// querier is what pool and transaction have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// errNoChange ends a write transaction that changed nothing: it rolls back,
// so the change version stays and no cache is emptied for nothing.
var errNoChange = errors.New("no change")

const bumpVersion = `UPDATE change_version SET version = version + 1, xact = txid_current() WHERE id = 1`

// write runs fn in a transaction that first bumps the change version, and
// commits it (or rolls back when fn returns errNoChange, and returns nil).
func (s *Store) write(ctx context.Context, op string, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap(op, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, bumpVersion); err != nil {
		return wrap(op, err)
	}
	if err := fn(tx); err != nil {
		if errors.Is(err, errNoChange) {
			return nil
		}
		return wrap(op, err)
	}
	return wrap(op, tx.Commit(ctx))
}

// exec is a write of one statement.
func (s *Store) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	var n int64
	err := s.write(ctx, op, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, query, args...)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// wrap adds context and classifies err: missing rows wrap server.ErrNotFound,
// unique violations server.ErrConflict, references to a missing row (foreign
// keys) server.ErrNotFound.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, server.ErrNotFound) || errors.Is(err, server.ErrConflict) {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", op, server.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("postgres: %s: %w: %w", op, server.ErrConflict, err)
		case "23503": // foreign_key_violation
			return fmt.Errorf("postgres: %s: referenced row: %w: %w", op, server.ErrNotFound, err)
		}
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// notFound is a missing row found by a statement that affected nothing.
func notFound(what string) error {
	return fmt.Errorf("%s: %w", what, server.ErrNotFound)
}

// tm scans a stored time into *t; NULL is the zero time.
type tm struct{ t *time.Time }

func (x tm) ScanText(v pgtype.Text) error {
	if !v.Valid {
		*x.t = time.Time{}
		return nil
	}
	t, err := schema.ParseTime(v.String)
	if err != nil {
		return err
	}
	*x.t = t
	return nil
}

func kindStrings(kinds []server.TokenKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

// collect reads every row with scan.
func collect[T any](rows pgx.Rows, err error, scan func(pgx.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
