package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/latch-dev/latch/server/sqlstore"
	"github.com/latch-dev/latch/server/storetest"
)

// versions reads schema_migrations through a connection of its own.
func versions(t *testing.T, path string) []int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []int64
	rows, err := db.Query(`SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestAdoptsRelease: a database made by the release before goose (its own
// runner, its schema_migrations) opens as it is — nothing re-created, the
// record of versions as it was — and everything in it works.
func TestAdoptsRelease(t *testing.T) {
	path, rel := storetest.CopyRelease(t, "testdata")
	if got := versions(t, path); !slices.Equal(got, []int64{1}) {
		t.Fatalf("the release recorded versions %v", got)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open the release's database: %v", err)
	}
	defer s.Close()
	if got := versions(t, path); !slices.Equal(got, []int64{1}) {
		t.Errorf("after Open, versions %v, want [1] as the release left them", got)
	}
	storetest.CheckRelease(t, s, rel)
}

// TestContinuesRelease: on a database the release migrated, goose applies
// only the steps that came after it, and records them where the release's
// runner did, so that runner (and any older binary) refuses the result.
func TestContinuesRelease(t *testing.T) {
	path, _ := storetest.CopyRelease(t, "testdata")
	ours, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	init, err := fs.ReadFile(ours, "0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	next := fstest.MapFS{
		"0001_init.sql":  {Data: init},
		"0002_later.sql": {Data: []byte("-- +goose Up\nALTER TABLE users ADD COLUMN nickname TEXT NOT NULL DEFAULT '';\n")},
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	if err := sqlstore.Migrate(context.Background(), w, next, dialect, nil); err != nil {
		w.Close()
		t.Fatalf("a later step on the release's database: %v", err)
	}
	var nick string
	err = w.QueryRow(`SELECT nickname FROM users WHERE username = 'amy'`).Scan(&nick)
	w.Close()
	if err != nil {
		t.Fatalf("the later step's column: %v", err)
	}
	if got := versions(t, path); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("versions %v, want [1 2]", got)
	}

	// This binary knows version 1 only: it refuses the database now, as
	// the release's runner refuses it (its check: MAX(version) > 1).
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("Open accepted a schema newer than it knows")
	} else if !strings.Contains(err.Error(), "newer than this program knows") {
		t.Errorf("refusal %q does not say why", err)
	}
}

// TestOpenConcurrently: processes that open a new file at the same moment
// (here: stores with connections of their own) all come up, and the
// schema is made once.
func TestOpenConcurrently(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latch.db")
	const n = 8
	errs := make([]error, n)
	stores := make([]*Store, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { stores[i], errs[i] = Open(path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("store %d: %v", i, err)
			continue
		}
		stores[i].Close()
	}
	if got := versions(t, path); !slices.Equal(got, []int64{1}) {
		t.Errorf("versions %v, want [1]", got)
	}
}

// TestMigrateStepsConcurrently: the same with several steps, where one
// process may overtake another between steps.
func TestMigrateStepsConcurrently(t *testing.T) {
	init, err := fs.ReadFile(migrationFiles, "migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	steps := fstest.MapFS{"0001_init.sql": {Data: init}}
	for i, col := range []string{"a", "b", "c", "d"} {
		steps[fmt.Sprintf("%04d_%s.sql", i+2, col)] = &fstest.MapFile{
			Data: []byte("-- +goose Up\nALTER TABLE users ADD COLUMN " + col + " TEXT;\n")}
	}
	for round := range 5 {
		path := filepath.Join(t.TempDir(), "latch.db")
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				w, err := sql.Open("sqlite", dsn(path, false))
				if err != nil {
					t.Error(err)
					return
				}
				defer w.Close()
				w.SetMaxOpenConns(1)
				if err := sqlstore.Migrate(context.Background(), w, steps, dialect, nil); err != nil {
					t.Errorf("round %d, process %d: %v", round, i, err)
				}
			})
		}
		wg.Wait()
		if got := versions(t, path); !slices.Equal(got, []int64{1, 2, 3, 4, 5}) {
			t.Errorf("round %d: versions %v", round, got)
		}
	}
}
