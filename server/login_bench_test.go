package server_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// BenchmarkLoginFailure compares a wrong password with an unknown username
// at the production argon2id cost: both hash once, so their times match and
// timing tells nothing about which usernames exist (rule 8).
func BenchmarkLoginFailure(b *testing.B) {
	st := testenv.SQLite(b, "")
	clock := server.NewManualClock(t0)
	svc := server.NewService(st, server.Options{Clock: clock})
	defer svc.Close()
	ctx := b.Context()
	if _, err := svc.CreateUser(ctx, server.NewUser{Username: "amy", Password: "amy-password"}); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct{ name, user string }{{"wrong-password", "amy"}, {"unknown-user", "nobody"}} {
		b.Run(tc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				clock.Advance(time.Hour) // stay clear of the throttle's waits
				i++
				_, err := svc.Login(ctx, server.LoginInput{Username: tc.user, Password: fmt.Sprintf("guess-%d", i), Meta: server.Meta{Addr: "192.0.2.9"}})
				if server.ErrorKind(err) != server.KindInvalidAuthentication {
					b.Fatalf("login: %v", err)
				}
			}
		})
	}
}
