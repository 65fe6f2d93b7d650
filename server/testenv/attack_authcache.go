package testenv

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/latch-dev/latch/server"
)

// RunAuthCacheAttacks attacks the auth cache across two instances on one
// database (f761e55, 5af035f: shared cache entries, the store's version
// interfaces found once, the org's policy applied before an entry is
// cached, one clock read per authentication). Each case warms instance
// B's cache with the token, changes something through A (or only moves
// the clock), and asks B again: the very next request must see it.
func RunAuthCacheAttacks(t *testing.T, open OpenPair) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *cluster)
	}{
		{"RevokeSeenThroughWarmCache", attackRevokeWarm},
		{"LockSeenThroughWarmCache", attackLockWarm},
		{"ShorterAutoLogoutSeenThroughWarmCache", attackShorterAutoLogoutWarm},
		{"Require2FASeenThroughWarmCache", attackRequire2FAWarm},
		{"KeyRemovalSeenThroughWarmCache", attackKeyRemovalWarm},
		{"ExpiryAndIdleWithoutAnyCommit", attackClockOnlyWarm},
		{"OrgPolicyNotBakedIntoAPITokens", attackOrgPolicyAPITokens},
		{"BurstNoCrossTalkNoLeak", attackBurst},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := open(t)
			tc.fn(t, newCluster(t, a, b))
		})
	}
}

// warm authenticates secret on in until the store's version can be read
// from memory (PostgreSQL's lease is taken on the first read and trusted
// a moment later), so the next request is a cache hit if nothing changed.
func (c *cluster) warm(in *instance, secret string) *server.Principal {
	c.t.Helper()
	c.auth(in, secret)
	time.Sleep(150 * time.Millisecond)
	var p *server.Principal
	for range 3 {
		p = c.auth(in, secret)
	}
	return p
}

func attackRevokeWarm(t *testing.T, c *cluster) {
	c.user("rene")
	_, p := c.login(c.a, "rene")
	tok, secret, err := c.a.svc.CreateToken(bg, p, server.TokenSpec{Name: "warm"}, meta)
	must(t, err, "CreateToken")
	c.warm(c.b, secret)
	must(t, c.a.svc.RevokeToken(bg, p, tok.ID, meta), "RevokeToken")
	if r := c.refused(c.b, secret); r != server.ReasonRevoked {
		t.Errorf("revoked on A, B's warm cache answered %q, want revoked", r)
	}
}

func attackLockWarm(t *testing.T, c *cluster) {
	c.user("lars")
	secret, _ := c.login(c.a, "lars")
	c.warm(c.b, secret)
	must(t, c.a.svc.AdminLock(bg, "lars", true), "AdminLock")
	if r := c.refused(c.b, secret); r != server.ReasonLocked {
		t.Errorf("locked on A, B's warm cache answered %q, want locked", r)
	}
}

