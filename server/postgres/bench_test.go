package postgres_test

import (
	"testing"

	"github.com/latch-dev/latch/server/testenv"
)

// BenchmarkChangeVersion is the cost the PostgreSQL store adds to every
// authenticated request served from the auth cache.
func BenchmarkChangeVersion(b *testing.B) {
	s := testenv.OpenPostgres(b, testenv.PostgresSchema(b))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.ChangeVersion(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
