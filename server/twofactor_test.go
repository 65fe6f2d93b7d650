package server_test

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"

	"github.com/latch-dev/latch/server/testenv"
)

// RFC 6238 appendix B, SHA-1: the 8-digit values' last six digits are the
// 6-digit codes every authenticator app shows.
func TestTOTPRFC6238Vectors(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // base32 of "12345678901234567890"
	vectors := []struct {
		unix int64
		code string
	}{
		{59, "94287082"}, {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
	}
	for _, v := range vectors {
		got, err := server.TOTPCode(secret, server.TOTPStep(time.Unix(v.unix, 0)))
		if err != nil || got != v.code[2:] {
			t.Errorf("T=%d: code %s, %v; want %s", v.unix, got, err, v.code[2:])
		}
	}
}

// enrolled returns a fixture whose user amy has 2FA on, with her secret and
// backup codes, logged in afresh with a backup code.
func enrolled(t *testing.T, org string) (*fixture, string, []string) {
	t.Helper()
	f := newFixture(t)
	f.user("amy", org)
	_, p := f.login("amy")
	en, err := f.svc.BeginEnrollment(f.ctx, p, "pw-amy-secret", "", server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(en.URL, "otpauth://totp/latch:amy?") || !strings.Contains(en.URL, "secret="+en.Secret) {
		t.Fatalf("otpauth URL %q", en.URL)
	}
	if len(en.Secret) < 32 { // 160 bits = 32 base32 characters
		t.Fatalf("secret %d characters: want at least 160 bits", len(en.Secret))
	}
	code, _ := server.TOTPCode(en.Secret, server.TOTPStep(f.clock.Now()))
	codes, _, err := f.svc.ConfirmEnrollment(f.ctx, p, code, false, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 {
		t.Fatalf("%d backup codes, want 10", len(codes))
	}
	f.clock.Advance(90 * time.Second) // past the confirming step and its skew
	return f, en.Secret, codes
}

func (f *fixture) login2FA(code string) (*server.LoginResult, error) {
	return f.svc.Login(f.ctx, server.LoginInput{Username: "amy", Password: "pw-amy-secret", Code: code})
}

func TestTwoFactorLogin(t *testing.T) {
	f, secret, backup := enrolled(t, "")
	if _, err := f.login2FA(""); server.ErrorKind(err) != server.KindTwoFactorRequired {
		t.Fatalf("login without a code: %v, want TwoFactorRequired", err)
	}
	now := server.TOTPStep(f.clock.Now())
	for _, tc := range []struct {
		name string
		step int64
		ok   bool
	}{
		{"two steps early", now - 2, false},
		{"two steps late", now + 2, false},
		{"one step early", now - 1, true},
		{"current step", now, true},
		{"replay of the current step", now, false},
		{"an older step after a newer one", now - 1, false},
		{"one step late", now + 1, true},
	} {
		code, _ := server.TOTPCode(secret, tc.step)
		res, err := f.login2FA(code)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err == nil && res.Token.AuthMethod != "password+totp" {
			t.Errorf("%s: token records %q", tc.name, res.Token.AuthMethod)
		}
		if err != nil && !strings.Contains(err.Error(), "already used") && !strings.Contains(err.Error(), "Automatic Date and Time") {
			t.Errorf("%s: error %q neither explains a replay nor the clock fix", tc.name, err)
		}
	}

	// A backup code works once, in any case and with or without its dash.
	res, err := f.login2FA(strings.ToUpper(strings.ReplaceAll(backup[3], "-", "")))
	if err != nil || res.Token.AuthMethod != "password+backup-code" {
		t.Fatalf("backup code login: %v", err)
	}
	// Used again, it is refused as used — not as a wrong code, which
	// would send the person to fix the phone's clock.
	_, err = f.login2FA(backup[3])
	var de *server.Error
	if !errors.As(err, &de) || de.Kind != server.KindTwoFactorRequired || de.Reason != server.ReasonUsed ||
		!strings.Contains(de.Message, "that backup code was already used") || strings.Contains(de.Message, "clock") {
		t.Errorf("a backup code used twice: %v, want TwoFactorRequired/used", err)
	}
	if _, err := f.login2FA("zzzzz-zzzzz"); !errors.As(err, &de) || de.Reason != server.ReasonInvalid {
		t.Errorf("a code that never was one: %v, want TwoFactorRequired/invalid", err)
	}
	st, _ := f.svc.TwoFactorStatus(f.ctx, f.auth(res.Secret))
	if st.BackupCodesRemaining != 9 || st.State != server.TwoFactorOn {
		t.Errorf("status %+v, want on with 9 codes left", st)
	}
}

func TestTwoFactorEnableSignsOutSessions(t *testing.T) {
	f := newFixture(t)
	f.user("amy", "")
	s1, p := f.login("amy")
	s2, _ := f.login("amy")
	_, api, _ := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "job"}, server.Meta{})
	en, err := f.svc.BeginEnrollment(f.ctx, p, "pw-amy-secret", "", server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	wrong, _ := server.TOTPCode(en.Secret, server.TOTPStep(f.clock.Now())+5)
	if _, _, err := f.svc.ConfirmEnrollment(f.ctx, p, wrong, false, server.Meta{}); err == nil || !strings.Contains(err.Error(), "Automatic Date and Time") {
		t.Errorf("wrong code at enrollment: %v; want the clock-sync advice", err)
	}
	f.auth(s1.Secret) // nothing changed yet
	code, _ := server.TOTPCode(en.Secret, server.TOTPStep(f.clock.Now()))
	if _, _, err := f.svc.ConfirmEnrollment(f.ctx, p, code, false, server.Meta{}); err != nil {
		t.Fatal(err)
	}
	f.authErr(s1.Secret)
	f.authErr(s2.Secret)
	f.auth(api) // API tokens survive enabling
}

func TestTwoFactorDisable(t *testing.T) {
	f, secret, backup := enrolled(t, "")
	res, err := f.login2FA(backup[0])
	if err != nil {
		t.Fatal(err)
	}
	p := f.auth(res.Secret)
	// The backup code used to log in cannot confirm the change: a second one is needed.
	if _, err := f.svc.DisableTwoFactor(f.ctx, p, "pw-amy-secret", backup[0], false, server.Meta{}); err == nil {
		t.Fatal("disabled 2FA with an already used backup code")
	}
	if _, err := f.svc.DisableTwoFactor(f.ctx, p, "pw-amy-secret", "", false, server.Meta{}); server.ErrorKind(err) != server.KindTwoFactorRequired {
		t.Fatalf("disable without a code: %v", err)
	}
	if _, err := f.svc.DisableTwoFactor(f.ctx, p, "pw-amy-secret", backup[1], false, server.Meta{}); err != nil {
		t.Fatalf("disable with a second backup code: %v", err)
	}
	f.authErr(res.Secret) // a credentials change signs out
	if _, err := f.login2FA(""); err != nil {
		t.Errorf("login after disabling still wants a code: %v", err)
	}
	_ = secret
}

func TestTwoFactorReenrollInvalidatesOldCodes(t *testing.T) {
	f, oldSecret, oldBackup := enrolled(t, "")
	code, _ := server.TOTPCode(oldSecret, server.TOTPStep(f.clock.Now()))
	res, err := f.login2FA(code)
	if err != nil {
		t.Fatal(err)
	}
	p := f.auth(res.Secret)
	f.clock.Advance(30 * time.Second)
	code, _ = server.TOTPCode(oldSecret, server.TOTPStep(f.clock.Now()))
	en, err := f.svc.BeginEnrollment(f.ctx, p, "pw-amy-secret", code, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(30 * time.Second)
	newCode, _ := server.TOTPCode(en.Secret, server.TOTPStep(f.clock.Now()))
	newBackup, _, err := f.svc.ConfirmEnrollment(f.ctx, p, newCode, false, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(30 * time.Second)
	oldCode, _ := server.TOTPCode(oldSecret, server.TOTPStep(f.clock.Now()))
	if _, err := f.login2FA(oldCode); err == nil {
		t.Error("a code of the old secret still works")
	}
	var de *server.Error
	if _, err := f.login2FA(oldBackup[5]); !errors.As(err, &de) || de.Reason != server.ReasonInvalid {
		t.Errorf("an old backup code: %v, want refused as invalid (it is not one of the current codes)", err)
	}
	if _, err := f.login2FA(newBackup[5]); err != nil {
		t.Errorf("a new backup code: %v", err)
	}
}

func TestTwoFactorOrgPolicy(t *testing.T) {
	f := newFixture(t)
	if _, err := f.svc.CreateOrg(f.ctx, "clinic", 0, true); err != nil {
		t.Fatal(err)
	}
	f.user("amy", "clinic")
	res, p := f.login("amy")
	if !res.Token.EnrollOnly {
		t.Fatal("a member without 2FA in a require2FA org must get an enroll-only session")
	}
	if _, err := f.svc.ListProjects(f.ctx, p, server.ProjectFilter{}); server.ErrorKind(err) != server.KindEnrollmentRequired {
		t.Errorf("enroll-only session listing projects: %v", err)
	}
	if _, _, err := f.svc.CreateToken(f.ctx, p, server.TokenSpec{Name: "x"}, server.Meta{}); server.ErrorKind(err) != server.KindEnrollmentRequired {
		t.Errorf("enroll-only session creating a token: %v", err)
	}
	en, err := f.svc.BeginEnrollment(f.ctx, p, "pw-amy-secret", "", server.Meta{})
	if err != nil {
		t.Fatalf("enroll-only session must be able to enroll: %v", err)
	}
	code, _ := server.TOTPCode(en.Secret, server.TOTPStep(f.clock.Now()))
	backup, _, err := f.svc.ConfirmEnrollment(f.ctx, p, code, false, server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	res, err = f.login2FA(backup[0])
	if err != nil || res.Token.EnrollOnly {
		t.Fatalf("login after enrolling: %+v, %v", res, err)
	}
	p = f.auth(res.Secret)
	if _, err := f.svc.DisableTwoFactor(f.ctx, p, "pw-amy-secret", backup[1], false, server.Meta{}); server.ErrorKind(err) != server.KindPermissionDenied || !strings.Contains(err.Error(), "requires") {
		t.Errorf("disabling under require2FA: %v", err)
	}
}

// The server accepts what an independent implementation computes.
func TestTwoFactorOathtoolAgrees(t *testing.T) {
	testenv.Need(t, "oathtool", "oathtool")
	f := newFixture(t)
	f.clock.Set(time.Now()) // oathtool uses the real clock
	f.user("amy", "")
	_, p := f.login("amy")
	en, err := f.svc.BeginEnrollment(f.ctx, p, "pw-amy-secret", "", server.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("oathtool", "--totp", "-b", en.Secret).Output()
	if err != nil {
		t.Fatal(err)
	}
	code := strings.TrimSpace(string(out))
	if _, _, err := f.svc.ConfirmEnrollment(f.ctx, p, code, false, server.Meta{}); err != nil {
		t.Fatalf("server refused oathtool's code %s: %v", code, err)
	}
	f.clock.Advance(30 * time.Second)
	out, err = exec.Command("oathtool", "--totp", "-b", "-N", f.clock.Now().UTC().Format("2006-01-02 15:04:05 UTC"), en.Secret).Output()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.login2FA(strings.TrimSpace(string(out))); err != nil {
		t.Fatalf("login with oathtool's code: %v", err)
	}
}
