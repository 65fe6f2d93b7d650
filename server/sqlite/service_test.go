package sqlite_test

import (
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
