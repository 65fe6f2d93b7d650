package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// Rule 3: effective access is the lower of the member level and the token
// scope; public projects give VIEW; lists default to CONTRIBUTE and up.
func TestRule3EffectiveAccess(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	f.user("bob", "")
	sam := f.project("SAM importer test", false)
	scratch := f.project("Scratch Project", false)
	viewOnly := f.project("Reference genomes", false)
	public := f.project("Public demo data", true)
	others := f.project("Bob's project", false)
	f.member(sam, "amy", server.LevelContribute)
	f.member(scratch, "amy", server.LevelAdminister)
	f.member(viewOnly, "amy", server.LevelView)
	f.member(others, "bob", server.LevelAdminister)
	_, p := f.login("amy")

	names := func(ps []server.ProjectView) string {
		var out []string
		for _, pv := range ps {
			out = append(out, pv.Name+"="+pv.Level.String())
		}
		return strings.Join(out, ",")
	}
	list := func(p *server.Principal, flt server.ProjectFilter) string {
		ps, err := f.svc.ListProjects(f.ctx, p, flt)
		if err != nil {
			t.Fatal(err)
		}
		return names(ps)
	}
	cases := []struct {
		name string
		flt  server.ProjectFilter
		want string
	}{
		{"default CONTRIBUTE and up", server.ProjectFilter{}, "SAM importer test=CONTRIBUTE,Scratch Project=ADMINISTER"},
		{"level VIEW", server.ProjectFilter{MinLevel: server.LevelView}, "Reference genomes=VIEW,SAM importer test=CONTRIBUTE,Scratch Project=ADMINISTER"},
		{"public", server.ProjectFilter{IncludePublic: true}, "Public demo data=VIEW,SAM importer test=CONTRIBUTE,Scratch Project=ADMINISTER"},
		{"ADMINISTER only", server.ProjectFilter{MinLevel: server.LevelAdminister}, "Scratch Project=ADMINISTER"},
	}
	for _, tc := range cases {
		if got := list(p, tc.flt); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}

	// A scope above the user's own level is refused, naming their level
	// (issue 11: no silent cap).
	_, _, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "too high",
		Scope: map[string]server.Level{sam.ID: server.LevelAdminister}}, server.Meta{})
	if e, ok := err.(*server.Error); !ok || e.Kind != server.KindPermissionDenied || !strings.Contains(e.Message, "CONTRIBUTE") {
		t.Errorf("scope above the user's level: %v", err)
	}
	// A token scoped to Scratch at VIEW and SAM at CONTRIBUTE sees those
	// levels, and nothing else — not even public projects.
	_, secret, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "scoped",
		Scope: map[string]server.Level{scratch.ID: server.LevelView, sam.ID: server.LevelContribute}}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	ps := f.auth(secret)
	if got, want := list(ps, server.ProjectFilter{MinLevel: server.LevelView, IncludePublic: true}), "SAM importer test=CONTRIBUTE,Scratch Project=VIEW"; got != want {
		t.Errorf("scoped token:\n got %s\nwant %s", got, want)
	}
	if _, err := f.svc.GetProject(f.ctx, ps, viewOnly.ID); server.ErrorKind(err) != server.KindNotFound {
		t.Errorf("scoped token reaching an unscoped project: %v", err)
	}
	if pv, err := f.svc.GetProject(f.ctx, p, public.ID); err != nil || pv.Level != server.LevelView || pv.Member {
		t.Errorf("public project for a non-member: %+v, %v", pv, err)
	}
	if _, err := f.svc.GetProject(f.ctx, p, others.ID); server.ErrorKind(err) != server.KindNotFound {
		t.Errorf("another user's project must look absent: %v", err)
	}
	// A scope cannot name a project the user cannot reach.
	if _, _, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "x", Scope: map[string]server.Level{others.ID: server.LevelView}}, server.Meta{}); server.ErrorKind(err) != server.KindNotFound {
		t.Errorf("scope on another's project: %v", err)
	}
	// A token made by a scoped token inherits its scope, never more.
	child, _, err := f.svc.CreateToken(f.ctx, ps, server.TokenSpec{Name: "child"}, server.Meta{})
	if err != nil || child.Scope == nil || len(child.Scope) != 2 {
		t.Errorf("child of a scoped token: scope %v, %v", child.Scope, err)
	}
}

