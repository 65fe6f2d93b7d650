package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latch-dev/latch/server/postgres"
)

// A server that cannot be reached is reported as such, first: the error
// used to begin "no schema to create tables in (check search_path)", which
// sent people to their search_path. No PostgreSQL is needed: nothing
// listens on port 1.
func TestOpenUnreachableSaysConnect(t *testing.T) {
	key := filepath.Join(t.TempDir(), "latch.key")
	if err := os.WriteFile(key, make([]byte, 32), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.Open(context.Background(), "postgres://latch:secret-pw@127.0.0.1:1/latch?connect_timeout=2", postgres.Options{KeyFile: key})
	if err == nil {
		t.Fatal("opened a database where nothing listens")
	}
	msg := err.Error()
	if !strings.Contains(msg, "postgres: connect:") || strings.Contains(msg, "search_path") {
		t.Errorf("error does not say it could not connect: %s", msg)
	}
	if strings.Contains(msg, "secret-pw") {
		t.Errorf("error shows the password: %s", msg)
	}
}
