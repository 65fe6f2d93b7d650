package postgres_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/postgres"
	"github.com/latch-dev/latch/server/testenv"
)

// TestRevokeWhileListenerDies: instance B answers from its cache under a
// lease fed by its listener connection, which is killed again and again
// (pg_terminate_backend) while tokens are revoked on instance A and by an
// operator's store (`latch admin` in another process). No request to B
// that starts after a revoke returned is accepted, whether B's listener is
// up, down or coming back; and B takes a lease again once it may.
func TestRevokeWhileListenerDies(t *testing.T) {
	url := testenv.NeedPostgres(t)
	schema := testenv.PostgresSchema(t)
	a, b, op := testenv.OpenPostgres(t, schema), testenv.OpenPostgres(t, schema), testenv.OpenPostgres(t, schema)
	svcA := server.NewService(a, server.Options{Argon2: testenv.CheapArgon2})
	svcB := server.NewService(b, server.Options{Argon2: testenv.CheapArgon2})
	t.Cleanup(func() { svcA.Close(); svcB.Close() })
	meta := server.Meta{Addr: "192.0.2.7", Method: "test"}
	if _, err := svcA.CreateUser(ctx, server.NewUser{Username: "lena", Password: "pw-lena-correct-horse"}); err != nil {
		t.Fatal(err)
	}
	res, err := svcA.Login(ctx, server.LoginInput{Username: "lena", Password: "pw-lena-correct-horse", Meta: meta})
	if err != nil {
		t.Fatal(err)
	}
	p, err := svcA.Authenticate(ctx, res.Secret, meta)
	if err != nil {
		t.Fatal(err)
	}
	// B asks for a lease on its first request; wait until it trusts one.
	if _, err := svcB.Authenticate(ctx, res.Secret, meta); err != nil {
		t.Fatal(err)
	}
	waitLeased(t, b)

	killer, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer killer.Close(ctx)
	stop := make(chan struct{})
	var kills atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(30+rand.IntN(200)) * time.Millisecond):
			}
			var killed bool
			if pid := b.ListenerPID(); pid != 0 {
				if err := killer.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, int64(pid)).Scan(&killed); err != nil {
					t.Error(err)
					return
				}
			}
			if killed {
				kills.Add(1)
			}
		}
	}()

	var leaks, after, leasedSeen atomic.Int64
	var took []time.Duration
	for round := range 40 {
		tok, secret, err := svcA.CreateToken(ctx, p, server.TokenSpec{Name: fmt.Sprintf("round %d", round)}, meta)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 { // the first reads the database, the others may hit B's cache
			if _, err := svcB.Authenticate(ctx, secret, meta); err != nil {
				t.Fatalf("round %d: B refused a live token: %v", round, err)
			}
		}
		if _, ok := b.CachedVersion(); ok {
			leasedSeen.Add(1)
		}
		// Requests race the revoke on B.
		var revoked atomic.Bool
		done := make(chan struct{})
		var racers sync.WaitGroup
		for range 3 {
			racers.Add(1)
			go func() {
				defer racers.Done()
				for {
					select {
					case <-done:
						return
					default:
					}
					was := revoked.Load()
					_, err := svcB.Authenticate(ctx, secret, meta)
					if was {
						after.Add(1)
						if err == nil {
							leaks.Add(1)
						}
					}
				}
			}()
		}
		time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
		began := time.Now()
		if round%2 == 0 {
			err = svcA.RevokeToken(ctx, p, tok.ID, meta)
		} else {
			_, err = op.RevokeToken(ctx, tok.ID, time.Now(), server.RevokedByAdmin, nil)
		}
		if err != nil {
			t.Fatalf("round %d: revoke: %v", round, err)
		}
		revoked.Store(true)
		took = append(took, time.Since(began))
		_, err = svcB.Authenticate(ctx, secret, meta)
		var de *server.Error
		if !errors.As(err, &de) || de.Reason != server.ReasonRevoked {
			leaks.Add(1)
			t.Errorf("round %d: B answered %v to the next request after the revoke returned, want revoked", round, err)
		}
		time.Sleep(2 * time.Millisecond)
		close(done)
		racers.Wait()
	}
	close(stop)
	wg.Wait()
	slices.Sort(took)
	t.Logf("revokes took %v (median), %v (longest)", took[len(took)/2], took[len(took)-1])
	t.Logf("%d listener connections killed; B trusted its lease in %d of 40 rounds; %d requests after the revokes, %d accepted",
		kills.Load(), leasedSeen.Load(), after.Load(), leaks.Load())
	if leaks.Load() != 0 {
		t.Errorf("%d requests accepted a token revoked before they started", leaks.Load())
	}
	if kills.Load() < 5 {
		t.Errorf("only %d listener connections were killed: the test did not test much", kills.Load())
	}
	if leasedSeen.Load() == 0 {
		t.Error("B never trusted its lease during the run")
	}
	if after.Load() == 0 {
		t.Error("no request raced a revoke")
	}
	// B comes back to its lease once its listener stays up.
	waitLeased(t, b)
}

func waitLeased(t testing.TB, s *postgres.Store) {
	t.Helper()
	deadline := time.Now().Add(10 * postgres.LeaseFor)
	for {
		if _, ok := s.CachedVersion(); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the store took no cache lease")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
