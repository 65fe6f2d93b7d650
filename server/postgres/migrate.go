package postgres

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/latch-dev/latch/server/internal/schema"
)

// Migrations are the files in migrations/, applied in name order; file i
// (counting from 1) is schema version i. Never edit an applied file: add one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

func migrations() ([]string, error) { return schema.Migrations(migrationFiles) }

// SchemaVersion is the schema version this program brings a database to.
func SchemaVersion() int {
	steps, err := migrations()
	if err != nil {
		return 0
	}
	return len(steps)
}

// migrate applies, on a connection of its own, every migration not yet
// recorded in schema_migrations, each in its own transaction. It holds a
// session advisory lock (keyed by the schema) the whole time, so instances
// that start together take turns: the first migrates, the others find
// nothing left to do. Closing the connection releases the lock whatever
// happens.
func migrate(ctx context.Context, base *pgx.ConnConfig, schema string) error {
	cfg := base.Copy()
	// The lock wait and a long migration are bounded by ctx, not by the
	// statement timeout meant for requests.
	cfg.RuntimeParams["statement_timeout"] = "0"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))

	if schema != "" {
		if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			// Another instance may be creating it at the same moment.
			var exists bool
			if qerr := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, schema).Scan(&exists); qerr != nil || !exists {
				return fmt.Errorf("postgres: create schema %s: %w", schema, err)
			}
		}
	}
	var where string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&where); err != nil || where == "" {
		return fmt.Errorf("postgres: migrate: no schema to create tables in (check search_path): %v", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended('latch migrate ' || current_schema(), 0))`); err != nil {
		return fmt.Errorf("postgres: migrate: take the migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtextextended('latch migrate ' || current_schema(), 0))`)

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	steps, err := migrations()
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	var latest int
	if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if latest > len(steps) {
		return fmt.Errorf("postgres: migrate: database schema version %d is newer than this program knows (%d): upgrade latch", latest, len(steps))
	}
	for i, step := range steps {
		if err := applyMigration(ctx, conn, i+1, step); err != nil {
			return fmt.Errorf("postgres: migrate to version %d: %w", i+1, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *pgx.Conn, version int, step string) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	// Simple protocol: a migration file holds several statements.
	if _, err := tx.Exec(ctx, step, pgx.QueryExecModeSimpleProtocol); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
		version, time.Now().UTC().Format(schema.TimeLayout)); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
