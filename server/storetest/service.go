package storetest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/httpapi"
)

// OpenPair opens two stores on one new, empty database, as two server
// instances sharing it do (SQLite: two stores on one file; PostgreSQL: two
// pools on one schema). The caller closes them at the test's cleanup.
type OpenPair func(t *testing.T) (a, b server.Store)

// RunService runs the cross-instance suite: two services, each on its own
// store over one database, sharing a ManualClock, must behave as one server.
// It covers rule 6 across instances (a revoke on A is refused on B at once,
// also while requests race it, and closes B's open streams within a
// second), rule 7's one-time codes raced on both instances, throttling
// (rule 8) and inactivity counted across instances, what two tokens with
// the same name do, and rules 1-5 and 9 with each step on either instance
// (rules.go).
func RunService(t *testing.T, open OpenPair) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *cluster)
	}{
		{"ChangeVersionSeesEveryWrite", testChangeVersionSeesEveryWrite},
		{"StoreRacesAcrossInstances", testStoreRacesAcrossInstances},
		{"RevokeRefusedOnOtherInstance", testRevokeRefusedOnOtherInstance},
		{"RevokeRacingRequests", testRevokeRacingRequests},
		{"StreamClosesOnOtherInstance", testStreamClosesOnOtherInstance},
		{"ThrottleAcrossInstances", testThrottleAcrossInstances},
		{"GuessBurstAcrossInstances", testGuessBurstAcrossInstances},
		{"InactivityAcrossInstances", testInactivityAcrossInstances},
		{"BackupCodeOnceAcrossInstances", testBackupCodeOnceAcrossInstances},
		{"TOTPStepOnceAcrossInstances", testTOTPStepOnceAcrossInstances},
		{"SameTokenName", testSameTokenName},
		{"Rule1TokenLifetime", testRuleTokenLifetime},
		{"Rule2SessionPolicy", testRuleSessionPolicy},
		{"Rule3Access", testRuleAccess},
		{"Rule5CredentialsChange", testRuleCredentialsChange},
		{"Rule9NoSecretsInEvents", testRuleNoSecretsInEvents},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			c := newCluster(t, a, b)
			tc.fn(t, c)
		})
	}
}

// cheapArgon2 keeps password checks fast; the hashing itself is tested in
// package server.
var cheapArgon2 = server.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// instance is one server: a service on its own store.
type instance struct {
	name  string
	store server.Store
	svc   *server.Service
}

type cluster struct {
	t     *testing.T
	clock *server.ManualClock
	a, b  *instance
}

func newCluster(t *testing.T, a, b server.Store) *cluster {
	clock := server.NewManualClock(Base)
	mk := func(name string, st server.Store) *instance {
		// Token uses are flushed by the tests, as the services' one-second
		// flush would.
		svc := server.NewService(st, server.Options{Clock: clock, Argon2: cheapArgon2, FlushInterval: time.Hour})
		t.Cleanup(func() {
			svc.Close()
			st.Close()
		})
		return &instance{name: name, store: st, svc: svc}
	}
	return &cluster{t: t, clock: clock, a: mk("A", a), b: mk("B", b)}
}

func password(name string) string { return "pw-" + name + "-correct-horse" }

var meta = server.Meta{Addr: "192.0.2.10", Method: "test"}

func (c *cluster) user(name string) server.User {
	c.t.Helper()
	u, err := c.a.svc.CreateUser(ctx, server.NewUser{Username: name, Password: password(name)})
	if err != nil {
		c.t.Fatalf("CreateUser %s: %v", name, err)
	}
	return u
}

// login opens a session on in and authenticates with it there.
func (c *cluster) login(in *instance, name string) (string, *server.Principal) {
	c.t.Helper()
	res, err := in.svc.Login(ctx, server.LoginInput{Username: name, Password: password(name), Meta: meta})
	if err != nil {
		c.t.Fatalf("login %s on %s: %v", name, in.name, err)
	}
	return res.Secret, c.auth(in, res.Secret)
}

func (c *cluster) auth(in *instance, secret string) *server.Principal {
	c.t.Helper()
	p, err := in.svc.Authenticate(ctx, secret, meta)
	if err != nil {
		c.t.Fatalf("authenticate on %s: %v", in.name, err)
	}
	return p
}

