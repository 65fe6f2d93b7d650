package postgres_test

import (
	"slices"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/postgres"
	"github.com/latch-dev/latch/server/postgres/pgtest"
	"github.com/latch-dev/latch/server/storetest"
)

// TestAdoptsOldRunnerSchema: a schema migrated by the runner before goose —
// 0001 applied in one transaction and recorded as version 1 in its
// schema_migrations (version, applied_at) — is continued: the later steps
// are applied and recorded beside it, nothing is re-created, the data stays.
func TestAdoptsOldRunnerSchema(t *testing.T) {
	schema := pgtest.Schema(t)
	pgtest.Exec(t, schema, `CREATE SCHEMA `+schema)
	pgtest.Exec(t, schema, `BEGIN;
		CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
		`+postgres.MigrationSQL("0001_init.sql")+`;
		INSERT INTO schema_migrations (version, applied_at) VALUES (1, '2026-11-20T10:00:00.000000000Z');
		INSERT INTO users (username, created_at) VALUES ('olde', '2026-11-20T10:00:00.000000000Z');
		COMMIT`)

	s := pgtest.Open(t, schema)
	var got []int64
	rows, err := s.Pool().Query(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	want := []int64{}
	for v := range postgres.SchemaVersion() {
		want = append(want, int64(v+1))
	}
	if !slices.Equal(got, want) || len(want) < 2 {
		t.Errorf("versions %v, want %v", got, want)
	}
	u, err := s.UserByName(ctx, "olde")
	if err != nil || !u.CreatedAt.Equal(time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("the user the old runner's schema held: %+v, %v", u, err)
	}
	// The later steps' columns work.
	o := server.Org{Name: "lab", Require2FA: true, Require2FASince: storetest.Base, TwoFactorGrace: time.Hour}
	if err := s.CreateOrg(ctx, &o); err != nil {
		t.Fatal(err)
	}
	if got, err := s.OrgByID(ctx, o.ID); err != nil || !got.Require2FASince.Equal(storetest.Base) || got.TwoFactorGrace != time.Hour {
		t.Errorf("org after the later steps: %+v, %v", got, err)
	}
}
