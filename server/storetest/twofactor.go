package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

func testTwoFactor(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "zoe")
	mkToken(t, s, u.ID, "token-s1", server.KindSession, Base)
	mkToken(t, s, u.ID, "token-a1", server.KindAPI, Base)
	now := Base.Add(time.Hour)

	_, err := s.PendingTOTP(ctx, u.ID)
	wantErr(t, err, server.ErrNotFound, "PendingTOTP none")
	_, err = s.EnableTOTP(ctx, u.ID, "SECRET1", 100, []string{"c1"}, nil, now, nil)
	wantErr(t, err, server.ErrNotFound, "EnableTOTP without pending secret")
	wantErr(t, s.SetPendingTOTP(ctx, 999999, "S", nil), server.ErrNotFound, "SetPendingTOTP missing user")

	state := func(want server.TwoFactorState, secret string, step int64) {
		t.Helper()
		got, err := s.UserByID(ctx, u.ID)
		must(t, err, "UserByID")
		if got.TwoFactor != want || got.TOTPSecret != secret || got.LastTOTPStep != step {
			t.Errorf("2FA = %s secret %q step %d, want %s %q %d", got.TwoFactor, got.TOTPSecret, got.LastTOTPStep, want, secret, step)
		}
	}
	codes := func(want ...string) {
		t.Helper()
		got, err := s.UnusedBackupCodes(ctx, u.ID)
		must(t, err, "UnusedBackupCodes")
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("UnusedBackupCodes = %v, want %v", got, want)
		}
	}

	must(t, s.SetPendingTOTP(ctx, u.ID, "SECRET1", nil), "SetPendingTOTP")
	state(server.TwoFactorPending, "SECRET1", 0)
	p, err := s.PendingTOTP(ctx, u.ID)
	must(t, err, "PendingTOTP")
	if p != "SECRET1" {
		t.Errorf("PendingTOTP = %q", p)
	}

	n, err := s.EnableTOTP(ctx, u.ID, "SECRET1", 1000, []string{"c1", "c2"}, []server.TokenKind{server.KindSession}, now, nil)
	must(t, err, "EnableTOTP")
	if n != 1 {
		t.Errorf("EnableTOTP revoked %d, want 1", n)
	}
	state(server.TwoFactorOn, "SECRET1", 1000)
	codes("c1", "c2")
	_, err = s.PendingTOTP(ctx, u.ID)
	wantErr(t, err, server.ErrNotFound, "PendingTOTP after enable")
	if tok, _ := s.TokenByID(ctx, "token-s1"); tok.RevokedAt.IsZero() || tok.RevokeReason != server.RevokedByCredChange {
		t.Errorf("session not revoked by EnableTOTP: %+v", tok)
	}
	if tok, _ := s.TokenByID(ctx, "token-a1"); !tok.RevokedAt.IsZero() {
		t.Errorf("API token revoked by EnableTOTP though not asked")
	}

	// The enrolled step is used; later steps once each.
	for _, tc := range []struct {
		step int64
		ok   bool
	}{{1000, false}, {999, false}, {1001, true}, {1001, false}, {1003, true}, {1002, false}} {
		ok, err := s.UseTOTPStep(ctx, u.ID, tc.step)
		must(t, err, "UseTOTPStep")
		if ok != tc.ok {
			t.Errorf("UseTOTPStep(%d) = %v, want %v", tc.step, ok, tc.ok)
		}
	}
	state(server.TwoFactorOn, "SECRET1", 1003)
	_, err = s.UseTOTPStep(ctx, 999999, 5000)
	wantErr(t, err, server.ErrNotFound, "UseTOTPStep missing user")

	// Re-enrolling while on keeps 2FA on with the old secret until enabled.
	must(t, s.SetPendingTOTP(ctx, u.ID, "SECRET2", nil), "SetPendingTOTP while on")
	state(server.TwoFactorOn, "SECRET1", 1003)
	p, _ = s.PendingTOTP(ctx, u.ID)
	if p != "SECRET2" {
		t.Errorf("PendingTOTP = %q, want SECRET2", p)
	}
	must(t, s.SetPendingTOTP(ctx, u.ID, "SECRET3", nil), "SetPendingTOTP replaced")
	_, err = s.EnableTOTP(ctx, u.ID, "SECRET2", 2000, []string{"x"}, nil, now, nil)
	if err == nil {
		t.Errorf("EnableTOTP with a replaced pending secret succeeded")
	}
	n, err = s.EnableTOTP(ctx, u.ID, "SECRET3", 2000, []string{"d1", "d2", "d3"}, []server.TokenKind{server.KindSession, server.KindAPI}, now, nil)
	must(t, err, "EnableTOTP again")
	if n != 1 {
		t.Errorf("re-enable revoked %d, want 1", n)
	}
	state(server.TwoFactorOn, "SECRET3", 2000)
	codes("d1", "d2", "d3")
	if ok, _ := s.UseBackupCode(ctx, u.ID, "c1", now, nil); ok {
		t.Errorf("old backup code still works after re-enrolling")
	}

	mkToken(t, s, u.ID, "token-s2", server.KindSession, now)
	mkToken(t, s, u.ID, "token-a2", server.KindAPI, now)
	n, err = s.DisableTOTP(ctx, u.ID, []server.TokenKind{server.KindSession}, server.RevokedByCredChange, now, nil)
	must(t, err, "DisableTOTP")
	if n != 1 {
		t.Errorf("DisableTOTP revoked %d, want 1", n)
	}
	state(server.TwoFactorOff, "", 2000)
	codes()
	_, err = s.PendingTOTP(ctx, u.ID)
	wantErr(t, err, server.ErrNotFound, "PendingTOTP after disable")
	if tok, _ := s.TokenByID(ctx, "token-a2"); !tok.RevokedAt.IsZero() {
		t.Errorf("API token revoked by DisableTOTP though not asked")
	}
	_, err = s.DisableTOTP(ctx, 999999, nil, server.RevokedByCredChange, now, nil)
	wantErr(t, err, server.ErrNotFound, "DisableTOTP missing user")
}

