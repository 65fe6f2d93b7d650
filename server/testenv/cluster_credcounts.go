package testenv

import (
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// testRuleCredentialsChangeCounts (rule 5, as the seeds describe it): every
// credentials change — password, email, 2FA on, 2FA off — ends the
// sessions, revokes the API tokens only when asked, and says what it ended,
// sessions and API tokens apart, and how many API tokens keep working.
func testRuleCredentialsChangeCounts(t *testing.T, c *cluster) {
	c.user("xena")
	sessions := func(n int) *server.Principal {
		var p *server.Principal
		for i := range n {
			in := c.a
			if i%2 == 1 {
				in = c.b
			}
			_, p = c.login(in, "xena")
		}
		return p
	}
	apiTokens := func(p *server.Principal, n int) {
		for range n {
			_, _, err := c.a.svc.CreateToken(bg, p, server.TokenSpec{Name: "ci"}, meta)
			must(t, err, "CreateToken")
		}
	}
	want := func(step string, got, want server.Ended) {
		t.Helper()
		if got != want {
			t.Errorf("%s ended %+v, want %+v", step, got, want)
		}
	}

	p := sessions(2)
	apiTokens(p, 3)
	ended, err := c.b.svc.ChangePassword(bg, p, password("xena"), "second-password-of-xena", "", false, meta)
	must(t, err, "ChangePassword")
	want("a password change keeping API tokens", ended, server.Ended{Sessions: 2, Kept: 3})

	// A new name alone is no credentials change: nothing ends.
	res, err := c.a.svc.Login(bg, server.LoginInput{Username: "xena", Password: "second-password-of-xena", Meta: meta})
	must(t, err, "Login")
	p = c.auth(c.a, res.Secret)
	ended, err = c.a.svc.UpdateProfile(bg, p, "Xena X", "", "", "", true, meta)
	must(t, err, "UpdateProfile name")
	want("a new name", ended, server.Ended{})

	ended, err = c.b.svc.UpdateProfile(bg, p, "Xena X", "xena@example.org", "second-password-of-xena", "", true, meta)
	must(t, err, "UpdateProfile email")
	want("a new email revoking API tokens", ended, server.Ended{Sessions: 1, Tokens: 3})

	// 2FA on, asking to revoke the API tokens: it ends them too.
	res, err = c.a.svc.Login(bg, server.LoginInput{Username: "xena", Password: "second-password-of-xena", Meta: meta})
	must(t, err, "Login")
	p = c.auth(c.a, res.Secret)
	apiTokens(p, 2)
	enr, err := c.a.svc.BeginEnrollment(bg, p, "second-password-of-xena", "", meta)
	must(t, err, "BeginEnrollment")
	code, err := server.TOTPCode(enr.Secret, server.TOTPStep(c.clock.Now()))
	must(t, err, "TOTPCode")
	_, ended, err = c.b.svc.ConfirmEnrollment(bg, p, code, true, meta)
	must(t, err, "ConfirmEnrollment")
	want("2FA on revoking API tokens", ended, server.Ended{Sessions: 1, Tokens: 2})

	// 2FA off, keeping the API tokens made since.
	c.clock.Advance(31 * time.Second)
	code, _ = server.TOTPCode(enr.Secret, server.TOTPStep(c.clock.Now()))
	res, err = c.b.svc.Login(bg, server.LoginInput{Username: "xena", Password: "second-password-of-xena", Code: code, Meta: meta})
	must(t, err, "Login with a code")
	p = c.auth(c.b, res.Secret)
	apiTokens(p, 1)
	c.clock.Advance(31 * time.Second)
	code, _ = server.TOTPCode(enr.Secret, server.TOTPStep(c.clock.Now()))
	ended, err = c.a.svc.DisableTwoFactor(bg, p, "second-password-of-xena", code, false, meta)
	must(t, err, "DisableTwoFactor")
	want("2FA off keeping API tokens", ended, server.Ended{Sessions: 1, Kept: 1})
}
