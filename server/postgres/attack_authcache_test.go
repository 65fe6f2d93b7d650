package postgres_test

import (
	"testing"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// TestAuthCacheAttacksTwoInstances: the auth cache attacks of
// testenv.RunAuthCacheAttacks on two pools over one schema, each instance
// with its cache lease.
func TestAuthCacheAttacksTwoInstances(t *testing.T) {
	testenv.NeedPostgres(t)
	testenv.RunAuthCacheAttacks(t, func(t *testing.T) (server.Store, server.Store) {
		schema := testenv.PostgresSchema(t)
		return testenv.OpenPostgres(t, schema), testenv.OpenPostgres(t, schema)
	})
}
