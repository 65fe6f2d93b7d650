package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// TestTwoInstances runs the cross-instance suite on two stores over one
// file, as `latch serve` and `latch admin` (or two servers on one machine)
// share it.
func TestTwoInstances(t *testing.T) {
	testenv.RunService(t, func(t *testing.T) (server.Store, server.Store) {
		path := filepath.Join(t.TempDir(), "latch.db")
		return open(t, path), open(t, path)
	})
}

// TestNoChangeWithoutItsEvent: with a trigger that refuses events, every
// change fails and leaves the file as it was.
func TestNoChangeWithoutItsEvent(t *testing.T) {
	testenv.RunAudit(t, func(t *testing.T) (server.Store, func(t *testing.T)) {
		path := filepath.Join(t.TempDir(), "latch.db")
		return open(t, path), func(t *testing.T) {
			db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`CREATE TRIGGER refuse_events BEFORE INSERT ON events
				BEGIN SELECT RAISE(ABORT, 'events refused by the test'); END`); err != nil {
				t.Fatal(err)
			}
		}
	})
}
