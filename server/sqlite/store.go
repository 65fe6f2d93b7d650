// Package sqlite is the embedded store of latch: server.Store on a single
// SQLite file (modernc.org/sqlite, pure Go) in WAL mode with synchronous=FULL,
// so every acknowledged write survives a crash of the process.
//
// Writes go through one connection whose transactions begin IMMEDIATE, so
// read-then-write transactions never deadlock; reads use a separate pool.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/internal/schema"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Store implements server.Store.
type Store struct {
	w *sql.DB // one connection, BEGIN IMMEDIATE: every write
	r *sql.DB // read-only pool

	version *versionProbe
	shm     *shmWatch // nil when the WAL index cannot be mapped
}

var _ server.Store = (*Store)(nil)

// Open opens (creating when missing) the database file at path, its parent
// directory with mode 0700, and brings the schema up to date.
func Open(path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open: need a plain file path, got %q", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	ctx := context.Background()
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	version, err := openVersionProbe(path)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	st := &Store{w: w, r: r, version: version}
	if shm, err := openShmWatch(path); err == nil {
		st.shm = shm
	}
	return st, nil
}

// dsn sets the pragmas on every connection of the pool.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	var one int
	if err := s.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	return nil
}

// Close closes both pools.
func (s *Store) Close() error {
	// The WAL-index file last: closing it drops the process's locks on it,
	// which SQLite's connections must not lose while they are open.
	err := errors.Join(s.version.close(), s.r.Close(), s.w.Close())
	if s.shm != nil {
		err = errors.Join(err, s.shm.close())
	}
	return err
}

// inTx runs fn in one write transaction (BEGIN IMMEDIATE) and commits it.
func (s *Store) inTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return wrap(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(op, err)
	}
	return nil
}

// wrap adds context and classifies err: missing rows wrap server.ErrNotFound,
// unique violations server.ErrConflict, references to a missing row (foreign
// keys) server.ErrNotFound.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, server.ErrNotFound) || errors.Is(err, server.ErrConflict) {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", op, server.ErrNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("sqlite: %s: %w: %w", op, server.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("sqlite: %s: referenced row: %w: %w", op, server.ErrNotFound, err)
		}
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// notFound is a missing row found by a statement that affected nothing.
func notFound(what string) error {
	return fmt.Errorf("%s: %w", what, server.ErrNotFound)
}

// tm scans a stored time into *t; NULL is the zero time.
type tm struct{ t *time.Time }

func (x tm) Scan(v any) error {
	var s string
	switch v := v.(type) {
	case nil:
		*x.t = time.Time{}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("time column holds %T", v)
	}
	t, err := schema.ParseTime(s)
	if err != nil {
		return err
	}
	*x.t = t
	return nil
}

// inList is "?, ?, ?" for n values, and the values as arguments.
func inList[T any](vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", "), args
}
