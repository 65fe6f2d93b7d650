package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// heldTouchStore is a real SQLite store whose TouchTokens waits, once
// entered, until the test lets it write: a flush caught in the middle.
type heldTouchStore struct {
	server.Store
	entered chan struct{}
	release chan struct{}
}

func (h *heldTouchStore) TouchTokens(ctx context.Context, uses []server.TokenUsage, newAddr func(server.TokenUsage, server.Token) server.Event) error {
	h.entered <- struct{}{}
	<-h.release
	return h.Store.TouchTokens(ctx, uses, newAddr)
}

// While a flush writes the uses it took, the service still counts them: a
// session used a minute before its limit and again during the flush is
// not logged out as idle, and a listing meanwhile does not say "never
// used". (Before, the uses left memory before the store had them.)
func TestUsesBeingFlushedStillCount(t *testing.T) {
	hs := &heldTouchStore{Store: testenv.SQLite(t, ""), entered: make(chan struct{}, 4), release: make(chan struct{})}
	clock := server.NewManualClock(t0)
	svc := server.NewService(hs, server.Options{Argon2: testenv.CheapArgon2, Clock: clock, FlushInterval: time.Hour})
	ctx := context.Background()
	var flushes sync.WaitGroup
	t.Cleanup(func() {
		close(hs.release)
		flushes.Wait()
		svc.Close()
	})
	if _, err := svc.CreateUser(ctx, server.NewUser{Username: "amy", Password: "pw-amy-secret"}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Login(ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret"})
	if err != nil {
		t.Fatal(err)
	}
	limit := server.DefaultAutoLogoutAfter
	clock.Advance(limit - time.Minute)
	used := clock.Now()
	p, err := svc.Authenticate(ctx, res.Secret, server.Meta{Addr: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}

	// The flush takes the use and holds before writing it.
	flushes.Add(1)
	go func() { defer flushes.Done(); svc.FlushUsage(ctx) }()
	<-hs.entered

	toks, err := svc.ListTokens(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 1 {
		t.Fatalf("listed %d tokens; want the session alone", len(toks))
	}
	if !toks[0].LastUsedAt.Equal(used) {
		t.Errorf("listed during the flush: last used %v; want %v", toks[0].LastUsedAt, used)
	}
	clock.Advance(2 * time.Minute) // past the limit from the login, not from the use
	if _, err := svc.Authenticate(ctx, res.Secret, server.Meta{Addr: "192.0.2.1"}); err != nil {
		t.Fatalf("a session used %s ago was refused during the flush: %v", 2*time.Minute, err)
	}
}
