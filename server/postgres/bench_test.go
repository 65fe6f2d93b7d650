package postgres_test

import (
	"fmt"
	"testing"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/storetest"

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

// BenchmarkWriteTwoInstances is a write (a token revoked, then restored)
// on one store while another on the same schema holds a cache lease: the
// commit, then the other's acknowledgement. "alone" is the same without
// the other lease.
func BenchmarkWriteTwoInstances(b *testing.B) {
	for _, other := range []bool{false, true} {
		name := "alone"
		if other {
			name = "leased"
		}
		b.Run(name, func(b *testing.B) {
			schema := testenv.PostgresSchema(b)
			a := testenv.OpenPostgres(b, schema)
			if other {
				waitLeased(b, testenv.OpenPostgres(b, schema))
			}
			u := server.User{Username: "bea", CreatedAt: storetest.Base}
			if err := a.CreateUser(ctx, &u); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				name := fmt.Sprint("Bea ", i)
				if _, err := a.UpdateProfile(ctx, u.ID, server.ProfileUpdate{FullName: &name}, nil, storetest.Base, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
