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

// ours is the migrations this binary has, and their versions.
func ours(t *testing.T) (fstest.MapFS, []int64) {
	t.Helper()
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{}
	names, err := fs.Glob(sub, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var vs []int64
	for i, name := range names {
		b, err := fs.ReadFile(sub, name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = &fstest.MapFile{Data: b}
		vs = append(vs, int64(i+1))
	}
	if n := sqlstore.SchemaVersion(sub); n != int64(len(vs)) {
		t.Fatalf("migrations %v end at version %d", names, n)
	}
	return files, vs
}

// TestAdoptsRelease: a database made by the release before goose (its own
// runner, its schema_migrations at version 1) is continued: goose applies
// the later steps only, records them where that runner did, and everything
// the release stored works.
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
	_, want := ours(t)
	if got := versions(t, path); !slices.Equal(got, want) {
		t.Errorf("after Open, versions %v, want %v", got, want)
	}
	storetest.CheckRelease(t, s, rel)
}

// TestRefusesAfterLaterStep: a later binary's step applied to the release's
// database is recorded where the release's runner records versions, so this
// binary refuses the result, as that runner does (its check: MAX(version)
// greater than it knows), saying why.
func TestRefusesAfterLaterStep(t *testing.T) {
	path, _ := storetest.CopyRelease(t, "testdata")
	later, vs := ours(t)
	next := int64(len(vs) + 1)
	later[fmt.Sprintf("%04d_later.sql", next)] = &fstest.MapFile{
		Data: []byte("-- +goose Up\nALTER TABLE users ADD COLUMN nickname TEXT NOT NULL DEFAULT '';\n")}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	w.SetMaxOpenConns(1)
	if err := sqlstore.Migrate(context.Background(), w, later, dialect, nil); err != nil {
		w.Close()
		t.Fatalf("later steps on the release's database: %v", err)
	}
	var nick string
	err = w.QueryRow(`SELECT nickname FROM users WHERE username = 'amy'`).Scan(&nick)
	w.Close()
	if err != nil {
		t.Fatalf("the later step's column: %v", err)
	}
	if got := versions(t, path); !slices.Equal(got, append(vs, next)) {
		t.Errorf("versions %v, want %v", got, append(vs, next))
	}
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
	if _, want := ours(t); !slices.Equal(versions(t, path), want) {
		t.Errorf("versions %v, want %v", versions(t, path), want)
	}
}

// TestMigrateStepsConcurrently: the same with several steps, where one
// process may overtake another between steps.
func TestMigrateStepsConcurrently(t *testing.T) {
	steps, vs := ours(t)
	for _, col := range []string{"a", "b", "c", "d"} {
		vs = append(vs, int64(len(vs)+1))
		steps[fmt.Sprintf("%04d_%s.sql", len(vs), col)] = &fstest.MapFile{
			Data: []byte("-- +goose Up\nALTER TABLE users ADD COLUMN " + col + " TEXT;\n")}
	}
	for round := range 5 {
		path := filepath.Join(t.TempDir(), "latch.db")
		var wg sync.WaitGroup
		for i := range 6 {
			wg.Go(func() {
				w, err := openWriter(context.Background(), path)
				if err != nil {
					t.Error(err)
					return
				}
				defer w.Close()
				if err := sqlstore.Migrate(context.Background(), w, steps, dialect, nil); err != nil {
					t.Errorf("round %d, process %d: %v", round, i, err)
				}
			})
		}
		wg.Wait()
		if got := versions(t, path); !slices.Equal(got, vs) {
			t.Errorf("round %d: versions %v", round, got)
		}
	}
}