func testBackupCodes(t *testing.T, s server.Store) {
	u := MakeUser(t, s, "ben")
	other := MakeUser(t, s, "bea")
	must(t, s.ReplaceBackupCodes(ctx, u.ID, 0, []string{"h1", "h2", "h3"}, nil), "ReplaceBackupCodes")
	must(t, s.ReplaceBackupCodes(ctx, other.ID, 0, []string{"h1"}, nil), "ReplaceBackupCodes other")
	wantErr(t, s.ReplaceBackupCodes(ctx, 999999, 0, []string{"h"}, nil), server.ErrNotFound, "ReplaceBackupCodes missing user")
	// A replacement of a generation already replaced loses.
	wantErr(t, s.ReplaceBackupCodes(ctx, u.ID, 0, []string{"x1"}, nil), server.ErrConflict, "ReplaceBackupCodes of an old generation")
	if got, _ := s.UserByID(ctx, u.ID); got.BackupGen != 1 {
		t.Errorf("BackupGen = %d after one replacement, want 1", got.BackupGen)
	}

	now := Base.Add(time.Minute)
	for _, tc := range []struct {
		hash string
		ok   bool
	}{{"h2", true}, {"h2", false}, {"nope", false}, {"h1", true}} {
		ok, err := s.UseBackupCode(ctx, u.ID, tc.hash, now, nil)
		must(t, err, "UseBackupCode")
		if ok != tc.ok {
			t.Errorf("UseBackupCode(%s) = %v, want %v", tc.hash, ok, tc.ok)
		}
	}
	got, err := s.UnusedBackupCodes(ctx, u.ID)
	must(t, err, "UnusedBackupCodes")
	if !slices.Equal(got, []string{"h3"}) {
		t.Errorf("UnusedBackupCodes = %v, want [h3]", got)
	}
	got, _ = s.UnusedBackupCodes(ctx, other.ID)
	if !slices.Equal(got, []string{"h1"}) {
		t.Errorf("other user's codes = %v, want [h1]", got)
	}
	must(t, s.ReplaceBackupCodes(ctx, u.ID, 1, []string{"n1", "n2"}, nil), "ReplaceBackupCodes again")
	got, _ = s.UnusedBackupCodes(ctx, u.ID)
	slices.Sort(got)
	if !slices.Equal(got, []string{"n1", "n2"}) {
		t.Errorf("after replace = %v", got)
	}
	if ok, _ := s.UseBackupCode(ctx, u.ID, "h3", now, nil); ok {
		t.Errorf("replaced code still works")
	}
	must(t, s.ReplaceBackupCodes(ctx, u.ID, 2, nil, nil), "ReplaceBackupCodes empty")
	got, _ = s.UnusedBackupCodes(ctx, u.ID)
	if len(got) != 0 {
		t.Errorf("after emptying = %v", got)
	}
}
