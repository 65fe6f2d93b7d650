package server_test

import (
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// Rule 1: a token works only while it exists, is not revoked, not expired
// and, with an inactivity limit, used within it; each success is a use.
func TestRule1TokenValidity(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	_, p := f.login("amy")

	tok, secret, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "ci", IdleTimeout: 10 * time.Minute}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		secret     string
		advance    time.Duration
		wantReason server.Reason // "" = accepted
	}{
		{"unknown token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, "invalid"},
		{"malformed token", "not-a-token", 0, "invalid"},
		{"fresh token", secret, 0, ""},
		{"used within its idle limit", secret, 9 * time.Minute, ""},
		{"again within the limit, counted from the last use", secret, 9 * time.Minute, ""},
		{"idle past its limit", secret, 10 * time.Minute, "idle"},
		{"stays refused after idling", secret, 0, "idle"},
	}
	for _, tc := range cases {
		f.clock.Advance(tc.advance)
		_, err := f.svc.Authenticate(f.ctx, tc.secret, server.Meta{Addr: "198.51.100.7"})
		var got server.Reason
		if err != nil {
			de, ok := err.(*server.Error)
			if !ok || de.Kind != server.KindInvalidAuthentication {
				t.Fatalf("%s: error %v, want InvalidAuthentication", tc.name, err)
			}
			got = de.Reason
		}
		if got != tc.wantReason {
			t.Fatalf("%s: reason %q, want %q", tc.name, got, tc.wantReason)
		}
	}

	// The uses were recorded: last-used time and address.
	f.svc.FlushUsage(f.ctx)
	stored, err := f.store.TokenByID(f.ctx, tok.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(18 * time.Minute); !stored.LastUsedAt.Equal(want) || stored.LastUsedAddr != "198.51.100.7" {
		t.Errorf("last used = %v from %q, want %v from 198.51.100.7", stored.LastUsedAt, stored.LastUsedAddr, want)
	}
	if stored.RevokeReason != server.RevokedIdle {
		t.Errorf("an idle token is revoked with reason idle, got %q", stored.RevokeReason)
	}
}

func TestRule1ExpiryAndRevocation(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	_, p := f.login("amy")
	_, short, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "short", ExpiresAt: ptr(t0.Add(time.Hour))}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	revTok, revoked, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "revoked"}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	f.auth(short)
	f.auth(revoked)
	if err := f.svc.RevokeToken(f.ctx, p, revTok.ID, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	// Rule 6: the very next request is refused.
	if r := f.authErr(revoked).Reason; r != "revoked" {
		t.Errorf("revoked token: reason %q", r)
	}
	f.clock.Advance(time.Hour)
	if r := f.authErr(short).Reason; r != "expired" {
		t.Errorf("expired token: reason %q", r)
	}
	if err := f.svc.RevokeToken(f.ctx, p, revTok.ID, server.Meta{}); server.ErrorKind(err) != server.KindConflict {
		t.Errorf("revoking twice: %v, want Conflict", err)
	}
}

