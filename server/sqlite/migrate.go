package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"github.com/latch-dev/latch/server/internal/schema"
	"time"
)

// Migrations are the files in migrations/, applied in name order; file i
// (counting from 1) is schema version i. Never edit an applied file: add one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

func migrations() ([]string, error) { return schema.Migrations(migrationFiles) }

// migrate applies every migration not yet recorded in schema_migrations,
// each in its own transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at TEXT NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	steps, err := migrations()
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	var latest int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if latest > len(steps) {
		return fmt.Errorf("sqlite: migrate: database schema version %d is newer than this program knows (%d)", latest, len(steps))
	}
	for i, step := range steps {
		if err := applyMigration(ctx, db, i+1, step); err != nil {
			return fmt.Errorf("sqlite: migrate to version %d: %w", i+1, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, version int, step string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, step); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		version, schema.Time(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}
