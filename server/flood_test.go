package server_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// A flood of logins from many addresses is shed (503 with Retry-After past
// the wait bound) instead of queued, and the owner's login right after it
// goes through.
func TestLoginFloodIsShedNotQueued(t *testing.T) {
	st := testenv.SQLite(t, "")
	// Hashes that cost a few milliseconds, one at a time, a short wait.
	svc := server.NewService(st, server.Options{MaxHashing: 1, HashWait: 20 * time.Millisecond, FlushInterval: time.Hour,
		Argon2: server.Argon2Params{MemoryKiB: 4 << 10, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	t.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, server.NewUser{Username: "amy", Password: "amy-password-1"}); err != nil {
		t.Fatal(err)
	}
	const n = 200
	kinds := make([]server.Kind, n)
	retry := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := svc.Login(ctx, server.LoginInput{Username: fmt.Sprintf("user%d", i), Password: "guess-password",
				Meta: server.Meta{Addr: fmt.Sprintf("198.51.100.%d", i%250)}})
			kinds[i] = server.ErrorKind(err)
			var e *server.Error
			if errors.As(err, &e) {
				retry[i] = e.RetryAfter
			}
		}()
	}
	close(start)
	wg.Wait()
	counts := map[server.Kind]int{}
	for i, k := range kinds {
		counts[k]++
		if k == server.KindUnavailable && retry[i] <= 0 {
			t.Errorf("a shed login without Retry-After")
		}
	}
	t.Logf("200 concurrent logins, one hasher, 20 ms wait bound: %v", counts)
	if counts[server.KindUnavailable] == 0 || counts[server.KindInvalidAuthentication] == 0 {
		t.Errorf("want some shed (503) and some evaluated (401): %v", counts)
	}
	if counts[server.KindInternal] != 0 {
		t.Errorf("internal errors under the flood: %v", counts)
	}
	if _, err := svc.Login(ctx, server.LoginInput{Username: "amy", Password: "amy-password-1", Meta: server.Meta{Addr: "192.0.2.10"}}); err != nil {
		t.Fatalf("the owner's login right after the flood: %v", err)
	}
}
