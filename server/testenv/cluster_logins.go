package testenv

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/storetest"
)

// testThrottleAcrossInstances: guesses count wherever they land; the
// stranger's budget of an account is shared by every instance.
func testThrottleAcrossInstances(t *testing.T, c *cluster) {
	c.user("tess")
	login := func(in *instance, pw string, i int) error {
		// A new address each time: only the account's bucket can throttle.
		_, err := in.svc.Login(bg, server.LoginInput{Username: "tess", Password: pw,
			Meta: server.Meta{Addr: fmt.Sprintf("198.51.100.%d", i), Method: "test"}})
		return err
	}
	// Ten failures, alternating: neither instance saw more than five.
	for i := range 10 {
		in := []*instance{c.a, c.b}[i%2]
		err := login(in, "wrong password "+fmt.Sprint(i), i)
		if k := server.ErrorKind(err); k != server.KindInvalidAuthentication {
			t.Fatalf("failure %d on %s: %v, want InvalidAuthentication", i+1, in.name, err)
		}
	}
	for i, in := range []*instance{c.a, c.b} {
		err := login(in, password("tess"), 20+i)
		var de *server.Error
		if !errors.As(err, &de) || de.Kind != server.KindRateLimited || de.RetryAfter <= 0 || de.RetryAfter > 24*time.Minute {
			t.Errorf("instance %s after 10 failures spread over both: %v, want RateLimited with a Retry-After of at most 24 minutes", in.name, err)
		}
	}
	// The bucket drains by itself: after one step, one guess more.
	c.clock.Advance(24 * time.Minute)
	if err := login(c.b, password("tess"), 30); err != nil {
		t.Errorf("login once the wait is over: %v", err)
	}
}

// testGuessBurstAcrossInstances: 100 wrong passwords at one account at
// once, half on each instance: no more are evaluated than the account's
// free guesses, as if they had come one after another to one server.
func testGuessBurstAcrossInstances(t *testing.T, c *cluster) {
	c.user("gus")
	var mu sync.Mutex
	counts := map[server.Kind]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			in := []*instance{c.a, c.b}[i%2]
			_, err := in.svc.Login(bg, server.LoginInput{Username: "gus", Password: fmt.Sprintf("guess-%d", i),
				Meta: server.Meta{Addr: fmt.Sprintf("198.51.100.%d", i), Method: "test"}})
			mu.Lock()
			counts[server.ErrorKind(err)]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	t.Logf("100 concurrent wrong passwords over two instances: %v", counts)
	if ev := counts[server.KindInvalidAuthentication]; ev == 0 || ev > 10 {
		t.Errorf("%d guesses evaluated over two instances, want at most the 10 free ones", ev)
	}
	if counts[server.KindInternal] != 0 {
		t.Errorf("internal errors: %v", counts)
	}
}

// testInactivityAcrossInstances: a session used on one instance is not idle
// on the other (once uses are flushed, every second in service), and one
// idle everywhere is refused everywhere.
func testInactivityAcrossInstances(t *testing.T, c *cluster) {
	c.user("ines")
	secret, _ := c.login(c.a, "ines") // 15 minutes of inactivity allowed
	c.a.svc.FlushUsage(bg)
	use := func(in *instance, at time.Duration) {
		t.Helper()
		c.clock.Set(storetest.Base.Add(at))
		c.auth(in, secret)
		in.svc.FlushUsage(bg)
	}
	use(c.b, 10*time.Minute)
	use(c.a, 20*time.Minute) // 20 minutes after A's last sight of it, 10 after B's
	use(c.b, 34*time.Minute)
	use(c.a, 48*time.Minute)
	c.clock.Set(storetest.Base.Add(63*time.Minute + time.Second)) // 15 minutes and a second since the last use, on A
	if r := c.refused(c.b, secret); r != "idle" {
		t.Errorf("B: reason %q, want idle", r)
	}
	if r := c.refused(c.a, secret); r != "idle" {
		t.Errorf("A after B expired it: reason %q, want idle", r)
	}
	tok, err := c.a.store.TokenByHash(bg, server.HashSecret(secret))
	must(t, err, "TokenByHash")
	if tok.RevokeReason != server.RevokedIdle || !sameTime(tok.LastUsedAt, storetest.Base.Add(48*time.Minute)) {
		t.Errorf("idle session: revoked %v (%q), last used %v", tok.RevokedAt, tok.RevokeReason, tok.LastUsedAt)
	}
}