// refused authenticates secret on in and returns the refusal's reason,
// failing the test when it is accepted.
func (c *cluster) refused(in *instance, secret string) string {
	c.t.Helper()
	_, err := in.svc.Authenticate(ctx, secret, meta)
	if err == nil {
		c.t.Fatalf("instance %s accepted a token it must refuse", in.name)
	}
	var de *server.Error
	if !errors.As(err, &de) || de.Kind != server.KindInvalidAuthentication {
		c.t.Fatalf("instance %s: error %v, want InvalidAuthentication", in.name, err)
	}
	return de.Reason
}

// enroll turns 2FA on for name (through A) and returns the backup codes.
func (c *cluster) enroll(name string) (secret string, codes []string) {
	c.t.Helper()
	_, p := c.login(c.a, name)
	enr, err := c.a.svc.BeginEnrollment(ctx, p, password(name), "", meta)
	if err != nil {
		c.t.Fatalf("BeginEnrollment: %v", err)
	}
	code, err := server.TOTPCode(enr.Secret, server.TOTPStep(c.clock.Now()))
	if err != nil {
		c.t.Fatal(err)
	}
	codes, err = c.a.svc.ConfirmEnrollment(ctx, p, code, meta)
	if err != nil {
		c.t.Fatalf("ConfirmEnrollment: %v", err)
	}
	return enr.Secret, codes
}

// testChangeVersionSeesEveryWrite: every write through one store changes
// the other's ChangeVersion, which the auth cache relies on.
func testChangeVersionSeesEveryWrite(t *testing.T, c *cluster) {
	cvA, ok := c.a.store.(server.ChangeVersioner)
	if !ok {
		t.Skip("the store has no ChangeVersion")
	}
	b := c.b.store
	u := server.User{Username: "vera", CreatedAt: Base}
	org := server.Org{Name: "v-org"}
	tok := server.Token{ID: "token-v1", Kind: server.KindSession, SecretHash: "h-v1", CreatedAt: Base, ExpiresAt: Base.Add(time.Hour)}
	now := Base.Add(time.Minute)
	writes := []struct {
		name string
		fn   func() error
	}{
		{"CreateOrg", func() error { return b.CreateOrg(ctx, &org) }},
		{"CreateUser", func() error { return b.CreateUser(ctx, &u) }},
		{"UpdateProfile", func() error {
			name := "Vera"
			return b.UpdateProfile(ctx, u.ID, server.ProfileUpdate{FullName: &name})
		}},
		{"SetUserOrg", func() error { return b.SetUserOrg(ctx, u.ID, org.ID) }},
		{"UpdateOrg", func() error { org.Require2FA = true; return b.UpdateOrg(ctx, org) }},
		{"CreateProject", func() error { return b.CreateProject(ctx, server.Project{ID: "project-v", Name: "V", CreatedAt: Base}) }},
		{"SetMember", func() error { return b.SetMember(ctx, "project-v", u.ID, server.LevelView) }},
		{"CreateToken", func() error { tok.UserID = u.ID; return b.CreateToken(ctx, tok) }},
		{"TouchTokens", func() error {
			return b.TouchTokens(ctx, []server.TokenUsage{{TokenID: tok.ID, At: now, Addr: "a"}})
		}},
		{"RevokeToken", func() error { _, err := b.RevokeToken(ctx, tok.ID, now, server.RevokedByUser); return err }},
		{"AddEvent", func() error { return b.AddEvent(ctx, server.Event{Time: now, UserID: u.ID, Type: server.EventLogout}) }},
		{"ChargeGuess", func() error {
			_, err := b.ChargeGuess(ctx, []server.Bucket{{Key: "acct:vera", Burst: 5, Every: time.Minute}}, now)
			return err
		}},
		{"RefundGuess", func() error {
			return b.RefundGuess(ctx, []server.Bucket{{Key: "acct:vera", Burst: 5, Every: time.Minute}}, now)
		}},
		{"MarkKnownAddress", func() error { return b.MarkKnownAddress(ctx, "vera|192.0.2.1", now) }},
		{"SetPendingTOTP", func() error { return b.SetPendingTOTP(ctx, u.ID, "SECRET") }},
		{"EnableTOTP", func() error {
			_, err := b.EnableTOTP(ctx, u.ID, "SECRET", 10, []string{"c1", "c2"}, nil, now)
			return err
		}},
		{"UseTOTPStep", func() error { _, err := b.UseTOTPStep(ctx, u.ID, 11); return err }},
		{"UseBackupCode", func() error { _, err := b.UseBackupCode(ctx, u.ID, "c1", now); return err }},
		{"ReplaceBackupCodes", func() error {
			got, err := b.UserByID(ctx, u.ID)
			if err != nil {
				return err
			}
			return b.ReplaceBackupCodes(ctx, u.ID, got.BackupGen, []string{"c3"})
		}},
		{"SetPassword", func() error {
			_, err := b.SetPassword(ctx, u.ID, "", "h2", []server.TokenKind{server.KindSession}, now)
			return err
		}},
		{"RevokeTokens", func() error {
			must(t, b.CreateToken(ctx, server.Token{ID: "token-v2", UserID: u.ID, Kind: server.KindAPI, SecretHash: "h-v2", CreatedAt: Base, ExpiresAt: Base.Add(time.Hour)}), "CreateToken")
			_, err := b.RevokeTokens(ctx, u.ID, []server.TokenKind{server.KindAPI}, "", now, server.RevokedByUser)
			return err
		}},
		{"DisableTOTP", func() error { _, err := b.DisableTOTP(ctx, u.ID, nil, now); return err }},
		{"AddSSHKey", func() error {
			return b.AddSSHKey(ctx, server.SSHKey{UserID: u.ID, Fingerprint: "SHA256:v", PublicKey: "ssh-ed25519 AAAA", CreatedAt: Base})
		}},
		{"TouchSSHKey", func() error { return b.TouchSSHKey(ctx, "SHA256:v", now) }},
		{"RemoveSSHKey", func() error { _, _, err := b.RemoveSSHKey(ctx, u.ID, "SHA256:v", now); return err }},
	}
	for _, w := range writes {
		before, err := cvA.ChangeVersion(ctx)
		must(t, err, "ChangeVersion")
		must(t, w.fn(), w.name)
		after, err := cvA.ChangeVersion(ctx)
		must(t, err, "ChangeVersion")
		if after == before {
			t.Errorf("%s on instance B left instance A's ChangeVersion at %d", w.name, before)
		}
	}
}