// Rule 8: failed guesses are throttled per account and per address with
// 429 and Retry-After; unknown users and wrong passwords look the same;
// failures age out; no account sees more than 100 guesses a day.
func TestRule8Throttling(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	try := func(f *fixture, user, pw, addr string) error {
		_, err := f.svc.Login(f.ctx, server.LoginInput{Username: user, Password: pw, Meta: server.Meta{Addr: addr}})
		return err
	}
	unknown := try(f, "nobody", "whatever-pw", "203.0.113.1")
	wrong := try(f, "amy", "wrong-password", "203.0.113.2")
	if unknown.Error() != wrong.Error() || server.ErrorKind(unknown) != server.ErrorKind(wrong) {
		t.Errorf("unknown user %q and wrong password %q must look the same", unknown, wrong)
	}
	// Ten guesses at once from strangers, then one per 24 minutes.
	var first *server.Error
	for i := 0; i < 10 && first == nil; i++ {
		if de, ok := try(f, "amy", "wrong-password", fmt.Sprintf("203.0.113.%d", 10+i)).(*server.Error); ok && de.Kind == server.KindRateLimited {
			first = de
		}
	}
	if first == nil {
		first, _ = try(f, "amy", "wrong-password", "203.0.113.99").(*server.Error)
	}
	if first == nil || first.Kind != server.KindRateLimited || first.RetryAfter <= 0 || first.RetryAfter > 24*time.Minute {
		t.Fatalf("the 11th guess: %v, want RateLimited within one 24-minute step", first)
	}
	// The lock is bounded: one step later, one more guess is allowed.
	f.clock.Advance(first.RetryAfter)
	if err := try(f, "amy", "wrong-password", "203.0.113.100"); server.ErrorKind(err) != server.KindInvalidAuthentication {
		t.Fatalf("a guess after the wait: %v", err)
	}

	// An attacker who waits as told, from ever new addresses, for a day.
	f2 := newFixture(t)
	f2.user("amy", "")
	guesses, start := 0, f2.clock.Now()
	firstHour := 0
	for i := 0; f2.clock.Now().Sub(start) < 24*time.Hour; i++ {
		err := try(f2, "amy", "wrong-password", fmt.Sprintf("198.51.%d.%d", i/250, i%250))
		if de, ok := err.(*server.Error); ok && de.Kind == server.KindRateLimited {
			f2.clock.Advance(de.RetryAfter)
			continue
		}
		guesses++
		if f2.clock.Now().Sub(start) < time.Hour {
			firstHour++
		}
		f2.clock.Advance(time.Second)
	}
	t.Logf("an attacker who waits as told gets %d guesses in the first hour, %d in a day", firstHour, guesses)
	if guesses > 100 {
		t.Errorf("%d guesses in a day, want at most 100 (NIST SP 800-63B)", guesses)
	}

	// Per address: guesses at many accounts from one address are throttled
	// too, and recover within minutes (an office behind a NAT).
	f4 := newFixture(t)
	limited := false
	for i := 0; i < 40 && !limited; i++ {
		limited = server.ErrorKind(try(f4, fmt.Sprintf("user%dx", i), "wrong-password", "203.0.113.9")) == server.KindRateLimited
	}
	if !limited {
		t.Error("40 failures on different accounts from one address were never throttled")
	}
	f4.clock.Advance(time.Minute)
	if err := try(f4, "someone", "wrong-password", "203.0.113.9"); server.ErrorKind(err) == server.KindRateLimited {
		t.Errorf("the address is still throttled a minute later: %v", err)
	}
}

// Rule 9: no secret reaches an event or a list.
func TestRule9NoSecretsInEventsOrLists(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	sess, p := f.login("amy")
	_, apiSecret, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "ci"}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "typo-pw-amy-secret"})
	en, err := f.svc.BeginEnrollment(f.ctx, p, "pw-amy-secret", "", server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := server.TOTPCode(en.Secret, server.TOTPStep(f.clock.Now()))
	backup, _, err := f.svc.ConfirmEnrollment(f.ctx, p, code, false, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	_, p2 := func() (*server.LoginResult, *server.Principal) {
		res, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret", Code: backup[0]})
		if err != nil {
			t.Fatal(err)
		}
		return res, f.auth(res.Secret)
	}()
	secrets := append([]string{sess.Secret, apiSecret, "pw-amy-secret", "typo-pw-amy-secret", en.Secret, code}, backup...)
	for _, e := range f.events(p2) {
		blob := e.Type + " " + e.Detail + " " + e.Username + " " + e.Method
		for _, s := range secrets {
			if strings.Contains(blob, s) {
				t.Errorf("event %s holds a secret: %q", e.Type, blob)
			}
		}
	}
	toks, err := f.svc.ListTokens(f.ctx, p2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		for _, s := range secrets {
			if strings.Contains(tok.Name+tok.SecretHash, s) {
				t.Errorf("token list holds a secret")
			}
		}
		if tok.SecretHash == server.HashSecret(apiSecret) && tok.SecretHash == apiSecret {
			t.Error("secret stored unhashed")
		}
	}
}
