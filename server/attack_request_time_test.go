package server_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/testenv"
)

// deadlineFixture: amy, without 2FA, in an org that requires it after a
// ten-minute grace; returns the moment she becomes enroll-only.
func deadlineFixture(t *testing.T, f *fixture) time.Time {
	t.Helper()
	if _, err := f.svc.CreateOrg(f.ctx, "lab", 0, false); err != nil {
		t.Fatal(err)
	}
	f.user("amy", "lab")
	o, err := f.svc.UpdateOrg(f.ctx, "lab", server.OrgUpdate{Require2FA: ptrTo(true), TwoFactorGrace: ptrTo(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	return o.TwoFactorDeadline()
}

// TestAttackPrincipalHeldPastTheTwoFactorDeadline: a principal
// authenticated before the org's 2FA deadline and used after it (a request
// whose body came late, or any adapter that keeps one) is enroll-only for
// what it asks then. Principal.At made authorize judge it at the instant
// of authentication: it listed tokens and made one. Whoami still answers
// at that instant (every credential may call it), so its answer agrees
// with the token state the same request reports.
func TestAttackPrincipalHeldPastTheTwoFactorDeadline(t *testing.T) {
	f := newFixture(t)
	deadline := deadlineFixture(t, f)
	res, _ := f.login("amy")
	f.clock.Set(deadline.Add(-time.Second))
	p := f.auth(res.Secret)
	if _, err := f.svc.ListTokens(f.ctx, p); err != nil {
		t.Fatalf("before the deadline: %v", err)
	}
	f.clock.Advance(2 * time.Second)
	if _, err := f.svc.ListTokens(f.ctx, p); server.ErrorKind(err) != server.KindEnrollmentRequired {
		t.Errorf("list tokens after the deadline with a principal from before it: %v, want enrollment required", err)
	}
	if _, _, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "late"}, server.Meta{}); server.ErrorKind(err) != server.KindEnrollmentRequired {
		t.Errorf("create a token after the deadline with a principal from before it: %v, want enrollment required", err)
	}
	if _, err := f.svc.TwoFactorStatus(f.ctx, p); err != nil {
		t.Errorf("an enroll-only credential may read the 2FA status: %v", err)
	}
	if c, err := f.svc.Whoami(f.ctx, p); err != nil || c != server.CredPasswordSession {
		t.Errorf("whoami of the earlier request: %v %v, want a password session (its own instant)", c, err)
	}
}

// TestAttackAuthCacheGivesEachRequestItsOwnInstant: the auth cache hands
// two requests of one token the same entry, never the same instant: the
// second, after the deadline, is enroll-only, and stamping it does not
// move the first's.
func TestAttackAuthCacheGivesEachRequestItsOwnInstant(t *testing.T) {
	f := newFixture(t)
	deadline := deadlineFixture(t, f)
	res, _ := f.login("amy")
	f.clock.Set(deadline.Add(-time.Second))
	first := f.auth(res.Secret)
	f.clock.Set(deadline)
	second := f.auth(res.Secret) // no commit between: a cache hit
	if !first.At.Equal(deadline.Add(-time.Second)) || !second.At.Equal(deadline) {
		t.Fatalf("instants %v and %v, want %v and %v", first.At, second.At, deadline.Add(-time.Second), deadline)
	}
	if c, _ := f.svc.Whoami(f.ctx, first); c != server.CredPasswordSession {
		t.Errorf("the first request's credential %v, want a password session", c)
	}
	if c, _ := f.svc.Whoami(f.ctx, second); c != server.CredEnrollOnly {
		t.Errorf("the second request's credential %v, want enroll-only", c)
	}
	if _, err := f.svc.ListTokens(f.ctx, second); server.ErrorKind(err) != server.KindEnrollmentRequired {
		t.Errorf("list tokens at the deadline: %v", err)
	}
}

// slowStore advances the clock when armed and the user is read again,
// which an operation needing fresh proof does just before hashing the
// password: the deadline passes during the slow step.
type slowStore struct {
	server.Store
	armed atomic.Bool
	clock *server.ManualClock
	by    time.Duration
}

func (s *slowStore) UserByID(ctx context.Context, id int64) (server.User, error) {
	if s.armed.CompareAndSwap(true, false) {
		s.clock.Advance(s.by)
	}
	return s.Store.UserByID(ctx, id)
}

// TestAttackKeyAddedAcrossTheDeadlineSaysWhatAddedIt: an SSH key added by
// a password session whose password check ran into the 2FA deadline is
// allowed (the request was judged before the check), and it is recorded as
// added by what was allowed — a password session — not by an "enroll-only
// session", which may never add one. AddedWith was read at the clock after
// the password check.
func TestAttackKeyAddedAcrossTheDeadlineSaysWhatAddedIt(t *testing.T) {
	st := &slowStore{Store: testenv.SQLite(t, ""), by: 2 * time.Second}
	e := testenv.New(t, testenv.At(t0), testenv.OnStore(st))
	st.clock = e.Clock
	f := &fixture{t: t, ctx: context.Background(), store: e.Store, svc: e.Svc, clock: e.Clock}
	deadline := deadlineFixture(t, f)
	res, _ := f.login("amy")
	f.clock.Set(deadline.Add(-time.Second))
	p := f.auth(res.Secret)
	_, line := newSSHKey(t)
	st.armed.Store(true)
	k, err := f.svc.AddSSHKey(f.ctx, p, line, server.FreshProof{Password: "pw-amy-secret"}, server.Meta{})
	if err != nil {
		t.Fatalf("add a key, judged before the deadline: %v", err)
	}
	if st.armed.Load() || !f.clock.Now().After(deadline) {
		t.Fatalf("the deadline did not pass during the password check (now %v, deadline %v)", f.clock.Now(), deadline)
	}
	if k.AddedWith != server.CredPasswordSession.String() {
		t.Errorf("the key was recorded as added with %q, want %q", k.AddedWith, server.CredPasswordSession)
	}
}

// TestAttackLockedDuringTheRequestTakesNoFreshProof: an account locked by
// an operator after a request was authenticated (its body still coming)
// gives no fresh proof to it: the change that needs the password is
// refused as locked, and nothing is changed.
func TestAttackLockedDuringTheRequestTakesNoFreshProof(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	res, _ := f.login("amy")
	p := f.auth(res.Secret)
	if err := f.svc.AdminLock(f.ctx, "amy", true); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.ChangePassword(f.ctx, p, "pw-amy-secret", "a-new-password-of-hers", "", false, server.Meta{})
	var se *server.Error
	if !errors.As(err, &se) || se.Reason != server.ReasonLocked {
		t.Fatalf("change the password of an account locked mid-request: %v, want locked", err)
	}
	if err := f.svc.AdminLock(f.ctx, "amy", false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret", Meta: server.Meta{Addr: "192.0.2.1"}}); err != nil {
		t.Fatalf("the old password stopped working: %v", err)
	}
}

// TestAttackLockedDuringTheRequestTakesNoCode: the same for a change a code
// alone proves (a new name, with 2FA on): the code is not taken, the name
// is not changed.
func TestAttackLockedDuringTheRequestTakesNoCode(t *testing.T) {
	f, secret, _ := enrolled(t, "")
	res, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret", Code: mustCode(t, secret, f), Meta: server.Meta{Addr: "192.0.2.1"}})
	if err != nil {
		t.Fatal(err)
	}
	p := f.auth(res.Secret)
	if err := f.svc.AdminLock(f.ctx, "amy", true); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(60 * time.Second) // a fresh code
	_, err = f.svc.UpdateProfile(f.ctx, p, "Mallory", p.User.Email, "", mustCode(t, secret, f), false, server.Meta{})
	var se *server.Error
	if !errors.As(err, &se) || se.Reason != server.ReasonLocked {
		t.Fatalf("change the name of an account locked mid-request: %v, want locked", err)
	}
	u, err := f.svc.Store().UserByID(f.ctx, p.User.ID)
	if err != nil || u.FullName == "Mallory" {
		t.Fatalf("the name changed: %+v %v", u, err)
	}
}