// raceOn runs fn from racers goroutines spread over both instances, released
// at once, and counts true results.
func (c *cluster) raceOn(fn func(in *instance, i int) (bool, error)) int {
	c.t.Helper()
	return race(c.t, func(i int) (bool, error) {
		in := c.a
		if i%2 == 1 {
			in = c.b
		}
		return fn(in, i)
	})
}

// testStoreRacesAcrossInstances: the store's one-time operations hold when
// the racers come through two stores on one database.
func testStoreRacesAcrossInstances(t *testing.T, c *cluster) {
	u := mkUser(t, c.a.store, "rosa")
	must(t, c.a.store.ReplaceBackupCodes(ctx, u.ID, 0, []string{"h1", "h2"}), "ReplaceBackupCodes")
	if wins := c.raceOn(func(in *instance, i int) (bool, error) {
		return in.store.UseBackupCode(ctx, u.ID, "h1", Base.Add(time.Duration(i)))
	}); wins != 1 {
		t.Errorf("one backup code used through two stores was accepted %d times, want once", wins)
	}
	for step := int64(101); step <= 103; step++ {
		if wins := c.raceOn(func(in *instance, _ int) (bool, error) {
			return in.store.UseTOTPStep(ctx, u.ID, step)
		}); wins != 1 {
			t.Errorf("TOTP step %d through two stores was accepted %d times, want once", step, wins)
		}
	}
	// Guesses charged through two stores at once: exactly the burst passes.
	bucket := []server.Bucket{{Key: "acct:rosa", Burst: 3, Every: time.Hour}}
	if wins := c.raceOn(func(in *instance, _ int) (bool, error) {
		wait, err := in.store.ChargeGuess(ctx, bucket, Base)
		return wait == 0, err
	}); wins != 3 {
		t.Errorf("%d guesses charged through two stores at once, want the burst of 3", wins)
	}
}

