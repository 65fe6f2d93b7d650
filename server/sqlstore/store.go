// Package sqlstore is server.Store written once for SQLite and PostgreSQL:
// one query text per operation (sqlx, `?` placeholders rebound for the
// engine) and one transaction logic. The engine packages, server/sqlite and
// server/postgres, open the connections, keep what only their engine has
// (WAL settings and change detection; the change-version counter, advisory
// lock and pool options) and describe the rest in a Dialect.
//
// Every write is a transaction (Store.write). Writes are serialized by the
// engine — SQLite's single writer connection, PostgreSQL's change_version
// row lock taken first in every write — so a read-then-write inside one
// transaction sees no other writer, and ids are handed out in commit order.
//
// Times are stored as fixed-width UTC text with nanoseconds (TimeLayout) in
// both engines, so they round-trip exactly and a SQLite file copies into
// PostgreSQL value for value (Import).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
)

// Dialect is what the two engines do differently, each difference one
// named field.
type Dialect struct {
	// Name prefixes every error ("sqlite", "postgres").
	Name string
	// Bind is the placeholder style queries are rebound to (sqlx.QUESTION,
	// sqlx.DOLLAR).
	Bind int
	// BytewiseText: the engine already orders text by bytes (SQLite's
	// BINARY), so the `COLLATE "C"` that queries carry where text must sort
	// by bytes is dropped.
	BytewiseText bool
	// BeginWrite, when set, is the first statement of every write
	// transaction (PostgreSQL: bump change_version), answering the
	// transaction's version in one row and column.
	BeginWrite string
	// Classify tells which engine errors are unique violations
	// (server.ErrConflict) and which are references to a missing row
	// (server.ErrNotFound); nil for any other error.
	Classify func(error) error
	// TableExists counts the tables named by its one placeholder where the
	// store keeps its tables.
	TableExists string
	// AfterImport runs at the end of Import (PostgreSQL: move identity
	// sequences past the copied ids).
	AfterImport []string
	// Locked, when set, tells that a write found the database locked by
	// another process and changed nothing (SQLite's SQLITE_BUSY, answered
	// at once: the writer has no busy timeout). The store tries again
	// every millisecond or so, for LockWait. SQLite's own busy wait backs
	// off to 100 ms between looks, and a process beside a busy server
	// (`latch admin`) could look for seconds without once finding the
	// lock free between the server's transactions; frequent looks find it.
	Locked   func(error) bool
	LockWait time.Duration
}

// PingTimeout bounds Ping, so a health check answers quickly when the
// database does not.
const PingTimeout = 2 * time.Second

// Store implements server.Store on two database/sql pools (the same one on
// PostgreSQL): r for reads, w for writes.
type Store struct {
	r, w *sqlx.DB
	d    Dialect
	keys *server.Keys // see UseKeys
	// committed, when set, runs after every commit of write with the
	// version BeginWrite answered, before write returns (see OnCommit).
	committed func(version int64)

	rebound sync.Map // query as written → query for this engine
}

// New returns the store on r (reads) and w (writes) of an engine described
// by d. The caller owns the pools and closes them.
func New(r, w *sql.DB, d Dialect) *Store {
	return &Store{r: sqlx.NewDb(r, d.Name), w: sqlx.NewDb(w, d.Name), d: d}
}

// q is query as this engine takes it (see rewrite), computed once per text.
func (s *Store) q(query string) string {
	if v, ok := s.rebound.Load(query); ok {
		return v.(string)
	}
	out := s.rewrite(query)
	s.rebound.Store(query, out)
	return out
}

// rewrite rebinds the placeholders of query and drops `COLLATE "C"` where
// text already sorts by bytes. Queries built per call (lists of values) go
// through it directly, so the cache of q holds only fixed texts.
func (s *Store) rewrite(query string) string {
	if s.d.BytewiseText {
		query = strings.ReplaceAll(query, ` COLLATE "C"`, "")
	}
	return sqlx.Rebind(s.d.Bind, query)
}

// in expands the slice arguments of query (`IN (?)`) and rewrites it.
func (s *Store) in(query string, args ...any) (string, []any, error) {
	query, args, err := sqlx.In(query, args...)
	if err != nil {
		return "", nil, err
	}
	return s.rewrite(query), args, nil
}

