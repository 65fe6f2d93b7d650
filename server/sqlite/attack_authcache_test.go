package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// TestAuthCacheAttacksTwoInstances: the auth cache attacks of
// testenv.RunAuthCacheAttacks on two stores over one file.
func TestAuthCacheAttacksTwoInstances(t *testing.T) {
	testenv.RunAuthCacheAttacks(t, func(t *testing.T) (server.Store, server.Store) {
		path := filepath.Join(t.TempDir(), "latch.db")
		return open(t, path), open(t, path)
	})
}
