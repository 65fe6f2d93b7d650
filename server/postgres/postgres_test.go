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

// TestNoChangeWithoutItsEvent: with a constraint that refuses new events,
// every change fails and leaves the database as it was.
func TestNoChangeWithoutItsEvent(t *testing.T) {
	pgtest.URL(t)
	storetest.RunAudit(t, func(t *testing.T) (server.Store, func(t *testing.T)) {
		schema := pgtest.Schema(t)
		return pgtest.Open(t, schema), func(t *testing.T) {
			pgtest.Exec(t, schema, `ALTER TABLE events ADD CONSTRAINT refuse_events CHECK (false) NOT VALID`)
		}
	})
}
