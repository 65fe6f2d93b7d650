package postgres_test

import (
	"testing"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/storetest"
	"github.com/latch-dev/latch/server/testenv"
)

func TestConformance(t *testing.T) {
	testenv.NeedPostgres(t)
	storetest.Run(t, func(t *testing.T) server.Store {
		return testenv.OpenPostgres(t, testenv.PostgresSchema(t))
	})
}

// TestTwoInstances runs the cross-instance suite on two pools over one
// schema: two `latch serve` instances on one database.
func TestTwoInstances(t *testing.T) {
	testenv.NeedPostgres(t)
	testenv.RunService(t, func(t *testing.T) (server.Store, server.Store) {
		schema := testenv.PostgresSchema(t)
		return testenv.OpenPostgres(t, schema), testenv.OpenPostgres(t, schema)
	})
}

// TestNoChangeWithoutItsEvent: with a constraint that refuses new events,
// every change fails and leaves the database as it was.
func TestNoChangeWithoutItsEvent(t *testing.T) {
	testenv.NeedPostgres(t)
	testenv.RunAudit(t, func(t *testing.T) (server.Store, func(t *testing.T)) {
		schema := testenv.PostgresSchema(t)
		return testenv.OpenPostgres(t, schema), func(t *testing.T) {
			testenv.PostgresExec(t, schema, `ALTER TABLE events ADD CONSTRAINT refuse_events CHECK (false) NOT VALID`)
		}
	})
}
