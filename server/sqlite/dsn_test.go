package sqlite

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKeyValueDSNIsNotAFileName: a PostgreSQL key=value connection string
// given where a path goes is refused, without its password in the error
// and without a file of that name left behind.
func TestKeyValueDSNIsNotAFileName(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, dsn := range []string{
		"host=db1.internal port=5432 dbname=latch user=latch password=hunter2-secret",
		"dbname=latch password=hunter2-secret",
		"user=latch password=hunter2-secret host=/var/run/postgresql",
		"host = db1 dbname = latch password = hunter2-secret", // libpq allows spaces around =
		"sslpassword=hunter2-secret sslkey=/etc/latch/client.key",
	} {
		st, err := Open(dsn)
		if err == nil {
			st.Close()
			t.Fatalf("Open(%q) made a SQLite database", dsn)
		}
		if !errors.Is(err, ErrKeyValueDSN) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q): %v", dsn, err)
		}
	}
	if _, err := Backup(t.Context(), "dbname=latch password=hunter2-secret", "copy.db"); !errors.Is(err, ErrKeyValueDSN) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Backup of a key=value DSN: %v", err)
	}
	if left, _ := filepath.Glob("*"); len(left) > 0 {
		t.Errorf("files left behind: %v", left)
	}
	// A file whose name merely has an = in it is still a file.
	path := filepath.Join(t.TempDir(), "backup=2026-11-29.db")
	st, err := Open(path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	st.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}