// Ping checks that the database answers within PingTimeout.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, PingTimeout)
	defer cancel()
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("%s: ping: %w", s.d.Name, err)
	}
	return nil
}

// errNoChange ends a write that changed nothing: it rolls back, so on
// PostgreSQL the change version stays and no instance empties its cache of
// authenticated tokens for nothing.
var errNoChange = errors.New("no change")

// write runs fn in one write transaction and commits it; fn returning
// errNoChange rolls it back and write returns nil.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sqlx.Tx) error) error {
	var tx *sqlx.Tx
	err := s.untilFree(ctx, func() (err error) {
		tx, err = s.w.BeginTxx(ctx, nil)
		return err
	})
	if err != nil {
		return s.wrap(op, err)
	}
	defer tx.Rollback()
	var version int64
	if s.d.BeginWrite != "" {
		if err := tx.QueryRowContext(ctx, s.d.BeginWrite).Scan(&version); err != nil {
			return s.wrap(op, err)
		}
	}
	if err := s.actorStands(ctx, tx); err != nil {
		return s.wrap(op, err)
	}
	if err := fn(tx); err != nil {
		if errors.Is(err, errNoChange) {
			return nil
		}
		return s.wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(op, err)
	}
	if s.committed != nil {
		s.committed(version)
	}
	return nil
}

// OnCommit has fn run after each commit of a write transaction, with its
// version, before the write returns: PostgreSQL waits there until every
// instance has dropped what the change made stale. Set it before use.
func (s *Store) OnCommit(fn func(version int64)) { s.committed = fn }

// exec is a write of one statement, answering how many rows it changed.
// A statement is atomic on its own: only an engine that puts a statement
// first in every write (BeginWrite) needs a transaction around it, and
// there one that changed nothing rolls back. Elsewhere (SQLite) it runs by
// itself, so the write lock is held for that statement alone, and `latch
// admin` beside a busy server gets its turn.
func (s *Store) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	if s.alone(ctx) {
		var n int64
		err := s.untilFree(ctx, func() (err error) {
			n, err = affected(s.w.ExecContext(ctx, s.q(query), args...))
			return err
		})
		return n, s.wrap(op, err)
	}
	var n int64
	err := s.write(ctx, op, func(tx *sqlx.Tx) error {
		var err error
		if n, err = affected(tx.ExecContext(ctx, s.q(query), args...)); err == nil && n == 0 {
			return errNoChange
		}
		return err
	})
	return n, err
}

// insertID is a write of one INSERT … RETURNING id, by itself where exec
// runs a statement by itself.
func (s *Store) insertID(ctx context.Context, op, query string, args ...any) (int64, error) {
	var id int64
	if s.alone(ctx) {
		return id, s.wrap(op, s.untilFree(ctx, func() error { return s.w.QueryRowContext(ctx, s.q(query), args...).Scan(&id) }))
	}
	err := s.write(ctx, op, func(tx *sqlx.Tx) error {
		return tx.QueryRowContext(ctx, s.q(query), args...).Scan(&id)
	})
	return id, err
}

// untilFree runs try, and again while the database is locked by another
// process (Dialect.Locked), for at most LockWait.
func (s *Store) untilFree(ctx context.Context, try func() error) error {
	err := try()
	if s.d.Locked == nil || err == nil || !s.d.Locked(err) {
		return err
	}
	deadline := time.Now().Add(s.d.LockWait)
	t := time.NewTimer(0)
	defer t.Stop()
	for s.d.Locked(err) && time.Now().Before(deadline) {
		t.Reset(time.Duration(200+rand.IntN(800)) * time.Microsecond)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
		err = try()
	}
	return err
}

// record inserts, in tx, the events audit names for what the change did
// (see server.Audit).
func (s *Store) record(ctx context.Context, tx *sqlx.Tx, audit server.Audit, o server.Outcome) error {
	if audit == nil {
		return nil
	}
	evs := audit(o)
	return s.insertRows(ctx, tx, insertEvent, len(evs), func(i int) []any { return eventArgs(evs[i]) })
}

