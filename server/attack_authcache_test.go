package server_test

import (
	"maps"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// scopedFixture: amy administers two projects and holds an API token
// scoped to VIEW on the first only.
func scopedFixture(t *testing.T) (f *fixture, secret string, one, two server.Project) {
	t.Helper()
	f = newFixture(t)
	f.user("amy", "")
	one, two = f.project("One", false), f.project("Two", false)
	f.member(one, "amy", server.LevelAdminister)
	f.member(two, "amy", server.LevelAdminister)
	_, p := f.login("amy")
	_, secret, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "ci", Scope: map[string]server.Level{one.ID: server.LevelView}}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return f, secret, one, two
}

func levels(t *testing.T, f *fixture, p *server.Principal) map[string]server.Level {
	t.Helper()
	vs, err := f.svc.ListProjects(f.ctx, p, server.ProjectFilter{MinLevel: server.LevelView})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]server.Level{}
	for _, v := range vs {
		out[v.ID] = v.Level
	}
	return out
}

// TestAttackPrincipalScopeIsNotTheCaches: the principal one request gets
// is its own. Since the auth cache hands out its entry's Token by value,
// the Scope map inside it is the cache's own map: a write to one request's
// p.Token.Scope (an adapter narrowing or widening it for a call) would
// change the scope every later request with that token is authorized by,
// and a write while another request reads it is a fatal concurrent map
// access. No production code writes to it today; this is the guard.
func TestAttackPrincipalScopeIsNotTheCaches(t *testing.T) {
	f, secret, one, two := scopedFixture(t)
	want := map[string]server.Level{one.ID: server.LevelView}

	first := f.auth(secret) // the miss: this principal's map went into the cache
	second := f.auth(secret)
	if !maps.Equal(second.Token.Scope, want) {
		t.Fatalf("scope %v, want %v", second.Token.Scope, want)
	}
	first.Token.Scope[two.ID] = server.LevelAdminister
	second.Token.Scope[one.ID] = server.LevelAdminister

	next := f.auth(secret)
	if !maps.Equal(next.Token.Scope, want) {
		t.Errorf("a write to earlier requests' principals changed the next request's scope: %v, want %v", next.Token.Scope, want)
	}
	if got := levels(t, f, next); !maps.Equal(got, want) {
		t.Errorf("a later request with the VIEW-on-One token reaches %v, want %v", got, want)
	}
}

// TestAttackServiceLeavesCachedScopeAlone: nothing the service does with a
// scoped token's principal writes to its scope (which the cache shares):
// making tokens with it (inheriting its scope, or naming one), listing,
// reading, whoami, a refused token list, and its own rotation. Held.
func TestAttackServiceLeavesCachedScopeAlone(t *testing.T) {
	f, secret, one, two := scopedFixture(t)
	want := map[string]server.Level{one.ID: server.LevelView}
	m := server.Meta{Addr: "192.0.2.1"}

	p := f.auth(secret)
	f.auth(secret) // cached
	child, _, err := f.svc.CreateToken(f.ctx, f.auth(secret), server.TokenSpec{Name: "inherits"}, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.CreateToken(f.ctx, f.auth(secret), server.TokenSpec{Name: "names", Scope: map[string]server.Level{one.ID: server.LevelView}}, m); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.CreateToken(f.ctx, f.auth(secret), server.TokenSpec{Name: "wider", Scope: map[string]server.Level{two.ID: server.LevelView}}, m); err == nil {
		t.Error("a token scoped to One made one reaching Two")
	}
	levels(t, f, f.auth(secret))
	if _, err := f.svc.Whoami(f.ctx, f.auth(secret)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetProject(f.ctx, f.auth(secret), one.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ListTokens(f.ctx, f.auth(secret)); server.ErrorKind(err) != server.KindPermissionDenied {
		t.Errorf("a scoped token listed the account's tokens: %v", err) // refused, and touches nothing
	}
	for _, q := range []*server.Principal{p, f.auth(secret)} {
		if !maps.Equal(q.Token.Scope, want) {
			t.Errorf("after the service used the token, its scope is %v, want %v", q.Token.Scope, want)
		}
	}
	if !maps.Equal(child.Scope, want) {
		t.Errorf("the inheriting child's scope %v, want %v", child.Scope, want)
	}
	// The child's scope is a copy: widening it does not widen the parent.
	child.Scope[two.ID] = server.LevelAdminister
	if got := levels(t, f, f.auth(secret)); !maps.Equal(got, want) {
		t.Errorf("the parent reaches %v after its child's scope was written, want %v", got, want)
	}

	// Rotating the token itself: the old one stops, the new one has the
	// same scope, and the cache serves neither wrongly.
	old := f.auth(secret)
	next, nextSecret, err := f.svc.RotateToken(f.ctx, old, old.Token.ID, 0, m)
	if err != nil {
		t.Fatal(err)
	}
	if e := f.authErr(secret); e.Reason != server.ReasonRevoked {
		t.Errorf("the rotated-away secret answered %q, want revoked", e.Reason)
	}
	np := f.auth(nextSecret)
	if np.Token.ID != next.ID || !maps.Equal(np.Token.Scope, want) {
		t.Errorf("the rotated token is %s with %v, want %s with %v", np.Token.ID, np.Token.Scope, next.ID, want)
	}
	f.clock.Advance(time.Second)
	if got := levels(t, f, f.auth(nextSecret)); !maps.Equal(got, want) {
		t.Errorf("the rotated token reaches %v, want %v", got, want)
	}
}
