package security

import (
	"context"
	"net/mail"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/form"
)

// The profile form (the seeds' "My Profile"): the full name and the email,
// with the proof the server's policy asks — a new email needs the password
// (and a code with 2FA on), a new name a code with 2FA on. A new email is
// a credentials change: every session ends, and the API tokens too when
// the box is ticked.

type profileMsg struct {
	resp  *wire.ProfileResponse
	err   error
	email bool // the email changed: a credentials change
}

// revokeCheck is the "Revoke Active Tokens" box of a credentials change,
// saying how many API tokens are active.
func (m *Model) revokeCheck(v *bool) *form.Field {
	return form.Check("revoke", client.RevokeTokensChoice(m.overview.apiTokens), v)
}

func (m *Model) profilePage(twoFA bool) *page {
	var u wire.User
	if s := m.Ctx.Session; s != nil {
		u = s.User
	}
	p := m.newPage("Name and email", "A new name needs a code when two-factor authentication is on. "+
		"A new email also needs your password, and signs out every session, this one included; "+
		"API tokens keep working unless you revoke them too.")
	var v struct {
		name, email, password, code string
		revoke                      bool
	}
	v.name, v.email = u.FullName, u.Email
	newEmail := func() bool { return strings.TrimSpace(v.email) != u.Email }
	p.form = form.New(m.Ctx, form.NewKeyMap("save"),
		form.Text("name", "Name", &v.name).Placeholder("your full name").Limit(200),
		form.Text("email", "Email", &v.email).Placeholder("you@example.org").Limit(320),
		form.Text("password", "Password", &v.password).Secret().Placeholder("your password, for a new email").When(newEmail),
		form.Text("code", "Code", &v.code).Placeholder(codePlaceholder).When(func() bool { return twoFA || p.needCode }),
		m.revokeCheck(&v.revoke).When(func() bool { return newEmail() && m.overview.apiTokens > 0 }),
	)
	p.submit = func() tea.Cmd {
		name, email := strings.TrimSpace(v.name), strings.TrimSpace(v.email)
		req := wire.ProfileRequest{Code: strings.TrimSpace(v.code)}
		if name != u.FullName {
			req.FullName = &name
		}
		if newEmail() {
			req.Email, req.Password, req.RevokeTokens = &email, v.password, v.revoke
		}
		switch {
		case req.FullName == nil && req.Email == nil:
			return p.form.Fail("name", "Nothing to save: change the name or the email first (esc goes back).")
		case req.Email != nil && email != "" && !isAddress(email):
			return p.form.Fail("email", "That is not an email address (name@example.org).")
		case req.Email != nil && req.Password == "":
			return p.form.Fail("password", "Enter your current password: a new email is a credentials change.")
		case (twoFA || p.needCode) && req.Code == "":
			return p.form.Fail("code", "Two-factor authentication is on: enter a code from your app or a backup code.")
		}
		changed := req.Email != nil
		fn := func(ctx context.Context, api common.API) (*wire.ProfileResponse, error) {
			return api.UpdateProfile(ctx, req)
		}
		done := func(r *wire.ProfileResponse, err error) tea.Msg { return profileMsg{resp: r, err: err, email: changed} }
		if changed {
			return p.call(common.CallEnding(m.Ctx, true, fn, done)) // a new email ends this session
		}
		return p.call(common.CallReauth(m.Ctx, fn, done))
	}
	return p
}

func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// profileSaved closes the form: a new name shows at once; a new email
// ended every session, this console's with them.
func (m *Model) profileSaved(msg profileMsg) tea.Cmd {
	if m.page == nil {
		return nil
	}
	if msg.err != nil {
		if e, ok := client.AsError(msg.err); ok && e.Type == wire.ErrInvalidInput {
			m.page.busy = false
			field := "name"
			if strings.Contains(strings.ToLower(e.Message), "email") {
				field = "email"
			}
			return m.page.form.Fail(field, e.Message)
		}
		return m.page.failed(msg.err, "password")
	}
	m.page = nil
	if s := m.Ctx.Session; s != nil {
		s.User = msg.resp.User
	}
	if !msg.email {
		m.overview.notice = "Your name is now “" + msg.resp.User.FullName + "”."
		return m.load()
	}
	reason := "Your email is now " + msg.resp.User.Email + ". " + client.EndedSummary(msg.resp.Ended, common.RotateHint)
	if msg.resp.LoggedOut {
		return common.EndOwn(m.Ctx, reason+" Sign in again.")
	}
	m.overview.notice = reason
	return m.load()
}
