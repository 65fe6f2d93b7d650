// Package sqlite is the embedded store of latch: server.Store on a single
// SQLite file (modernc.org/sqlite, pure Go) in WAL mode with synchronous=FULL,
// so every acknowledged write survives a crash of the process.
//
// The queries and transactions are sqlstore's, shared with PostgreSQL; this
// package keeps what is SQLite's own: the connections and their pragmas,
// the migrations' SQL, and change detection (ChangeVersion, from the WAL
// index). Writes go through one connection whose transactions begin
// IMMEDIATE, so read-then-write transactions never deadlock; reads use a
// separate pool.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/keyfile"
	"github.com/latch-dev/latch/server/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Migrations are goose files (migrations/NNNN_name.sql is schema version
// NNNN). Never edit an applied file: add one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// dialect is how SQLite differs from PostgreSQL for sqlstore.
var dialect = sqlstore.Dialect{
	Name:         "sqlite",
	Bind:         sqlx.QUESTION,
	BytewiseText: true, // BINARY, the default collation
	Classify:     classify,
	TableExists:  `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`,
	Locked:       isBusy,
	LockWait:     busyTimeout,
}

// isBusy: the write found the database locked (SQLITE_BUSY and its
// extended codes); nothing was written.
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// Store implements server.Store and server.ChangeVersioner.
type Store struct {
	*sqlstore.Store
	w *sql.DB // one connection, BEGIN IMMEDIATE: every write
	r *sql.DB // read-only pool

	version *versionProbe
	shm     *shmWatch // nil when the WAL index cannot be mapped
}

var (
	_ server.Store           = (*Store)(nil)
	_ server.ChangeVersioner = (*Store)(nil)
)

// Options tune OpenWith.
type Options struct {
	// KeyFile is the server key file (default: keyfile.DefaultPath, beside
	// the database), made on first start.
	KeyFile string
}

// Open opens the database file at path with its key file beside it (see
// OpenWith).
func Open(path string) (*Store, error) { return OpenWith(path, Options{}) }

// OpenWith opens (creating when missing) the database file at path, its
// parent directory with mode 0700 and the file itself with mode 0600 (and
// with it SQLite's -wal and -shm, which take the database's mode), brings
// the schema up to date and opens the server key file (see
// sqlstore.UseKeys).
func OpenWith(path string, o Options) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open: need a plain file path, got %q", path)
	}
	if err := CheckPath(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	if o.KeyFile == "" {
		o.KeyFile = keyfile.DefaultPath(path)
	}
	ctx := context.Background()
	w, err := openWriter(ctx, path)
	if err != nil {
		return nil, err
	}
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err == nil {
		err = sqlstore.Migrate(ctx, w, migrations, dialect, nil)
	}
	if err != nil {
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
	st := &Store{Store: sqlstore.New(r, w, dialect), w: w, r: r, version: version}
	if shm, err := openShmWatch(path); err == nil {
		st.shm = shm
	}
	if err := st.UseKeys(ctx, o.KeyFile, true); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// createPrivate makes the database file, empty, with mode 0600 when it
// does not exist: SQLite would make it with 0644 less the umask, and it
// gives its -wal and -shm files the mode of the database.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	return f.Close()
}

// openWriter opens the pool of the one writing connection and connects.
// The first connection to a new file switches it to WAL, which takes the
// file to itself: another process connecting at that moment is told
// SQLITE_BUSY at once (SQLite does not wait there), so it tries again, for
// as long as the busy timeout lets any statement wait.
func openWriter(ctx context.Context, path string) (*sql.DB, error) {
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	deadline := time.Now().Add(busyTimeout)
	for {
		err = w.PingContext(ctx)
		if !isBusy(err) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return w, nil
}

// busyTimeout is how long a statement waits for a lock another connection
// holds. The writer waits in sqlstore (Dialect.Locked), looking often, not
// in SQLite's busy handler.
const busyTimeout = 5 * time.Second

// dsn sets the pragmas on every connection of the pool.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	wait := busyTimeout
	if !readOnly {
		wait = 0
	}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", wait.Milliseconds()))
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

// classify: unique violations are server.ErrConflict, references to a
// missing row (foreign keys) server.ErrNotFound.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return server.ErrConflict
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return server.ErrNotFound
		}
	}
	return nil
}
