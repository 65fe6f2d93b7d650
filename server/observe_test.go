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

// recorder is an Observer that counts what it is told.
type recorder struct {
	mu        sync.Mutex
	logins    map[string]int // "method result"
	throttled int
	shed      int
	waits     int
	created   map[server.TokenKind]int
	revoked   map[string]int
}

func newRecorder() *recorder {
	return &recorder{logins: map[string]int{}, created: map[server.TokenKind]int{}, revoked: map[string]int{}}
}

func (r *recorder) Login(method, result string) {
	r.mu.Lock()
	r.logins[method+" "+result]++
	r.mu.Unlock()
}
func (r *recorder) Throttled()             { r.mu.Lock(); r.throttled++; r.mu.Unlock() }
func (r *recorder) Shed()                  { r.mu.Lock(); r.shed++; r.mu.Unlock() }
func (r *recorder) HashWait(time.Duration) { r.mu.Lock(); r.waits++; r.mu.Unlock() }
func (r *recorder) TokenCreated(k server.TokenKind) {
	r.mu.Lock()
	r.created[k]++
	r.mu.Unlock()
}
func (r *recorder) TokensRevoked(reason string, n int) {
	r.mu.Lock()
	r.revoked[reason] += n
	r.mu.Unlock()
}

// The service tells its Observer every login by result, throttled
// guesses, the hash queue's waits and the tokens it makes and revokes;
// ActiveSessions counts the sessions that made requests here.
func TestObserverSeesLoginsThrottlingAndTokens(t *testing.T) {
	st := testenv.SQLite(t, "")
	rec := newRecorder()
	clock := server.NewManualClock(t0)
	svc := server.NewService(st, server.Options{Clock: clock, Argon2: testenv.CheapArgon2, FlushInterval: time.Hour, Observer: rec})
	t.Cleanup(func() { svc.Close() })
	ctx := context.Background()
	if _, err := svc.CreateUser(ctx, server.NewUser{Username: "amy", Password: "amy-password"}); err != nil {
		t.Fatal(err)
	}
	login := func(pw string) (*server.LoginResult, error) {
		return svc.Login(ctx, server.LoginInput{Username: "amy", Password: pw, Meta: server.Meta{Addr: "192.0.2.7"}})
	}
	res, err := login("amy-password")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, res.Secret, server.Meta{Addr: "192.0.2.7"})
	if err != nil {
		t.Fatal(err)
	}
	if n := svc.ActiveSessions(); n != 1 {
		t.Errorf("ActiveSessions after one session's request = %d, want 1", n)
	}
	api, _, err := svc.CreateToken(ctx, p, server.TokenSpec{Name: "ci"}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "", server.Meta{}); err == nil {
		t.Fatal("an empty secret authenticated")
	}
	// Wrong passwords from a stranger's address spend the account's burst;
	// the rest are throttled.
	const guesses = 14
	var throttled int
	for i := range guesses {
		_, err := login(fmt.Sprintf("wrong-%d-password", i))
		var de *server.Error
		if errors.As(err, &de) && de.Kind == server.KindRateLimited {
			throttled++
		}
	}
	if err := svc.RevokeToken(ctx, p, api.ID, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Logout(ctx, p, server.Meta{}); err != nil {
		t.Fatal(err)
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.logins["password success"] != 1 || rec.logins["password failure"] != guesses-throttled || rec.logins["password throttled"] != throttled {
		t.Errorf("logins = %v, want 1 success, %d failures, %d throttled", rec.logins, guesses-throttled, throttled)
	}
	if throttled == 0 || rec.throttled != throttled {
		t.Errorf("throttled: %d refused, observer told %d; want at least one, and equal", throttled, rec.throttled)
	}
	// Every hash waited (0 when a hasher was free): creating the user, and
	// each login that was not throttled first.
	if want := 1 + 1 + guesses - throttled; rec.waits != want {
		t.Errorf("hash waits observed = %d, want %d", rec.waits, want)
	}
	if rec.created[server.KindSession] != 1 || rec.created[server.KindAPI] != 1 {
		t.Errorf("tokens created = %v, want one session and one API token", rec.created)
	}
	if rec.revoked[server.RevokedByUser] != 1 || rec.revoked[server.RevokedByLogout] != 1 {
		t.Errorf("tokens revoked = %v, want one by the user and one by logout", rec.revoked)
	}
	if n := svc.ActiveSessions(); n != 0 {
		t.Errorf("ActiveSessions after logout = %d, want 0", n)
	}
	if rec.shed != 0 {
		t.Errorf("shed = %d with a free hasher", rec.shed)
	}
}

// A session that made no request for 15 minutes is no longer active.
func TestActiveSessionsAgeOut(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	f.login("amy")
	if n := f.svc.ActiveSessions(); n != 1 {
		t.Fatalf("ActiveSessions = %d, want 1", n)
	}
	f.clock.Advance(16 * time.Minute)
	if n := f.svc.ActiveSessions(); n != 0 {
		t.Errorf("ActiveSessions 16 minutes later = %d, want 0", n)
	}
}
