package testenv

import (
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
	"github.com/latch-dev/latch/server/storetest"
)

// testChangeVersionSeesEveryWrite: every write through one store changes
// the other's ChangeVersion, which the auth cache relies on.
func testChangeVersionSeesEveryWrite(t *testing.T, c *cluster) {
	cvA, ok := c.a.store.(server.ChangeVersioner)
	if !ok {
		t.Skip("the store has no ChangeVersion")
	}
	b := c.b.store
	u := server.User{Username: "vera", CreatedAt: storetest.Base}
	org := server.Org{Name: "v-org"}
	tok := server.Token{ID: "token-v1", Kind: server.KindSession, SecretHash: "h-v1", CreatedAt: storetest.Base, ExpiresAt: storetest.Base.Add(time.Hour)}
	now := storetest.Base.Add(time.Minute)
	writes := []struct {
		name string
		fn   func() error
	}{
		{"CreateOrg", func() error { return b.CreateOrg(bg, &org) }},
		{"CreateUser", func() error { return b.CreateUser(bg, &u) }},
		{"UpdateProfile", func() error {
			name := "Vera"
			_, err := b.UpdateProfile(bg, u.ID, server.ProfileUpdate{FullName: &name}, nil, now, nil)
			return err
		}},
		{"SetUserOrg", func() error { return b.SetUserOrg(bg, u.ID, org.ID, nil) }},
		{"UpdateOrg", func() error { org.Require2FA = true; return b.UpdateOrg(bg, org, nil) }},
		{"CreateProject", func() error {
			return b.CreateProject(bg, server.Project{ID: "project-v", Name: "V", CreatedAt: storetest.Base})
		}},
		{"SetMember", func() error { return b.SetMember(bg, "project-v", u.ID, server.LevelView, nil) }},
		{"CreateToken", func() error { tok.UserID = u.ID; return b.CreateToken(bg, tok, nil) }},
		{"TouchTokens", func() error {
			return b.TouchTokens(bg, []server.TokenUsage{{TokenID: tok.ID, At: now, Addr: "a"}}, nil)
		}},
		{"RevokeToken", func() error { _, err := b.RevokeToken(bg, tok.ID, now, server.RevokedByUser, nil); return err }},
		{"AddEvent", func() error { return b.AddEvent(bg, server.Event{Time: now, UserID: u.ID, Type: server.EventLogout}) }},
		{"ChargeGuess", func() error {
			_, err := b.ChargeGuess(bg, []server.Bucket{{Key: "acct:vera", Burst: 5, Every: time.Minute}}, now)
			return err
		}},
		{"RefundGuess", func() error {
			return b.RefundGuess(bg, []server.Bucket{{Key: "acct:vera", Burst: 5, Every: time.Minute}}, now)
		}},
		{"MarkKnownAddress", func() error { return b.MarkKnownAddress(bg, "vera|192.0.2.1", now) }},
		{"SetPendingTOTP", func() error { return b.SetPendingTOTP(bg, u.ID, "SECRET", nil) }},
		{"EnableTOTP", func() error {
			_, err := b.EnableTOTP(bg, u.ID, "SECRET", 10, []string{"c1", "c2"}, nil, now, nil)
			return err
		}},
		{"UseTOTPStep", func() error { _, err := b.UseTOTPStep(bg, u.ID, 11); return err }},
		{"UseBackupCode", func() error { _, err := b.UseBackupCode(bg, u.ID, "c1", now, nil); return err }},
		{"ReplaceBackupCodes", func() error {
			got, err := b.UserByID(bg, u.ID)
			if err != nil {
				return err
			}
			return b.ReplaceBackupCodes(bg, u.ID, got.BackupGen, []string{"c3"}, nil)
		}},
		{"SetPassword", func() error {
			_, err := b.SetPassword(bg, u.ID, "", "h2", []server.TokenKind{server.KindSession}, now, nil)
			return err
		}},
		{"RevokeTokens", func() error {
			must(t, b.CreateToken(bg, server.Token{ID: "token-v2", UserID: u.ID, Kind: server.KindAPI, SecretHash: "h-v2", CreatedAt: storetest.Base, ExpiresAt: storetest.Base.Add(time.Hour)}, nil), "CreateToken")
			_, err := b.RevokeTokens(bg, u.ID, []server.TokenKind{server.KindAPI}, "", now, server.RevokedByUser, nil)
			return err
		}},
		{"DisableTOTP", func() error {
			_, err := b.DisableTOTP(bg, u.ID, nil, server.RevokedByCredChange, now, nil)
			return err
		}},
		{"AddSSHKey", func() error {
			return b.AddSSHKey(bg, server.SSHKey{UserID: u.ID, Fingerprint: "SHA256:v", PublicKey: "ssh-ed25519 AAAA", CreatedAt: storetest.Base}, nil)
		}},
		{"TouchSSHKey", func() error { return b.TouchSSHKey(bg, "SHA256:v", now) }},
		{"RemoveSSHKey", func() error { _, _, err := b.RemoveSSHKey(bg, u.ID, "SHA256:v", now, nil); return err }},
	}
	for _, w := range writes {
		before, err := cvA.ChangeVersion(bg)
		must(t, err, "ChangeVersion")
		must(t, w.fn(), w.name)
		after, err := cvA.ChangeVersion(bg)
		must(t, err, "ChangeVersion")
		if after == before {
			t.Errorf("%s on instance B left instance A's ChangeVersion at %d", w.name, before)
		}
	}
}

