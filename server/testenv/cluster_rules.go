package testenv

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// The spec's rules that the cross-instance tests of the other cluster files do not
// already exercise, through two instances on one database: whatever a rule
// depends on in the store must hold on every store and across instances.

// testRuleTokenLifetime (rule 1): a token works until it expires, on any
// instance, and each success records its last use.
func testRuleTokenLifetime(t *testing.T, c *cluster) {
	c.user("lena")
	_, p := c.login(c.a, "lena")
	tok, secret, err := c.a.svc.CreateToken(bg, p, server.TokenSpec{Name: "two hours", ExpiresAt: ptr(c.clock.Now().Add(2 * time.Hour))}, meta)
	must(t, err, "CreateToken")

	c.clock.Advance(time.Hour)
	c.auth(c.b, secret)
	c.b.svc.FlushUsage(bg)
	list, err := c.a.svc.ListTokens(bg, p)
	must(t, err, "ListTokens")
	for _, lt := range list {
		if lt.ID == tok.ID && (!sameTime(lt.LastUsedAt, c.clock.Now()) || lt.LastUsedAddr != meta.Addr) {
			t.Errorf("A lists the token last used %v from %q, want its use on B at %v", lt.LastUsedAt, lt.LastUsedAddr, c.clock.Now())
		}
	}

	c.clock.Advance(time.Hour)
	for _, in := range []*instance{c.b, c.a} {
		if r := c.refused(in, secret); r != "expired" {
			t.Errorf("instance %s: expired token refused as %q", in.name, r)
		}
	}
}