// loginRace sends the same second factor from storetest.Racers logins spread over
// both instances and counts the sessions opened.
func (c *cluster) loginRace(name, code string) (int, []string) {
	c.t.Helper()
	var mu sync.Mutex
	var reasons []string
	wins := c.raceOn(func(in *instance, _ int) (bool, error) {
		_, err := in.svc.Login(bg, server.LoginInput{Username: name, Password: password(name), Code: code,
			Meta: server.Meta{Method: "test"}})
		var de *server.Error
		if errors.As(err, &de) {
			mu.Lock()
			reasons = append(reasons, string(de.Kind)+"/"+string(de.Reason))
			mu.Unlock()
			return false, nil
		}
		return err == nil, err
	})
	return wins, reasons
}

// testBackupCodeOnceAcrossInstances: one backup code, many logins at once
// on both instances: one session.
func testBackupCodeOnceAcrossInstances(t *testing.T, c *cluster) {
	for round := range 3 {
		name := fmt.Sprintf("bo%d", round)
		c.user(name)
		_, codes := c.enroll(name)
		wins, reasons := c.loginRace(name, codes[round])
		if wins != 1 {
			t.Errorf("round %d: one backup code opened %d sessions, want 1 (refusals: %v)", round, wins, reasons)
		}
		for _, r := range reasons {
			// Refusals count as failures, so late storetest.Racers may meet the lock.
			if r != string(server.KindTwoFactorRequired)+"/"+string(server.ReasonUsed) && r != string(server.KindRateLimited)+"/" {
				t.Errorf("round %d: a second use was refused as %s", round, r)
			}
		}
	}
}

// testTOTPStepOnceAcrossInstances: one TOTP code (one time step) sent to
// both instances at once opens one session; the others are told it was
// already used.
func testTOTPStepOnceAcrossInstances(t *testing.T, c *cluster) {
	for round := range 3 {
		name := fmt.Sprintf("to%d", round)
		c.user(name)
		secret, _ := c.enroll(name)
		c.clock.Advance(30 * time.Second) // the enrollment used the current step
		code, err := server.TOTPCode(secret, server.TOTPStep(c.clock.Now()))
		must(t, err, "TOTPCode")
		wins, reasons := c.loginRace(name, code)
		if wins != 1 {
			t.Errorf("round %d: one TOTP step opened %d sessions, want 1 (refusals: %v)", round, wins, reasons)
		}
		for _, r := range reasons {
			if r != string(server.KindTwoFactorRequired)+"/replayed" && r != string(server.KindRateLimited)+"/" {
				t.Errorf("round %d: a replay was refused as %s", round, r)
			}
		}
	}
}

// testSameTokenName: token names need not be unique. Two tokens created
// with one name at once, on two instances, are two tokens with their own
// ids and secrets, listed both, revoked one at a time.
func testSameTokenName(t *testing.T, c *cluster) {
	c.user("nina")
	_, pA := c.login(c.a, "nina")
	_, pB := c.login(c.b, "nina")
	type made struct {
		tok    server.Token
		secret string
		err    error
	}
	results := make([]made, 2)
	var wg sync.WaitGroup
	for i, side := range []struct {
		in *instance
		p  *server.Principal
	}{{c.a, pA}, {c.b, pB}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, secret, err := side.in.svc.CreateToken(bg, side.p, server.TokenSpec{Name: "deploy"}, meta)
			results[i] = made{tok, secret, err}
		}()
	}
	wg.Wait()
	for i, r := range results {
		must(t, r.err, fmt.Sprintf("CreateToken %d", i))
	}
	x, y := results[0], results[1]
	if x.tok.ID == y.tok.ID || x.secret == y.secret {
		t.Fatalf("two tokens named alike share an id or a secret")
	}
	list, err := c.b.svc.ListTokens(bg, pB)
	must(t, err, "ListTokens")
	var named []string
	for _, tok := range list {
		if tok.Name == "deploy" {
			named = append(named, tok.ID)
		}
	}
	slices.Sort(named)
	want := []string{x.tok.ID, y.tok.ID}
	slices.Sort(want)
	if !slices.Equal(named, want) {
		t.Errorf("tokens named deploy: %v, want %v", named, want)
	}
	must(t, c.a.svc.RevokeToken(bg, pA, x.tok.ID, meta), "RevokeToken")
	c.refused(c.b, x.secret)
	c.auth(c.b, y.secret)
	c.auth(c.a, y.secret)
}
