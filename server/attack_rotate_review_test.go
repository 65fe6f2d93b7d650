package server_test

import (
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// TestAttackRotatingInTheGraceOutlivesIt: amy rotates a leaked token with
// a one-hour grace so that its old secret dies within the hour; whoever
// holds the old secret rotates it once more in that hour (a token may
// rotate itself) and gets a token of its full lifetime, made with none.
// Of two rotations one wins: the second is refused.
func TestAttackRotatingInTheGraceOutlivesIt(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	_, p := f.login("amy")
	exp := t0.Add(10 * 24 * time.Hour)
	old, oldSecret, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "deploy", ExpiresAt: &exp}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * 24 * time.Hour)
	if _, _, err := f.svc.RotateToken(f.ctx, p, old.ID, time.Hour, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(30 * time.Minute)
	thief := f.auth(oldSecret) // works in the grace, as it should
	next, _, err := f.svc.RotateToken(f.ctx, thief, old.ID, 0, server.Meta{})
	if server.ErrorKind(err) != server.KindConflict {
		t.Errorf("the old secret rotated itself in its grace: %v, a token %s until %v", err, next.ID, next.ExpiresAt)
	}
	if _, _, err := f.svc.RotateToken(f.ctx, p, old.ID, time.Hour, server.Meta{}); server.ErrorKind(err) != server.KindConflict {
		t.Errorf("a second rotation with grace of a token in its grace: %v", err)
	}
}