// testRuleSessionPolicy (rule 2): a session's inactivity limit is its org's
// autoLogoutAfter (15 minutes without one), as set through any instance;
// API tokens last a month unless dated, and keep their own limit.
func testRuleSessionPolicy(t *testing.T, c *cluster) {
	if _, err := c.a.svc.CreateOrg(bg, "brisk", 20*time.Minute, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.a.svc.CreateUser(bg, server.NewUser{Username: "otto", Password: password("otto"), Org: "brisk"}); err != nil {
		t.Fatal(err)
	}
	c.user("pia")
	_, po := c.login(c.b, "otto")
	_, pp := c.login(c.b, "pia")
	if po.Token.IdleTimeout != 20*time.Minute || pp.Token.IdleTimeout != server.DefaultAutoLogoutAfter {
		t.Errorf("session limits %v (org of 20m) and %v (no org), want 20m and 15m", po.Token.IdleTimeout, pp.Token.IdleTimeout)
	}
	thirty := 30 * time.Minute
	if _, err := c.a.svc.UpdateOrg(bg, "brisk", server.OrgUpdate{AutoLogoutAfter: &thirty}); err != nil {
		t.Fatal(err)
	}
	if _, p := c.login(c.b, "otto"); p.Token.IdleTimeout != thirty {
		t.Errorf("a session on B after the org changed on A: limit %v, want 30m", p.Token.IdleTimeout)
	}

	tok, secret, err := c.a.svc.CreateToken(bg, pp, server.TokenSpec{Name: "idle ten", IdleTimeout: 10 * time.Minute}, meta)
	must(t, err, "CreateToken")
	if !sameTime(tok.ExpiresAt, c.clock.Now().Add(server.DefaultAPITokenLifetime)) {
		t.Errorf("undated API token expires %v, want a month on", tok.ExpiresAt)
	}
	c.clock.Advance(9 * time.Minute)
	c.auth(c.b, secret)
	c.b.svc.FlushUsage(bg)
	c.clock.Advance(9 * time.Minute)
	c.auth(c.a, secret)
	c.a.svc.FlushUsage(bg)
	c.clock.Advance(10 * time.Minute)
	if r := c.refused(c.b, secret); r != "idle" {
		t.Errorf("API token idle for its own limit refused as %q", r)
	}
}

// testRuleAccess (rule 3): the effective level is the lower of the user's
// and the token's; public projects give VIEW; lists default to CONTRIBUTE.
// A membership changed on one instance applies on the other at once.
func testRuleAccess(t *testing.T, c *cluster) {
	c.user("uma")
	priv, err := c.a.svc.CreateProject(bg, "Private", false, false)
	must(t, err, "CreateProject")
	pub, err := c.a.svc.CreateProject(bg, "Public", true, false)
	must(t, err, "CreateProject")
	_, err = c.a.svc.AddMember(bg, priv.ID, "uma", server.LevelUpload)
	must(t, err, "AddMember")

	_, ps := c.login(c.a, "uma")
	_, scoped, err := c.a.svc.CreateToken(bg, ps, server.TokenSpec{Name: "view", Scope: map[string]server.Level{priv.ID: server.LevelView}}, meta)
	must(t, err, "CreateToken")
	pt := c.auth(c.b, scoped)

	level := func(p *server.Principal, id string) server.Level {
		t.Helper()
		v, err := c.b.svc.GetProject(bg, p, id)
		if err != nil {
			return server.LevelNone
		}
		return v.Level
	}
	if l := level(ps, priv.ID); l != server.LevelUpload {
		t.Errorf("session on a project of UPLOAD: %s", l)
	}
	if l := level(pt, priv.ID); l != server.LevelView {
		t.Errorf("token scoped to VIEW: %s", l)
	}
	if l := level(ps, pub.ID); l != server.LevelView {
		t.Errorf("public project: %s, want VIEW", l)
	}
	if l := level(pt, pub.ID); l != server.LevelNone {
		t.Errorf("a public project outside the token's scope: %s, want none", l)
	}
	ids := func(f server.ProjectFilter) []string {
		t.Helper()
		vs, err := c.b.svc.ListProjects(bg, ps, f)
		must(t, err, "ListProjects")
		var out []string
		for _, v := range vs {
			out = append(out, v.ID)
		}
		slices.Sort(out)
		return out
	}
	if got := ids(server.ProjectFilter{}); len(got) != 0 {
		t.Errorf("default list (CONTRIBUTE) = %v, want none", got)
	}
	if got := ids(server.ProjectFilter{MinLevel: server.LevelView}); !slices.Equal(got, []string{priv.ID}) {
		t.Errorf("VIEW list = %v", got)
	}
	both := []string{priv.ID, pub.ID}
	slices.Sort(both)
	if got := ids(server.ProjectFilter{MinLevel: server.LevelView, IncludePublic: true}); !slices.Equal(got, both) {
		t.Errorf("VIEW list with public = %v, want %v", got, both)
	}
	_, err = c.a.svc.AddMember(bg, priv.ID, "uma", server.LevelAdminister)
	must(t, err, "AddMember")
	if got := ids(server.ProjectFilter{}); !slices.Equal(got, []string{priv.ID}) {
		t.Errorf("after promotion on A, B's default list = %v", got)
	}
}

// testRuleCredentialsChange (rule 5): a password change on one instance
// signs out every session on both, API tokens survive unless asked.
func testRuleCredentialsChange(t *testing.T, c *cluster) {
	c.user("vic")
	s1, _ := c.login(c.a, "vic")
	s2, p2 := c.login(c.b, "vic")
	_, api, err := c.a.svc.CreateToken(bg, p2, server.TokenSpec{Name: "ci"}, meta)
	must(t, err, "CreateToken")
	c.auth(c.b, api)

	_, err = c.b.svc.ChangePassword(bg, p2, password("vic"), "second-password-of-vic", "", false, meta)
	must(t, err, "ChangePassword")
	for _, s := range []string{s1, s2} {
		for _, in := range []*instance{c.a, c.b} {
			if r := c.refused(in, s); r != "revoked" {
				t.Errorf("instance %s: session after a password change refused as %q", in.name, r)
			}
		}
	}
	pa := c.auth(c.a, api)
	if _, err := c.a.svc.ChangePassword(bg, pa, "second-password-of-vic", "third-password-of-vic", "", true, meta); err != nil {
		t.Fatal(err)
	}
	if r := c.refused(c.b, api); r != "revoked" {
		t.Errorf("API token after a change asking to revoke them: %q", r)
	}
}

// testRuleNoSecretsInEvents (rule 9): passwords, token secrets, TOTP
// secrets and backup codes never reach the audit log, on any store.
func testRuleNoSecretsInEvents(t *testing.T, c *cluster) {
	u := c.user("walt")
	secret, codes := c.enroll("walt")
	var secrets []string
	secrets = append(secrets, password("walt"), secret)
	secrets = append(secrets, codes...)
	res, err := c.b.svc.Login(bg, server.LoginInput{Username: "walt", Password: password("walt"), Code: codes[1], Meta: meta})
	must(t, err, "Login with a backup code")
	secrets = append(secrets, res.Secret)
	p := c.auth(c.a, res.Secret)
	_, api, err := c.a.svc.CreateToken(bg, p, server.TokenSpec{Name: "ci"}, meta)
	must(t, err, "CreateToken")
	secrets = append(secrets, api)
	c.b.svc.Login(bg, server.LoginInput{Username: "walt", Password: "wrong-" + password("walt"), Meta: meta})
	c.b.svc.Login(bg, server.LoginInput{Username: "walt", Password: password("walt"), Code: codes[1], Meta: meta})

	for _, uid := range []int64{u.ID, 0} {
		evs, err := c.a.store.ListEvents(bg, uid, 0, 0, 0)
		must(t, err, "ListEvents")
		if uid != 0 && len(evs) == 0 {
			t.Fatal("no events recorded")
		}
		for _, e := range evs {
			text := strings.ToLower(e.Type + " " + e.Detail + " " + e.Username + " " + e.Method + " " + e.Addr)
			for _, s := range secrets {
				if strings.Contains(text, strings.ToLower(s)) {
					t.Errorf("event %d (%s) holds a secret", e.ID, e.Type)
				}
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }
