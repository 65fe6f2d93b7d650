package server_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// 200 streams opened at once on one token: exactly the cap is accepted,
// the rest are told to close one (429), as sequential opens would be.
func TestStreamCapsHoldUnderABurst(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	_, p := f.login("amy")
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	var ok, limited atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := f.svc.OpenStream(ctx, p, server.StreamOptions{})
			switch server.ErrorKind(err) {
			case server.KindRateLimited:
				limited.Add(1)
			case server.KindInternal:
				if err == nil {
					ok.Add(1)
				} else {
					t.Error(err)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	t.Logf("streams accepted out of 200 on one token: %d", ok.Load())
	if ok.Load() != server.DefaultMaxStreamsPerToken || limited.Load() != 200-server.DefaultMaxStreamsPerToken {
		t.Fatalf("accepted %d, refused %d; want %d accepted", ok.Load(), limited.Load(), server.DefaultMaxStreamsPerToken)
	}
	// Per user: more tokens do not lift the account's bound.
	for i := range 10 {
		_, q := f.login("amy")
		for range server.DefaultMaxStreamsPerToken {
			if _, err := f.svc.OpenStream(ctx, q, server.StreamOptions{}); err != nil {
				if server.ErrorKind(err) != server.KindRateLimited {
					t.Fatal(err)
				}
				if got := f.svc.OpenStreams(); got != server.DefaultMaxStreamsPerUser {
					t.Fatalf("refused at %d open streams (token %d), want %d", got, i, server.DefaultMaxStreamsPerUser)
				}
				goto closed
			}
		}
	}
	t.Fatal("the per-user bound was never reached")
closed:
	// Closing frees the places.
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for f.svc.OpenStreams() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := f.svc.OpenStreams(); n != 0 {
		t.Fatalf("%d streams still counted after their contexts ended", n)
	}
}

// countingStore counts the reads streams make.
type countingStore struct {
	server.Store
	cv                           server.ChangeVersioner
	versions, tokens, eventLists atomic.Int64
}

func (c *countingStore) ChangeVersion(ctx context.Context) (int64, error) {
	c.versions.Add(1)
	return c.cv.ChangeVersion(ctx)
}

func (c *countingStore) TokenByID(ctx context.Context, id string) (server.Token, error) {
	c.tokens.Add(1)
	return c.Store.TokenByID(ctx, id)
}

func (c *countingStore) ListEvents(ctx context.Context, userID int64, before, after int64, limit int) ([]server.Event, error) {
	c.eventLists.Add(1)
	return c.Store.ListEvents(ctx, userID, before, after, limit)
}

// 100 idle streams cost one change-version read per poll interval, not a
// read of each token and its events: one loop serves them all.
func TestIdleStreamsShareOnePoll(t *testing.T) {
	st := testenv.SQLite(t, "")
	cs := &countingStore{Store: st, cv: st}
	svc := server.NewService(cs, server.Options{Argon2: testenv.CheapArgon2, FlushInterval: time.Hour,
		MaxStreamsPerToken: 100, MaxStreamsPerUser: 100})
	t.Cleanup(func() { svc.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var streams []<-chan server.StreamUpdate
	for i := range 10 {
		name := fmt.Sprintf("user%d", i)
		if _, err := svc.CreateUser(ctx, server.NewUser{Username: name, Password: "pw-" + name + "-secret"}); err != nil {
			t.Fatal(err)
		}
		res, err := svc.Login(ctx, server.LoginInput{Username: name, Password: "pw-" + name + "-secret"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := svc.Authenticate(ctx, res.Secret, server.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			ch, err := svc.OpenStream(ctx, p, server.StreamOptions{Events: true})
			if err != nil {
				t.Fatal(err)
			}
			streams = append(streams, ch)
		}
	}
	time.Sleep(3 * server.StreamPollInterval) // the first rounds read every token once
	v0, t0, e0 := cs.versions.Load(), cs.tokens.Load(), cs.eventLists.Load()
	time.Sleep(time.Second)
	dv, dt, de := cs.versions.Load()-v0, cs.tokens.Load()-t0, cs.eventLists.Load()-e0
	t.Logf("100 idle streams over 1 s: %d version reads, %d token reads, %d event reads", dv, dt, de)
	if dt != 0 || de != 0 || dv > 15 {
		t.Fatalf("idle streams read %d versions, %d tokens, %d event lists in a second; want ≤ 15, 0, 0", dv, dt, de)
	}
	// A new event reaches the streams of its user, read once for all ten.
	u, _ := st.UserByName(ctx, "user3")
	if err := st.AddEvent(ctx, server.Event{UserID: u.ID, Username: "user3", Type: "test.event", Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, ch := range streams[30:40] {
		deadline := time.After(5 * time.Second)
	wait:
		for {
			select {
			case up := <-ch:
				if len(up.Events) == 1 && up.Events[0].Type == "test.event" {
					got++
					break wait
				}
			case <-deadline:
				break wait
			}
		}
	}
	if got != 10 {
		t.Fatalf("%d of user3's 10 streams got the event", got)
	}
	if n := cs.eventLists.Load() - e0 - de; n > 12 {
		t.Errorf("%d event reads for one change (10 users): want one per user with events streams", n)
	}
}