// execAudited is exec of a change with its events: one transaction when
// there are events to write (none when the statement changed nothing), the
// statement by itself when audit is nil.
func (s *Store) execAudited(ctx context.Context, op string, audit server.Audit, query string, args ...any) (int64, error) {
	if audit == nil {
		return s.exec(ctx, op, query, args...)
	}
	var n int64
	err := s.write(ctx, op, func(tx *sqlx.Tx) error {
		var err error
		if n, err = affected(tx.ExecContext(ctx, s.q(query), args...)); err != nil {
			return err
		}
		if n == 0 {
			return errNoChange
		}
		return s.record(ctx, tx, audit, server.Outcome{})
	})
	return n, err
}

// updateAudited is updateOne with the change's events in its transaction.
func (s *Store) updateAudited(ctx context.Context, op, what string, audit server.Audit, query string, args ...any) error {
	if audit == nil {
		return s.updateOne(ctx, op, what, query, args...)
	}
	return s.write(ctx, op, func(tx *sqlx.Tx) error {
		if err := s.mustUpdate(ctx, tx, what, query, args...); err != nil {
			return err
		}
		return s.record(ctx, tx, audit, server.Outcome{})
	})
}

// change is exec answering whether a row changed.
func (s *Store) change(ctx context.Context, op, query string, args ...any) (bool, error) {
	n, err := s.exec(ctx, op, query, args...)
	return n > 0, err
}

// updateOne is exec of a statement that must change a row; none is
// ErrNotFound.
func (s *Store) updateOne(ctx context.Context, op, what, query string, args ...any) error {
	n, err := s.exec(ctx, op, query, args...)
	if err == nil && n == 0 {
		return s.wrap(op, notFound(what))
	}
	return err
}

// mustUpdate runs a statement in tx that must change at least one row.
func (s *Store) mustUpdate(ctx context.Context, tx *sqlx.Tx, what, query string, args ...any) error {
	n, err := affected(tx.ExecContext(ctx, s.q(query), args...))
	if err == nil && n == 0 {
		return notFound(what)
	}
	return err
}

// exists is ErrNotFound (through sql.ErrNoRows) when query finds no row.
func (s *Store) exists(ctx context.Context, tx *sqlx.Tx, query string, args ...any) error {
	var one int
	return tx.QueryRowContext(ctx, s.q(query), args...).Scan(&one)
}

func affected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// wrap adds context and classifies err: missing rows wrap server.ErrNotFound,
// unique violations server.ErrConflict, references to a missing row (foreign
// keys) server.ErrNotFound.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	prefix := s.d.Name + ": " + op
	if errors.Is(err, server.ErrNotFound) || errors.Is(err, server.ErrConflict) {
		return fmt.Errorf("%s: %w", prefix, err)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", prefix, server.ErrNotFound)
	}
	switch s.d.Classify(err) {
	case server.ErrConflict:
		return fmt.Errorf("%s: %w: %w", prefix, server.ErrConflict, err)
	case server.ErrNotFound:
		return fmt.Errorf("%s: referenced row: %w: %w", prefix, server.ErrNotFound, err)
	}
	return fmt.Errorf("%s: %w", prefix, err)
}

// notFound is a missing row found by a statement that affected nothing.
func notFound(what string) error {
	return fmt.Errorf("%s: %w", what, server.ErrNotFound)
}

// maxParams bounds the values of one statement: within SQLite's limit
// (32766) and PostgreSQL's (65535).
const maxParams = 30000

// insertRows inserts n rows with one statement per batch: insert names the
// table and columns, row(i) gives the values of row i.
func (s *Store) insertRows(ctx context.Context, tx *sqlx.Tx, insert string, n int, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	cols := len(row(0))
	tuple := "(?" + strings.Repeat(", ?", cols-1) + ")"
	per := maxParams / cols
	for start := 0; start < n; start += per {
		end := min(n, start+per)
		args := make([]any, 0, (end-start)*cols)
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		query := insert + " VALUES " + tuple + strings.Repeat(", "+tuple, end-start-1)
		if _, err := tx.ExecContext(ctx, s.rewrite(query), args...); err != nil {
			return err
		}
	}
	return nil
}

type scanner interface{ Scan(dest ...any) error }

// all reads every row of query with scan.
func all[T any](ctx context.Context, db sqlx.QueryerContext, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
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
