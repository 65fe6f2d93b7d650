package server_test

import (
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// A person who lost their phone and their backup codes gets back in after
// an operator resets their 2FA: password only, and straight into
// enrollment when the org requires 2FA.
func TestAdminResetTwoFactor(t *testing.T) {
	f, secret, _ := enrolled(t, "")
	res, err := f.login2FA(mustCode(t, secret, f))
	if err != nil {
		t.Fatal(err)
	}
	_, api, _ := f.svc.CreateToken(f.ctx, f.auth(res.Secret), server.TokenSpec{Name: "ci"}, server.Meta{})
	ended, err := f.svc.AdminResetTwoFactor(f.ctx, "amy", false)
	if err != nil || ended.Sessions != 1 || ended.Tokens != 0 {
		t.Fatalf("reset: %+v %v, want 1 session and no token ended", ended, err)
	}
	f.authErr(res.Secret)
	f.auth(api) // API tokens survive unless asked
	u, _ := f.store.UserByName(f.ctx, "amy")
	if u.TwoFactor != server.TwoFactorOff || u.TOTPSecret != "" {
		t.Errorf("after the reset: 2FA %s, secret kept %v", u.TwoFactor, u.TOTPSecret != "")
	}
	if codes, _ := f.store.UnusedBackupCodes(f.ctx, u.ID); len(codes) != 0 {
		t.Errorf("%d backup codes kept", len(codes))
	}
	f.login("amy") // the password alone now
	if _, err := f.svc.AdminResetTwoFactor(f.ctx, "amy", false); server.ErrorKind(err) != server.KindInvalidInput {
		t.Errorf("resetting 2FA that is off: %v", err)
	}
	evs, _ := f.store.ListEvents(f.ctx, u.ID, 0, 0, 5)
	if evs[0].Type != server.EventLoginSuccess || evs[1].Type != server.Event2FAResetByAdmin {
		t.Errorf("events %s, %s", evs[0].Type, evs[1].Type)
	}

	// In an org that requires 2FA, the next login may only enroll.
	f2, secret2, _ := enrolled(t, "")
	if _, err := f2.svc.CreateOrg(f2.ctx, "strict", 0, true); err != nil {
		t.Fatal(err)
	}
	if err := f2.svc.SetUserOrg(f2.ctx, "amy", "strict"); err != nil {
		t.Fatal(err)
	}
	_ = secret2
	if _, err := f2.svc.AdminResetTwoFactor(f2.ctx, "amy", true); err != nil {
		t.Fatal(err)
	}
	lr, p := f2.login("amy")
	if !lr.Token.EnrollOnly || p.Credential(f2.clock.Now()) != server.CredEnrollOnly {
		t.Errorf("login after a reset in a strict org: enroll-only %v", lr.Token.EnrollOnly)
	}
}

// An operator ends a user's sessions, and tokens when asked, counted apart.
func TestAdminEndSessions(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	r1, p := f.login("amy")
	r2, _ := f.login("amy")
	_, api, _ := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "ci"}, server.Meta{})
	ended, err := f.svc.AdminEndSessions(f.ctx, "amy", false)
	if err != nil || ended.Sessions != 2 || ended.Tokens != 0 || ended.String() != "2 sessions and 0 API tokens ended" {
		t.Fatalf("end sessions: %+v %q %v", ended, ended.String(), err)
	}
	f.authErr(r1.Secret)
	f.authErr(r2.Secret)
	f.auth(api)
	if ended, _ := f.svc.AdminEndSessions(f.ctx, "amy", true); ended.Tokens != 1 {
		t.Errorf("with revokeTokens: %+v", ended)
	}
	f.authErr(api)
}

// A locked account signs in by no factor and none of its tokens works;
// unlocked, everything it had works again.
func TestAdminLockAndUnlock(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	res, p := f.login("amy")
	key, line := newSSHKey(t)
	if _, err := f.svc.AddSSHKey(f.ctx, p, line, server.FreshProof{Password: "pw-amy-secret"}, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	ends := endOf(t, f, p)
	if err := f.svc.AdminLock(f.ctx, "amy", true); err != nil {
		t.Fatal(err)
	}
	if r := f.authErr(res.Secret); r.Reason != server.ReasonLocked {
		t.Errorf("a token of a locked account: %+v", r)
	}
	if _, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret"}); err == nil || err.(*server.Error).Reason != server.ReasonLocked {
		t.Errorf("the right password on a locked account: %v", err)
	}
	if _, err := f.svc.LoginWithKey(f.ctx, "amy", key, "", server.Meta{}); server.ErrorKind(err) != server.KindInvalidAuthentication {
		t.Errorf("the key of a locked account: %v", err)
	}
	select {
	case err := <-ends:
		if e, ok := err.(*server.Error); !ok || e.Reason != server.ReasonLocked {
			t.Errorf("the stream ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream of a locked account did not end")
	}
	if err := f.svc.AdminLock(f.ctx, "amy", false); err != nil {
		t.Fatal(err)
	}
	f.auth(res.Secret)
	if _, err := f.svc.LoginWithKey(f.ctx, "amy", key, "", server.Meta{}); err != nil {
		t.Errorf("the key after unlocking: %v", err)
	}
}
