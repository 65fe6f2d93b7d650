package postgres_test

import (
	"testing"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/postgres/pgtest"
	"github.com/latch-dev/latch/server/storetest"
)

func TestConformance(t *testing.T) {
	pgtest.URL(t)
	storetest.Run(t, func(t *testing.T) server.Store {
		return pgtest.Open(t, pgtest.Schema(t))
	})
}

// TestTwoInstances runs the cross-instance suite on two pools over one
// schema: two `latch serve` instances on one database.
func TestTwoInstances(t *testing.T) {
	pgtest.URL(t)
	storetest.RunService(t, func(t *testing.T) (server.Store, server.Store) {
		schema := pgtest.Schema(t)
		return pgtest.Open(t, schema), pgtest.Open(t, schema)
	})
}