// testRevokeRefusedOnOtherInstance: once a revoke returns on one instance,
// the other refuses the token on its very next request, though it had the
// token cached as valid.
func testRevokeRefusedOnOtherInstance(t *testing.T, c *cluster) {
	c.user("rob")

	// Logout on A; B had just served the session.
	secret, pA := c.login(c.a, "rob")
	c.auth(c.b, secret)
	c.auth(c.b, secret)
	must(t, c.a.svc.Logout(ctx, pA, meta), "Logout on A")
	if r := c.refused(c.b, secret); r != "revoked" {
		t.Errorf("B refused a logged-out session with reason %q, want revoked", r)
	}

	// An API token made on B, used on A, revoked on B.
	_, pB := c.login(c.b, "rob")
	tok, apiSecret, err := c.b.svc.CreateToken(ctx, pB, server.TokenSpec{Name: "ci"}, meta)
	must(t, err, "CreateToken on B")
	c.auth(c.a, apiSecret)
	c.auth(c.a, apiSecret)
	must(t, c.b.svc.RevokeToken(ctx, pB, tok.ID, meta), "RevokeToken on B")
	if r := c.refused(c.a, apiSecret); r != "revoked" {
		t.Errorf("A refused a revoked API token with reason %q, want revoked", r)
	}

	// A password change on A signs out the session B is serving (rule 5).
	other, pA2 := c.login(c.a, "rob")
	c.auth(c.b, other)
	_, err = c.a.svc.ChangePassword(ctx, pA2, password("rob"), "another-long-password", "", false, meta)
	must(t, err, "ChangePassword on A")
	if r := c.refused(c.b, other); r != "revoked" {
		t.Errorf("B served a session after a password change on A (reason %q)", r)
	}
}

// testRevokeRacingRequests: requests hammer the token on both instances
// while it is revoked; no request that starts after the revoke returned
// may succeed.
func testRevokeRacingRequests(t *testing.T, c *cluster) {
	c.user("rita")
	for round := range 4 {
		revoker, other := c.a, c.b
		if round%2 == 1 {
			revoker, other = c.b, c.a
		}
		_, p := c.login(revoker, "rita")
		tok, secret, err := revoker.svc.CreateToken(ctx, p, server.TokenSpec{Name: fmt.Sprintf("race %d", round)}, meta)
		must(t, err, "CreateToken")

		var (
			revoked    atomic.Bool
			afterCount atomic.Int64
			leaks      atomic.Int64
			stop       = make(chan struct{})
			wg         sync.WaitGroup
			errMu      sync.Mutex
			errs       []error
		)
		for w := range 6 {
			in := []*instance{c.a, c.b}[w%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					wasRevoked := revoked.Load()
					_, err := in.svc.Authenticate(ctx, secret, meta)
					switch {
					case wasRevoked:
						afterCount.Add(1)
						if err == nil {
							leaks.Add(1)
						}
					case err != nil:
						// Refused while the revoke is committing but has not
						// returned yet: fine, if refused for that reason.
						var de *server.Error
						if !errors.As(err, &de) || de.Reason != "revoked" {
							errMu.Lock()
							errs = append(errs, fmt.Errorf("instance %s before the revoke returned: %w", in.name, err))
							errMu.Unlock()
						}
					}
				}
			}()
		}
		// Usage flushes write while the race runs, as they do in service.
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(3 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					c.a.svc.FlushUsage(ctx)
					c.b.svc.FlushUsage(ctx)
				}
			}
		}()
		time.Sleep(30 * time.Millisecond)
		err = revoker.svc.RevokeToken(ctx, p, tok.ID, meta)
		revoked.Store(true)
		deadline := time.Now().Add(10 * time.Second)
		for afterCount.Load() < 200 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		close(stop)
		wg.Wait()
		must(t, err, "RevokeToken")
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if n := leaks.Load(); n > 0 {
			t.Errorf("round %d (revoked on %s): %d of %d requests started after the revoke returned were let through",
				round, revoker.name, n, afterCount.Load())
		}
		if afterCount.Load() == 0 {
			t.Errorf("round %d: no request ran after the revoke", round)
		}
		if r := c.refused(other, secret); r != "revoked" {
			t.Errorf("round %d: reason %q, want revoked", round, r)
		}
	}
}