// Rule 2: sessions idle out after the org's autoLogoutAfter (15 minutes by
// default); API tokens expire after a month unless a date is set.
func TestRule2Lifetimes(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateOrg(f.ctx, "lab", 5*time.Minute, false); err != nil {
		t.Fatal(err)
	}
	f.user("amy", "")
	f.user("bob", "lab")

	amy, pa := f.login("amy")
	if amy.Token.IdleTimeout != 15*time.Minute || amy.Token.Kind != server.KindSession {
		t.Errorf("default session: kind %s idle %s, want session 15m", amy.Token.Kind, amy.Token.IdleTimeout)
	}
	bob, _ := f.login("bob")
	if bob.Token.IdleTimeout != 5*time.Minute {
		t.Errorf("org session idle %s, want the org's 5m", bob.Token.IdleTimeout)
	}
	f.clock.Advance(4 * time.Minute)
	f.auth(bob.Secret)
	f.clock.Advance(5 * time.Minute)
	de := f.authErr(bob.Secret)
	if de.Reason != "idle" || de.IdleTimeout != 5*time.Minute {
		t.Errorf("bob after 5 idle minutes: %+v", de)
	}
	if want := "logged out after 5 minutes of inactivity"; de.Message[:len(want)] != want {
		t.Errorf("message %q does not start with %q", de.Message, want)
	}

	tok, _, err := f.svc.CreateToken(f.ctx, pa, server.TokenSpec{Name: "default"}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if want := f.clock.Now().Add(30 * 24 * time.Hour); !tok.ExpiresAt.Equal(want) || tok.IdleTimeout != 0 {
		t.Errorf("API token expires %v idle %s, want %v and none", tok.ExpiresAt, tok.IdleTimeout, want)
	}
	date := f.clock.Now().Add(90 * 24 * time.Hour)
	tok, _, err = f.svc.CreateToken(f.ctx, pa, server.TokenSpec{Name: "dated", ExpiresAt: &date, IdleTimeout: 2 * time.Hour}, server.Meta{})
	if err != nil || !tok.ExpiresAt.Equal(date) || tok.IdleTimeout != 2*time.Hour {
		t.Errorf("dated token: %+v, %v", tok, err)
	}

	bad := []server.TokenSpec{
		{Name: ""},
		{Name: "past", ExpiresAt: ptr(f.clock.Now().Add(-time.Second))},
		{Name: "far", ExpiresAt: ptr(f.clock.Now().Add(10 * 365 * 24 * time.Hour))},
		{Name: "neg", IdleTimeout: -time.Minute},
		{Name: "tiny", IdleTimeout: time.Second},
	}
	for _, spec := range bad {
		if _, _, err := f.svc.CreateToken(f.ctx, pa, spec, server.Meta{}); server.ErrorKind(err) != server.KindInvalidInput {
			t.Errorf("CreateToken(%+v) = %v, want InvalidInput", spec, err)
		}
	}
}

// Rule 4: logout revokes the calling token, session or API token alike.
func TestRule4Logout(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	sess, p := f.login("amy")
	_, apiSecret, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "cli"}, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	pAPI := f.auth(apiSecret)
	if err := f.svc.Logout(f.ctx, pAPI, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	if r := f.authErr(apiSecret).Reason; r != "revoked" {
		t.Errorf("API token after logout: %q", r)
	}
	f.auth(sess.Secret) // the other token is untouched
	if err := f.svc.Logout(f.ctx, p, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	if r := f.authErr(sess.Secret).Reason; r != "revoked" {
		t.Errorf("session after logout: %q", r)
	}
}

// Rule 5: a credentials change signs out every session at once; API
// tokens survive unless asked.
func TestRule5CredentialsChange(t *testing.T) {
	for _, revokeAPI := range []bool{false, true} {
		f := newFixture(t)
		f.user("amy", "")
		s1, p := f.login("amy")
		s2, _ := f.login("amy")
		_, api, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "job"}, server.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ChangePassword(f.ctx, p, "wrong-password", "new-password-1", "", revokeAPI, server.Meta{}); server.ErrorKind(err) != server.KindInvalidAuthentication {
			t.Fatalf("wrong current password: %v", err)
		}
		if _, err := f.svc.ChangePassword(f.ctx, p, "pw-amy-secret", "short", "", revokeAPI, server.Meta{}); server.ErrorKind(err) != server.KindInvalidInput {
			t.Fatalf("short new password: %v", err)
		}
		n, err := f.svc.ChangePassword(f.ctx, p, "pw-amy-secret", "new-password-1", "", revokeAPI, server.Meta{})
		if err != nil {
			t.Fatal(err)
		}
		// Sessions and API tokens are counted apart, and the API tokens
		// left working are said.
		want := server.Ended{Sessions: 2, Kept: 1}
		if revokeAPI {
			want = server.Ended{Sessions: 2, Tokens: 1}
		}
		if n != want {
			t.Errorf("revokeAPI=%v: ended %+v, want %+v", revokeAPI, n, want)
		}
		f.authErr(s1.Secret)
		f.authErr(s2.Secret)
		if _, err := f.svc.Authenticate(f.ctx, api, server.Meta{}); (err == nil) == revokeAPI {
			t.Errorf("revokeAPI=%v: API token error %v", revokeAPI, err)
		}
		if _, err := f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "new-password-1"}); err != nil {
			t.Errorf("login with the new password: %v", err)
		}
	}
}

