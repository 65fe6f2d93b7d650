// Package pgtest gives tests a PostgreSQL store on a schema of their own.
//
// Tests find the server in LATCH_TEST_POSTGRES (a postgres:// URL; .ci/run
// starts a throwaway cluster and sets it). Without it they skip, saying so.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/latch-dev/latch/server/postgres"
	"github.com/latch-dev/latch/server/testenv"
)

// Env names the variable that holds the test server's URL.
const Env = testenv.PostgresEnv

// URL returns the test server's URL, or skips the test (fails it under
// testenv.RequireEnv, as in CI).
func URL(t testing.TB) string {
	t.Helper()
	return testenv.NeedPostgres(t)
}

// Schema names a new, unique schema and drops it, with everything in it,
// when the test ends (after the stores opened later are closed). The store
// creates it on Open.
func Schema(t testing.TB) string {
	t.Helper()
	url := URL(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := "latch_test_" + hex.EncodeToString(b)
	keyFiles.Store(name, filepath.Join(t.TempDir(), "latch.key"))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	return name
}

// keyFiles holds the server key file of each schema Schema made: every
// store on one schema reads the same one, as instances on one database do.
var keyFiles sync.Map // schema → path

// KeyFile is the server key file of schema (see Schema), made by the first
// store that opens it.
func KeyFile(t testing.TB, schema string) string {
	t.Helper()
	p, ok := keyFiles.Load(schema)
	if !ok {
		t.Fatalf("pgtest: schema %s was not made by pgtest.Schema: it has no key file", schema)
	}
	return p.(string)
}

// Open opens a store on schema (see Schema) and closes it when the test ends.
func Open(t testing.TB, schema string) *postgres.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, URL(t), postgres.Options{Schema: schema, PoolSize: 8, KeyFile: KeyFile(t, schema)})
	if err != nil {
		t.Fatalf("pgtest: open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Exec runs SQL on schema through a connection of its own, as an operator
// (or another program) would.
func Exec(t testing.TB, schema, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(URL(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}