// testStreamClosesOnOtherInstance: an event stream open on B, over HTTP,
// ends within a second of a revoke on A.
func testStreamClosesOnOtherInstance(t *testing.T, c *cluster) {
	c.user("sten")
	srv := httptest.NewServer(httpapi.New(c.b.svc, nil))
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
	})
	secret, pA := c.login(c.a, "sten")

	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(sctx, "GET", srv.URL+"/v1/events?follow=true", nil)
	must(t, err, "NewRequest")
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := srv.Client().Do(req)
	must(t, err, "open stream on B")
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream on B: status %d", resp.StatusCode)
	}
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	select {
	case l := <-lines:
		if !strings.HasPrefix(l, ":") {
			t.Fatalf("stream starts with %q", l)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream on B sent nothing")
	}

	must(t, c.a.svc.Logout(ctx, pA, meta), "Logout on A")
	revoked := time.Now()
	sawEnd := false
	timeout := time.After(time.Second)
	for {
		select {
		case l, open := <-lines:
			if !open {
				elapsed := time.Since(revoked)
				if !sawEnd {
					t.Errorf("the stream closed without an end event")
				}
				t.Logf("stream on B closed %v after the revoke on A", elapsed.Round(time.Millisecond))
				return
			}
			if l == "event: end" {
				sawEnd = true
			}
		case <-timeout:
			t.Fatalf("the stream on B was still open a second after the revoke on A")
		}
	}
}

// testThrottleAcrossInstances: guesses count wherever they land; the
// stranger's budget of an account is shared by every instance.
func testThrottleAcrossInstances(t *testing.T, c *cluster) {
	c.user("tess")
	login := func(in *instance, pw string, i int) error {
		// A new address each time: only the account's bucket can throttle.
		_, err := in.svc.Login(ctx, server.LoginInput{Username: "tess", Password: pw,
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
			_, err := in.svc.Login(ctx, server.LoginInput{Username: "gus", Password: fmt.Sprintf("guess-%d", i),
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
	c.a.svc.FlushUsage(ctx)
	use := func(in *instance, at time.Duration) {
		t.Helper()
		c.clock.Set(Base.Add(at))
		c.auth(in, secret)
		in.svc.FlushUsage(ctx)
	}
	use(c.b, 10*time.Minute)
	use(c.a, 20*time.Minute) // 20 minutes after A's last sight of it, 10 after B's
	use(c.b, 34*time.Minute)
	use(c.a, 48*time.Minute)
	c.clock.Set(Base.Add(63*time.Minute + time.Second)) // 15 minutes and a second since the last use, on A
	if r := c.refused(c.b, secret); r != "idle" {
		t.Errorf("B: reason %q, want idle", r)
	}
	if r := c.refused(c.a, secret); r != "idle" {
		t.Errorf("A after B expired it: reason %q, want idle", r)
	}
	tok, err := c.a.store.TokenByHash(ctx, server.HashSecret(secret))
	must(t, err, "TokenByHash")
	if tok.RevokeReason != server.RevokedIdle || !sameTime(tok.LastUsedAt, Base.Add(48*time.Minute)) {
		t.Errorf("idle session: revoked %v (%q), last used %v", tok.RevokedAt, tok.RevokeReason, tok.LastUsedAt)
	}
}

// loginRace sends the same second factor from racers logins spread over
// both instances and counts the sessions opened.
func (c *cluster) loginRace(name, code string) (int, []string) {
	c.t.Helper()
	var mu sync.Mutex
	var reasons []string
	wins := c.raceOn(func(in *instance, _ int) (bool, error) {
		_, err := in.svc.Login(ctx, server.LoginInput{Username: name, Password: password(name), Code: code,
			Meta: server.Meta{Method: "test"}})
		var de *server.Error
		if errors.As(err, &de) {
			mu.Lock()
			reasons = append(reasons, string(de.Kind)+"/"+de.Reason)
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
			// Refusals count as failures, so late racers may meet the lock.
			if r != string(server.KindTwoFactorRequired)+"/invalid" && r != string(server.KindRateLimited)+"/" {
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
			tok, secret, err := side.in.svc.CreateToken(ctx, side.p, server.TokenSpec{Name: "deploy"}, meta)
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
	list, err := c.b.svc.ListTokens(ctx, pB)
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
	must(t, c.a.svc.RevokeToken(ctx, pA, x.tok.ID, meta), "RevokeToken")
	c.refused(c.b, x.secret)
	c.auth(c.b, y.secret)
	c.auth(c.a, y.secret)
}
