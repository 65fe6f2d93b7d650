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
