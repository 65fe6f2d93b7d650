package server_test

import (
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

func TestRotateToken(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	_, p := f.login("amy")
	exp := t0.Add(10 * 24 * time.Hour)
	old, oldSecret, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "deploy", ExpiresAt: &exp, IdleTimeout: 2 * time.Hour}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	child, childSecret, _ := f.svc.CreateToken(f.ctx, f.auth(oldSecret), server.TokenSpec{Name: "child"}, server.Meta{})
	f.clock.Advance(time.Hour)
	f.auth(oldSecret) // both used within their 2h limit
	f.auth(childSecret)

	// With a grace period, the old secret works until it ends.
	next, secret, err := f.svc.RotateToken(f.ctx, p, old.ID, time.Hour, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if next.Name != "deploy" || next.IdleTimeout != 2*time.Hour || !next.ExpiresAt.Equal(f.clock.Now().Add(10*24*time.Hour)) {
		t.Errorf("the new token %+v: want the name, the inactivity limit and a lifetime of 10 days from now", next)
	}
	pn := f.auth(secret)
	if pn.Token.ID != next.ID {
		t.Fatalf("the new secret names %s", pn.Token.ID)
	}
	f.auth(oldSecret)
	f.clock.Advance(time.Hour)
	if r := f.authErr(oldSecret); r.Reason != "expired" {
		t.Errorf("the old secret after the grace: %+v", r)
	}
	f.auth(secret)
	// The tokens made with the old one hang from the new one now.
	if c, _ := f.store.TokenByID(f.ctx, child.ID); c.ParentID != next.ID {
		t.Errorf("child's parent %q, want %s", c.ParentID, next.ID)
	}
	f.auth(childSecret)

	// Without grace the old secret stops at once; a second rotate of the
	// same token is told it was rotated already.
	next2, secret2, err := f.svc.RotateToken(f.ctx, p, next.ID, 0, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if r := f.authErr(secret); r.Reason != "revoked" {
		t.Errorf("the old secret without grace: %+v", r)
	}
	if _, _, err := f.svc.RotateToken(f.ctx, p, next.ID, 0, server.Meta{}); server.ErrorKind(err) != server.KindConflict {
		t.Errorf("rotating a rotated token: %v", err)
	}
	f.auth(secret2)
	f.auth(childSecret) // the children survive a rotation

	// A token may rotate itself; sessions are not rotated.
	ps := f.auth(secret2)
	if _, _, err := f.svc.RotateToken(f.ctx, ps, next2.ID, 0, server.Meta{}); err != nil {
		t.Errorf("an unscoped token rotating itself: %v", err)
	}
	if _, _, err := f.svc.RotateToken(f.ctx, p, p.Token.ID, 0, server.Meta{}); server.ErrorKind(err) != server.KindInvalidInput {
		t.Errorf("rotating a session: %v", err)
	}
	if _, _, err := f.svc.RotateToken(f.ctx, p, child.ID, 30*24*time.Hour, server.Meta{}); server.ErrorKind(err) != server.KindInvalidInput {
		t.Errorf("a grace of 30 days: %v", err)
	}
}

func TestScopedTokenRotatesOnlyItself(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	_, p := f.login("amy")
	pr, _ := f.svc.CreateProject(f.ctx, "Scratch", false, false)
	f.svc.AddMember(f.ctx, pr.ID, "amy", server.LevelView)
	scoped, secret, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "ci", Scope: map[string]server.Level{pr.ID: server.LevelView}}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "other"}, server.Meta{})
	ps := f.auth(secret)
	if _, _, err := f.svc.RotateToken(f.ctx, ps, other.ID, 0, server.Meta{}); server.ErrorKind(err) != server.KindPermissionDenied {
		t.Errorf("a scoped token rotating another: %v", err)
	}
	next, newSecret, err := f.svc.RotateToken(f.ctx, ps, scoped.ID, 0, server.Meta{})
	if err != nil || next.Scope[pr.ID] != server.LevelView || len(next.Scope) != 1 {
		t.Fatalf("a scoped token rotating itself: %+v %v", next, err)
	}
	f.authErr(secret)
	f.auth(newSecret)
}
