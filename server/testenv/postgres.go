package testenv

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
)

// PostgreSQL for tests: the server in LATCH_TEST_POSTGRES (.ci/run starts a
// throwaway cluster and sets it), a schema of each test's own.

// PostgresSchema names a new, unique schema and drops it, with everything in it,
// when the test ends (after the stores opened later are closed). The store
// creates it on Open.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	url := NeedPostgres(t)
	b := make([]byte, 6)
	rand.Read(b)
	name := "latch_test_" + hex.EncodeToString(b)
	keyFiles.Store(name, filepath.Join(t.TempDir(), "latch.key"))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("testenv: drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("testenv: drop schema %s: %v", name, err)
		}
	})
	return name
}

// keyFiles holds the server key file of each schema PostgresSchema made:
// every store on one schema reads the same one, as instances on one
// database do.
var keyFiles sync.Map // schema → path

// PostgresKeyFile is the server key file of schema (see PostgresSchema),
// made by the first store that opens it.
func PostgresKeyFile(t testing.TB, schema string) string {
	t.Helper()
	p, ok := keyFiles.Load(schema)
	if !ok {
		t.Fatalf("testenv: schema %s was not made by PostgresSchema: it has no key file", schema)
	}
	return p.(string)
}

// OpenPostgres opens a store on schema (see PostgresSchema) and closes it when the test ends.
func OpenPostgres(t testing.TB, schema string) *postgres.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := postgres.Open(ctx, NeedPostgres(t), postgres.Options{Schema: schema, PoolSize: 8, KeyFile: PostgresKeyFile(t, schema)})
	if err != nil {
		t.Fatalf("testenv: open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresExec runs SQL on schema through a connection of its own, as an operator
// (or another program) would.
func PostgresExec(t testing.TB, schema, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(NeedPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("testenv: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("testenv: %s: %v", sql, err)
	}
}
