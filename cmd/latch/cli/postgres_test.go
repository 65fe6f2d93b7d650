package cli

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/postgres/pgtest"
	"github.com/latch-dev/latch/server/storetest"
)

func TestWithPostgresOptions(t *testing.T) {
	for _, tc := range []struct {
		db      string
		pool    int
		timeout time.Duration
		want    map[string]string // query parameters
		err     string
	}{
		{db: "/var/lib/latch.db", want: nil},
		{db: "postgres://u:p@db/latch", want: map[string]string{}},
		{db: "postgres://u:p@db/latch?sslmode=require", pool: 20, timeout: 5 * time.Second,
			want: map[string]string{"sslmode": "require", "pool_max_conns": "20", "statement_timeout": "5000"}},
		{db: "postgresql://db/latch?pool_max_conns=3", pool: 7, want: map[string]string{"pool_max_conns": "7"}},
		{db: "/var/lib/latch.db", pool: 4, err: "apply to a PostgreSQL --db"},
		{db: "postgres://db/latch", pool: -1, err: "positive"},
		{db: "postgres://u:secret@db:port/latch", pool: 2, err: "not a URL"},
	} {
		got, err := withPostgresOptions(tc.db, tc.pool, tc.timeout)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "secret") {
				t.Errorf("%s pool %d: error %v, want one saying %q", tc.db, tc.pool, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.db, err)
		}
		if tc.pool == 0 && tc.timeout == 0 {
			if got != tc.db {
				t.Errorf("%s changed to %s with no options", tc.db, got)
			}
			continue
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range tc.want {
			if u.Query().Get(k) != v {
				t.Errorf("%s: %s=%q, want %q (%s)", tc.db, k, u.Query().Get(k), v, got)
			}
		}
	}
}

// pgSchemaURL is the test server's URL with search_path set to a new schema
// (created empty), as an operator would give it to `latch admin migrate`.
func pgSchemaURL(t *testing.T) (string, string) {
	t.Helper()
	base := pgtest.URL(t)
	schema := pgtest.Schema(t)
	pgtest.Open(t, schema).Close() // create the (empty) schema
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), schema
}

// TestAdminMigrateFromRelease: `latch admin migrate` copies a database made
// by the release before sqlstore and goose (server/sqlite/testdata) into
// PostgreSQL, where everything it held works.
func TestAdminMigrateFromRelease(t *testing.T) {
	pg, schema := pgSchemaURL(t)
	file, rel := storetest.CopyRelease(t, filepath.Join("..", "..", "..", "server", "sqlite", "testdata"))
	code, out, errOut := runAdminCmd(t, file, "", "migrate", "--from", file, "--to", pg)
	want := "copied 1 orgs, 2 users, 2 projects, 2 memberships, 5 tokens, 9 backup codes, 1 SSH keys, 12 events"
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("migrate: %d\n%s\n%s\nwant %q", code, out, errOut, want)
	}
	storetest.CheckRelease(t, pgtest.Open(t, schema), rel)
}

// TestAdminOnPostgres: `latch admin migrate` copies a SQLite database into
// PostgreSQL, and `latch admin --db postgres://…` (the store `latch serve`
// opens too) works on the result.
func TestAdminOnPostgres(t *testing.T) {
	pg, _ := pgSchemaURL(t)

	file := filepath.Join(t.TempDir(), "latch.db")
	for _, args := range [][]string{
		{"org", "create", "lab"},
		{"user", "create", "amy", "--password-stdin", "--org", "lab"},
		{"project", "create", "Scratch"},
		{"project", "add-member", "Scratch", "amy", "UPLOAD"},
	} {
		if code, _, errOut := runAdminCmd(t, file, "password-of-amy\n", args...); code != 0 {
			t.Fatalf("admin %v: %d %s", args, code, errOut)
		}
	}
	code, out, errOut := runAdminCmd(t, file, "", "migrate", "--from", file, "--to", pg)
	if code != 0 || !strings.Contains(out, "1 users") || !strings.Contains(out, "1 memberships") {
		t.Fatalf("migrate: %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = runAdminCmd(t, file, "", "migrate", "--from", file, "--to", pg)
	if code != 1 || !strings.Contains(errOut, "already holds latch data") {
		t.Errorf("second migrate: %d %s", code, errOut)
	}
	code, _, errOut = runAdminCmd(t, file, "", "migrate", "--from", filepath.Join(t.TempDir(), "none.db"), "--to", pg)
	if code != 1 || !strings.Contains(errOut, "no SQLite database") {
		t.Errorf("migrate from a missing file: %d %s", code, errOut)
	}
	if code, _, _ := runAdminCmd(t, file, "", "migrate", "--to", "/not/a/url"); code != 2 {
		t.Errorf("migrate to a path: exit %d, want 2", code)
	}

	code, out, errOut = runAdminCmd(t, pg, "", "user", "list")
	if code != 0 || !strings.Contains(out, "amy") || !strings.Contains(out, "lab") {
		t.Fatalf("user list on PostgreSQL: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = runAdminCmd(t, pg, "password-of-bob\n", "user", "create", "bob", "--password-stdin")
	if code != 0 {
		t.Fatalf("user create on PostgreSQL: %d %s %s", code, out, errOut)
	}
}