// The org's policy is now applied before an entry is cached: a shorter
// autoLogoutAfter must still reach a session cached under the longer one.
func attackShorterAutoLogoutWarm(t *testing.T, c *cluster) {
	if _, err := c.a.svc.CreateOrg(bg, "slow", time.Hour, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.a.svc.CreateUser(bg, server.NewUser{Username: "olga", Password: password("olga"), Org: "slow"}); err != nil {
		t.Fatal(err)
	}
	secret, _ := c.login(c.b, "olga")
	if p := c.warm(c.b, secret); p.Token.IdleTimeout != time.Hour {
		t.Fatalf("session limit %v under an org of 1h", p.Token.IdleTimeout)
	}
	c.b.svc.FlushUsage(bg)
	c.clock.Advance(10 * time.Minute) // idle for 10 minutes: fine under 1h
	if p := c.warm(c.b, secret); p.Token.IdleTimeout != time.Hour {
		t.Fatalf("session limit %v", p.Token.IdleTimeout)
	}
	c.b.svc.FlushUsage(bg)
	c.clock.Advance(10 * time.Minute) // idle for 10 minutes again
	five := 5 * time.Minute
	if _, err := c.a.svc.UpdateOrg(bg, "slow", server.OrgUpdate{AutoLogoutAfter: &five}); err != nil {
		t.Fatal(err)
	}
	if r := c.refused(c.b, secret); r != server.ReasonIdle {
		t.Errorf("idle 10m, the org's limit cut to 5m on A: B answered %q, want idle", r)
	}

	// A session still within the new limit reports it at once.
	secret2, _ := c.login(c.b, "olga")
	c.warm(c.b, secret2)
	two := 2 * time.Minute
	if _, err := c.a.svc.UpdateOrg(bg, "slow", server.OrgUpdate{AutoLogoutAfter: &two}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the miss that reads the change, then a hit
		if p := c.warm(c.b, secret2); p.Token.IdleTimeout != two {
			t.Errorf("request %d after the org's limit was cut to 2m on A: B's session says %v", i, p.Token.IdleTimeout)
		}
	}
}

func attackRequire2FAWarm(t *testing.T, c *cluster) {
	if _, err := c.a.svc.CreateOrg(bg, "strict", 0, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.a.svc.CreateUser(bg, server.NewUser{Username: "tess", Password: password("tess"), Org: "strict"}); err != nil {
		t.Fatal(err)
	}
	secret, _ := c.login(c.b, "tess")
	p := c.warm(c.b, secret)
	if cred, err := c.b.svc.Whoami(bg, p); err != nil || cred == server.CredEnrollOnly {
		t.Fatalf("before the requirement: %v %v", cred, err)
	}
	on, grace := true, time.Duration(0)
	if _, err := c.a.svc.UpdateOrg(bg, "strict", server.OrgUpdate{Require2FA: &on, TwoFactorGrace: &grace}); err != nil {
		t.Fatal(err)
	}
	p = c.auth(c.b, secret)
	if !p.Org.Require2FA {
		t.Fatal("B's cached principal does not know the org requires 2FA now")
	}
	if cred, _ := c.b.svc.Whoami(bg, p); cred != server.CredEnrollOnly {
		t.Errorf("after require2FA on A, B's session is %v, want enroll-only", cred)
	}
	if _, _, err := c.b.svc.CreateToken(bg, p, server.TokenSpec{Name: "sneak"}, meta); err == nil {
		t.Error("an enroll-only session made an API token through B's cache")
	}
}

func attackKeyRemovalWarm(t *testing.T, c *cluster) {
	c.user("kurt")
	_, p := c.login(c.a, "kurt")
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	must(t, err, "key")
	key, err := ssh.NewPublicKey(pub)
	must(t, err, "key")
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	k, err := c.a.svc.AddSSHKey(bg, p, line, server.FreshProof{Password: password("kurt")}, meta)
	must(t, err, "AddSSHKey")
	res, err := c.b.svc.LoginWithKey(bg, "kurt", key, "", server.Meta{Addr: meta.Addr, Method: "ssh"})
	must(t, err, "LoginWithKey")
	c.warm(c.b, res.Secret)
	must(t, c.a.svc.RemoveSSHKey(bg, p, k.Fingerprint, meta), "RemoveSSHKey")
	if r := c.refused(c.b, res.Secret); r != server.ReasonRevoked {
		t.Errorf("key removed on A, its session on B answered %q, want revoked", r)
	}
}

// Expiry and inactivity need no commit: the clock alone ends the token,
// and a cache hit (the version unchanged) must still see it.
func attackClockOnlyWarm(t *testing.T, c *cluster) {
	c.user("cleo")
	secret, p := c.login(c.b, "cleo")
	c.warm(c.b, secret)
	c.b.svc.FlushUsage(bg)
	c.warm(c.b, secret) // version unchanged since this read: hits from here
	c.clock.Advance(p.Token.IdleTimeout + time.Second)
	if r := c.refused(c.b, secret); r != server.ReasonIdle {
		t.Errorf("session idle past its limit, warm cache answered %q, want idle", r)
	}

	_, p2 := c.login(c.a, "cleo")
	until := c.clock.Now().Add(time.Hour)
	_, apiSecret, err := c.a.svc.CreateToken(bg, p2, server.TokenSpec{Name: "short", ExpiresAt: &until}, meta)
	must(t, err, "CreateToken")
	c.warm(c.b, apiSecret)
	c.b.svc.FlushUsage(bg)
	c.warm(c.b, apiSecret)
	c.clock.Advance(time.Hour) // ExpiresAt exactly: expired (not now.Before)
	if r := c.refused(c.b, apiSecret); r != server.ReasonExpired {
		t.Errorf("API token at its expiry, warm cache answered %q, want expired", r)
	}
}

// applyOrgPolicy now runs before an entry is cached: it must still touch
// only sessions, never an API token's own inactivity limit.
func attackOrgPolicyAPITokens(t *testing.T, c *cluster) {
	if _, err := c.a.svc.CreateOrg(bg, "lab", 3*time.Minute, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.a.svc.CreateUser(bg, server.NewUser{Username: "ada", Password: password("ada"), Org: "lab"}); err != nil {
		t.Fatal(err)
	}
	_, p := c.login(c.a, "ada")
	_, none, err := c.a.svc.CreateToken(bg, p, server.TokenSpec{Name: "no limit"}, meta)
	must(t, err, "CreateToken")
	_, own, err := c.a.svc.CreateToken(bg, p, server.TokenSpec{Name: "own limit", IdleTimeout: time.Hour}, meta)
	must(t, err, "CreateToken")
	for range 2 { // the miss, then the hit
		if q := c.warm(c.b, none); q.Token.IdleTimeout != 0 {
			t.Errorf("API token without a limit got %v from the org", q.Token.IdleTimeout)
		}
		if q := c.warm(c.b, own); q.Token.IdleTimeout != time.Hour {
			t.Errorf("API token with its own 1h limit got %v", q.Token.IdleTimeout)
		}
	}
}

// attackBurst: goroutines on both instances authenticate with tokens of
// different users and scopes at once while one token is revoked and the
// org's policy changes: every answer is the principal of the secret asked
// about (no entry served for another), and nothing started after the
// revoke returned gets through.
func attackBurst(t *testing.T, c *cluster) {
	if _, err := c.a.svc.CreateOrg(bg, "busy", 30*time.Minute, false); err != nil {
		t.Fatal(err)
	}
	type cred struct {
		secret, tokenID, user string
	}
	var creds []cred
	for i := range 4 {
		name := fmt.Sprintf("burst%d", i)
		org := ""
		if i%2 == 0 {
			org = "busy"
		}
		if _, err := c.a.svc.CreateUser(bg, server.NewUser{Username: name, Password: password(name), Org: org}); err != nil {
			t.Fatal(err)
		}
		res, err := c.a.svc.Login(bg, server.LoginInput{Username: name, Password: password(name), Meta: meta})
		must(t, err, "Login")
		creds = append(creds, cred{res.Secret, res.Token.ID, name})
		p := c.auth(c.a, res.Secret)
		tok, secret, err := c.a.svc.CreateToken(bg, p, server.TokenSpec{Name: "api"}, meta)
		must(t, err, "CreateToken")
		creds = append(creds, cred{secret, tok.ID, name})
	}
	victim := creds[1]
	vp := c.auth(c.a, creds[0].secret)

	var (
		revoked atomic.Bool
		leaks   atomic.Int64
		after   atomic.Int64
		wrong   atomic.Int64
		stop    = make(chan struct{})
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []error
	)
	for w := range 8 {
		in := []*instance{c.a, c.b}[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				cr := creds[(w+i)%len(creds)]
				wasRevoked := revoked.Load()
				p, err := in.svc.Authenticate(bg, cr.secret, meta)
				if cr == victim && wasRevoked {
					after.Add(1)
					if err == nil {
						leaks.Add(1)
					}
					continue
				}
				if err != nil {
					var de *server.Error
					if cr == victim && errors.As(err, &de) && de.Reason == server.ReasonRevoked {
						continue // the revoke committing, not yet returned
					}
					mu.Lock()
					errs = append(errs, fmt.Errorf("%s on %s: %w", cr.user, in.name, err))
					mu.Unlock()
					continue
				}
				if p.Token.ID != cr.tokenID || p.User.Username != cr.user {
					wrong.Add(1)
				}
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	for _, d := range []time.Duration{20 * time.Minute, 40 * time.Minute} {
		if _, err := c.a.svc.UpdateOrg(bg, "busy", server.OrgUpdate{AutoLogoutAfter: &d}); err != nil {
			t.Error(err)
		}
		c.b.svc.FlushUsage(bg)
		time.Sleep(20 * time.Millisecond)
	}
	err := c.b.svc.RevokeToken(bg, vp, victim.tokenID, meta)
	revoked.Store(true)
	deadline := time.Now().Add(10 * time.Second)
	for after.Load() < 200 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	must(t, err, "RevokeToken")
	if e := errors.Join(errs...); e != nil {
		t.Fatalf("requests refused that should not be: %v", e)
	}
	if n := wrong.Load(); n > 0 {
		t.Errorf("%d answers named another token or user than the secret's", n)
	}
	if n := leaks.Load(); n > 0 {
		t.Errorf("%d of %d requests started after the revoke returned were let through", n, after.Load())
	}
	if after.Load() == 0 {
		t.Error("no request ran after the revoke")
	}
	for _, cr := range creds {
		if cr == victim {
			continue
		}
		p := c.auth(c.b, cr.secret)
		want := server.DefaultAutoLogoutAfter
		if strings.HasSuffix(cr.user, "0") || strings.HasSuffix(cr.user, "2") {
			want = 40 * time.Minute
		}
		if p.Token.Kind == server.KindSession && p.Token.IdleTimeout != want {
			t.Errorf("%s's session after the burst: limit %v, want %v", cr.user, p.Token.IdleTimeout, want)
		}
	}
}