func TestRule5AdminReset(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	s1, p := f.login("amy")
	_, api, _ := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "job"}, server.Meta{})
	if _, err := f.svc.ResetPassword(f.ctx, "amy", "reset-password-1", false); err != nil {
		t.Fatal(err)
	}
	if r := f.authErr(s1.Secret); r.Reason != "revoked" {
		t.Errorf("session after reset: %+v", r)
	}
	f.auth(api)
	if _, err := f.svc.ResetPassword(f.ctx, "amy", "reset-password-2", true); err != nil {
		t.Fatal(err)
	}
	f.authErr(api)
}

// Rule 6: open streams end when their token is revoked, expires or idles.
func TestRule6WatchTokenEnds(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	_, p := f.login("amy")
	_, other := f.login("amy")
	tok, api, _ := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "stream", ExpiresAt: ptr(t0.Add(time.Hour))}, server.Meta{})
	pAPI := f.auth(api)

	revokedWatch := endOf(t, f, other)
	expiryWatch := endOf(t, f, pAPI)
	if err := f.svc.RevokeToken(f.ctx, p, other.Token.ID, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-revokedWatch:
		if server.ErrorKind(err) != server.KindInvalidAuthentication {
			t.Errorf("watch ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream of a revoked token did not end")
	}
	select {
	case err := <-expiryWatch:
		t.Fatalf("the stream of a valid token %s ended: %v", tok.ID, err)
	case <-time.After(3 * server.StreamPollInterval):
	}
	f.clock.Advance(time.Hour)
	select {
	case err := <-expiryWatch:
		if de, ok := err.(*server.Error); !ok || de.Reason != "expired" {
			t.Errorf("watch ended with %v, want expired", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream of an expired token did not end")
	}
}

// Rule 5: a new email is a credentials change (the seeds count confirming
// it; latch has no mail step). A new name is not.
func TestRule5EmailChange(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	s1, p := f.login("amy")
	_, api, _ := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "job"}, server.Meta{})
	if n, err := f.svc.UpdateProfile(f.ctx, p, "Amy Pond", "", "", "", false, server.Meta{}); err != nil || n != (server.Ended{}) {
		t.Fatalf("name change: ended %+v, %v", n, err)
	}
	f.auth(s1.Secret)
	if _, err := f.svc.UpdateProfile(f.ctx, p, "Amy Pond", "not an address", "", "", false, server.Meta{}); server.ErrorKind(err) != server.KindInvalidInput {
		t.Fatalf("bad email: %v", err)
	}
	if _, err := f.svc.UpdateProfile(f.ctx, p, "Amy Pond", "amy@example.org", "", "", false, server.Meta{}); server.ErrorKind(err) != server.KindInvalidAuthentication {
		t.Fatalf("email change without the password: %v", err)
	}
	n, err := f.svc.UpdateProfile(f.ctx, p, "Amy Pond", "amy@example.org", "pw-amy-secret", "", false, server.Meta{})
	if err != nil || n != (server.Ended{Sessions: 1, Kept: 1}) {
		t.Fatalf("email change: ended %+v, %v", n, err)
	}
	if r := f.authErr(s1.Secret); r.Reason != "revoked" {
		t.Errorf("session after an email change: %+v", r)
	}
	pAPI := f.auth(api) // API tokens survive unless asked
	if _, err := f.svc.UpdateProfile(f.ctx, pAPI, "Amy Pond", "amy@example.com", "pw-amy-secret", "", true, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	f.authErr(api)
	u, _ := f.store.UserByName(f.ctx, "amy")
	if u.Email != "amy@example.com" || u.FullName != "Amy Pond" {
		t.Errorf("stored profile %q %q", u.FullName, u.Email)
	}
}

func ptr[T any](v T) *T { return &v }

// endOf watches p's token and delivers the error that ends it.
func endOf(t *testing.T, f *fixture, p *server.Principal) <-chan error {
	t.Helper()
	updates, err := f.svc.WatchToken(f.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	first := <-updates
	if first.End != nil || first.State.ExpiresAt.IsZero() {
		t.Fatalf("first update of a watch: %+v", first)
	}
	out := make(chan error, 1)
	go func() {
		for u := range updates {
			if u.End != nil {
				out <- u.End
				return
			}
		}
	}()
	return out
}