// testStoreRacesAcrossInstances: the store's one-time operations hold when
// the storetest.Racers come through two stores on one database.
func testStoreRacesAcrossInstances(t *testing.T, c *cluster) {
	u := storetest.MakeUser(t, c.a.store, "rosa")
	must(t, c.a.store.ReplaceBackupCodes(bg, u.ID, 0, []string{"h1", "h2"}, nil), "ReplaceBackupCodes")
	if wins := c.raceOn(func(in *instance, i int) (bool, error) {
		return in.store.UseBackupCode(bg, u.ID, "h1", storetest.Base.Add(time.Duration(i)), nil)
	}); wins != 1 {
		t.Errorf("one backup code used through two stores was accepted %d times, want once", wins)
	}
	for step := int64(101); step <= 103; step++ {
		if wins := c.raceOn(func(in *instance, _ int) (bool, error) {
			return in.store.UseTOTPStep(bg, u.ID, step)
		}); wins != 1 {
			t.Errorf("TOTP step %d through two stores was accepted %d times, want once", step, wins)
		}
	}
	// Guesses charged through two stores at once: exactly the burst passes.
	bucket := []server.Bucket{{Key: "acct:rosa", Burst: 3, Every: time.Hour}}
	if wins := c.raceOn(func(in *instance, _ int) (bool, error) {
		wait, err := in.store.ChargeGuess(bg, bucket, storetest.Base)
		return wait == 0, err
	}); wins != 3 {
		t.Errorf("%d guesses charged through two stores at once, want the burst of 3", wins)
	}
}

// testRevokeRefusedOnOtherInstance: once a revoke returns on one instance,
// the other refuses the token on its very next request, though it had the
// token cached as valid.
func testRevokeRefusedOnOtherInstance(t *testing.T, c *cluster) {
	c.user("rob")

	// Logout on A; B had just served the session.
	secret, pA := c.login(c.a, "rob")
	c.auth(c.b, secret)
	c.auth(c.b, secret)
	must(t, c.a.svc.Logout(bg, pA, meta), "Logout on A")
	if r := c.refused(c.b, secret); r != "revoked" {
		t.Errorf("B refused a logged-out session with reason %q, want revoked", r)
	}

	// An API token made on B, used on A, revoked on B.
	_, pB := c.login(c.b, "rob")
	tok, apiSecret, err := c.b.svc.CreateToken(bg, pB, server.TokenSpec{Name: "ci"}, meta)
	must(t, err, "CreateToken on B")
	c.auth(c.a, apiSecret)
	c.auth(c.a, apiSecret)
	must(t, c.b.svc.RevokeToken(bg, pB, tok.ID, meta), "RevokeToken on B")
	if r := c.refused(c.a, apiSecret); r != "revoked" {
		t.Errorf("A refused a revoked API token with reason %q, want revoked", r)
	}

	// A password change on A signs out the session B is serving (rule 5).
	other, pA2 := c.login(c.a, "rob")
	c.auth(c.b, other)
	_, err = c.a.svc.ChangePassword(bg, pA2, password("rob"), "another-long-password", "", false, meta)
	must(t, err, "ChangePassword on A")
	if r := c.refused(c.b, other); r != "revoked" {
		t.Errorf("B served a session after a password change on A (reason %q)", r)
	}
}
