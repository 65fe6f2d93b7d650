package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/latch-dev/latch/server/sqlstore"
)

// Migrations are goose files (migrations/NNNN_name.sql is schema version
// NNNN). Never edit an applied file: add one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

func migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the folder is embedded: cannot happen
	}
	return sub
}

// SchemaVersion is the schema version this program brings a database to.
func SchemaVersion() int { return int(sqlstore.SchemaVersion(migrations())) }

// migrate brings the schema up to date on a connection of its own, under a
// session advisory lock keyed by the schema (migrationLock), so instances
// that start together take turns: the first migrates, the others find
// nothing left to do. Closing the connection releases the lock whatever
// happens.
func migrate(ctx context.Context, base *pgx.ConnConfig, schema string) error {
	cfg := base.Copy()
	// The lock wait and a long migration are bounded by ctx, not by the
	// statement timeout meant for requests.
	cfg.RuntimeParams["statement_timeout"] = "0"
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		// First, so an unreachable server is not reported as something else.
		return fmt.Errorf("postgres: connect: %w", err)
	}

	if schema != "" {
		if _, err := db.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			// Another instance may be creating it at the same moment.
			var exists bool
			if qerr := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); qerr != nil || !exists {
				return fmt.Errorf("postgres: create schema %s: %w", schema, err)
			}
		}
	}
	var where sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&where); err != nil {
		return fmt.Errorf("postgres: migrate: read the current schema: %w", err)
	}
	if where.String == "" {
		return errors.New("postgres: migrate: no schema to create tables in (check search_path)")
	}
	return sqlstore.Migrate(ctx, db, migrations(), dialect, migrationLock{})
}

// migrationLock is goose's session lock: PostgreSQL's advisory lock, keyed
// by the schema, waited for (within ctx) rather than polled.
type migrationLock struct{}

const migrationLockKey = `hashtextextended('latch migrate ' || current_schema(), 0)`

func (migrationLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+migrationLockKey+`)`); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	return nil
}

func (migrationLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(`+migrationLockKey+`)`)
	return err
}
