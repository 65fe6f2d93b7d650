package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
	"github.com/pressly/goose/v3/lock"
)

// Migrate brings the schema of db up to date with the goose migrations in
// fsys (NNNN_name.sql is version NNNN), each in its own transaction.
//
// Versions are recorded in schema_migrations, the table latch's own runner
// kept before goose, one row per applied version: a database that runner
// made is continued where it stopped, and a binary of either kind refuses a
// schema newer than it knows. locker (nil: none) makes instances that start
// together take turns.
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS, d Dialect, locker lock.SessionLocker) error {
	table := &versionTable{d: d}
	opts := []goose.ProviderOption{
		goose.WithStore(table),
		goose.WithDisableGlobalRegistry(true),
		goose.WithLogger(goose.NopLogger()),
	}
	if locker != nil {
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	table.known = SchemaVersion(fsys)
	deadline := time.Now().Add(d.LockWait)
	for {
		// A new provider each time: goose makes sure of its version table
		// once per provider, so one whose first look was refused (another
		// process held the file) would go on to read a table nobody made.
		p, err := goose.NewProvider(goose.DialectCustom, db, fsys, opts...)
		if err != nil {
			return fmt.Errorf("%s: migrate: %w", d.Name, err)
		}
		_, err = p.Up(ctx)
		if err == nil {
			return nil
		}
		if d.Locked != nil && d.Locked(err) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond) // another process is writing: look again soon
			continue
		}
		// Without a locker (SQLite), processes opening a new file at once
		// may try the same step; the one that loses fails on what the other
		// made (and could never record the version twice). While the
		// record shows another process got further, go on from there.
		seen := table.seen
		if v, verr := p.GetDBVersion(ctx); locker != nil || errors.Is(err, errNewer) || verr != nil || v <= seen {
			return fmt.Errorf("%s: migrate: %w", d.Name, err)
		}
	}
}

// SchemaVersion is the version the migrations in fsys bring a database to.
func SchemaVersion(fsys fs.FS) int64 {
	names, _ := fs.Glob(fsys, "*.sql")
	var v int64
	for _, name := range names {
		if n, err := goose.NumericComponent(name); err == nil {
			v = max(v, n)
		}
	}
	return v
}

var errNewer = errors.New("the database schema is newer than this program knows")

// versionTable is goose's record of applied versions, kept in
// schema_migrations (version, applied_at) as latch's runner before goose
// kept it. goose's version 0, which marks the record's creation, is the
// table itself and has no row.
type versionTable struct {
	d     Dialect
	known int64 // the latest version this program has
	seen  int64 // the latest version recorded when goose last asked
}

var _ database.StoreExtender = (*versionTable)(nil)

func (*versionTable) Tablename() string { return "schema_migrations" }

func (t *versionTable) TableExists(ctx context.Context, db database.DBTxConn) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, sqlx.Rebind(t.d.Bind, t.d.TableExists), t.Tablename()).Scan(&n)
	return n > 0, err
}

func (t *versionTable) CreateVersionTable(ctx context.Context, db database.DBTxConn) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`)
	return err
}

// Insert records version; a version recorded already (by another process)
// fails, and with it the transaction of the step.
func (t *versionTable) Insert(ctx context.Context, db database.DBTxConn, req database.InsertRequest) error {
	if req.Version == 0 {
		return nil
	}
	_, err := db.ExecContext(ctx, sqlx.Rebind(t.d.Bind, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`),
		req.Version, dbTime(time.Now()))
	return err
}

func (t *versionTable) Delete(ctx context.Context, db database.DBTxConn, version int64) error {
	_, err := db.ExecContext(ctx, sqlx.Rebind(t.d.Bind, `DELETE FROM schema_migrations WHERE version = ?`), version)
	return err
}

func (t *versionTable) GetMigration(ctx context.Context, db database.DBTxConn, version int64) (*database.GetMigrationResult, error) {
	if version == 0 {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
			return nil, err
		}
		return &database.GetMigrationResult{IsApplied: true}, nil
	}
	var at time.Time
	err := db.QueryRowContext(ctx, sqlx.Rebind(t.d.Bind, `SELECT applied_at FROM schema_migrations WHERE version = ?`), version).Scan(tm{&at})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, database.ErrVersionNotFound
	}
	if err != nil {
		return nil, err
	}
	return &database.GetMigrationResult{Timestamp: at, IsApplied: true}, nil
}

func (t *versionTable) GetLatestVersion(ctx context.Context, db database.DBTxConn) (int64, error) {
	var v sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	return v.Int64, nil
}

// ListMigrations lists the recorded versions, newest first, then 0. It
// refuses a database with a version newer than this program knows: goose
// asks for the list, under the lock, before it applies anything.
func (t *versionTable) ListMigrations(ctx context.Context, db database.DBTxConn) ([]*database.ListMigrationsResult, error) {
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*database.ListMigrationsResult
	t.seen = 0
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		t.seen = max(t.seen, v)
		if t.known > 0 && v > t.known {
			return nil, fmt.Errorf("%w (version %d, this program's latest is %d): upgrade latch", errNewer, v, t.known)
		}
		out = append(out, &database.ListMigrationsResult{Version: v, IsApplied: true})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return append(out, &database.ListMigrationsResult{Version: 0, IsApplied: true}), nil
}
