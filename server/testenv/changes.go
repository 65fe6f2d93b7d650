package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// Changes made behind a client's back, the way an operator or another
// instance makes them: for tests of what a running console hears.

// SetAutoLogout changes org's inactivity limit (`latch admin org`).
func (e *Env) SetAutoLogout(t testing.TB, org string, d time.Duration) {
	t.Helper()
	e.updateOrg(t, org, server.OrgUpdate{AutoLogoutAfter: &d})
}

// Require2FA has org require 2FA, with grace before sessions without it
// may only enroll (0: at once).
func (e *Env) Require2FA(t testing.TB, org string, grace time.Duration) {
	t.Helper()
	on := true
	e.updateOrg(t, org, server.OrgUpdate{Require2FA: &on, TwoFactorGrace: &grace})
}

// SetTwoFactorGrace changes the grace of org's 2FA requirement.
func (e *Env) SetTwoFactorGrace(t testing.TB, org string, grace time.Duration) {
	t.Helper()
	e.updateOrg(t, org, server.OrgUpdate{TwoFactorGrace: &grace})
}

func (e *Env) updateOrg(t testing.TB, org string, up server.OrgUpdate) {
	t.Helper()
	if _, err := e.Svc.UpdateOrg(context.Background(), org, up); err != nil {
		t.Fatalf("testenv: update org %s: %v", org, err)
	}
}

// Lock locks user's account as an operator does (`latch admin lock`).
func (e *Env) Lock(t testing.TB, user string) {
	t.Helper()
	if err := e.Svc.AdminLock(context.Background(), user, true); err != nil {
		t.Fatalf("testenv: lock %s: %v", user, err)
	}
}

// TokenOnService makes an API token named name for user (password
// Password, no 2FA) on the service itself, not through HTTP: it works
// while the HTTP server is stopped.
func (e *Env) TokenOnService(t testing.TB, user, name string) {
	t.Helper()
	ctx := context.Background()
	res, err := e.Svc.Login(ctx, server.LoginInput{Username: user, Password: Password})
	if err != nil {
		t.Fatalf("testenv: login %s: %v", user, err)
	}
	p, err := e.Svc.Authenticate(ctx, res.Secret, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Svc.CreateToken(ctx, p, server.TokenSpec{Name: name}, server.Meta{}); err != nil {
		t.Fatalf("testenv: token %s: %v", name, err)
	}
}

// TOTPSecret is user's TOTP secret, opened from its sealed form.
func (e *Env) TOTPSecret(t testing.TB, user string) string {
	t.Helper()
	u, err := e.Store.UserByName(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	return e.open(t, u.ID, u.TOTPSecret)
}

// PendingSecret is the TOTP secret of user's unconfirmed enrollment.
func (e *Env) PendingSecret(t testing.TB, user string) string {
	t.Helper()
	u, err := e.Store.UserByName(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := e.Store.PendingTOTP(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return e.open(t, u.ID, sealed)
}

func (e *Env) open(t testing.TB, userID int64, sealed string) string {
	t.Helper()
	secret, err := e.Store.Keys().Ring().OpenTOTP(userID, sealed)
	if err != nil {
		t.Fatalf("testenv: open the TOTP secret of user %d: %v", userID, err)
	}
	return secret
}

// TokenStoredRaw stores an API token named name for user directly in the
// store, past the service's text rules: data written before the server
// refused control characters, as the printers must still meet it.
func (e *Env) TokenStoredRaw(t testing.TB, user, name string) {
	t.Helper()
	ctx := context.Background()
	u, err := e.Store.UserByName(ctx, user)
	if err != nil {
		t.Fatalf("testenv: user %s: %v", user, err)
	}
	now := e.Now()
	tok := server.Token{ID: server.NewTokenID(), UserID: u.ID, Name: name, Kind: server.KindAPI,
		SecretHash: server.HashSecret(server.NewTokenSecret()), CreatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour)}
	if err := e.Store.CreateToken(ctx, tok, nil); err != nil {
		t.Fatalf("testenv: raw token %q: %v", name, err)
	}
}
