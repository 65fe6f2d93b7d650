package security

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/form"
)

// page is one of the screen's forms: a title, a note, the fields, and
// what submitting does (check the fields, then call the server).
type page struct {
	common.Common
	title, note string
	form        *form.Form
	busy        bool
	needCode    bool // the server asked for a two-factor code
	submit      func() tea.Cmd
	cancel      func() tea.Cmd
}

func (p *page) Init() tea.Cmd { return p.form.Init() }

func (p *page) SetSize(w, h int) {
	p.Common.SetSize(w, h)
	p.form.SetSize(w, max(3, h-lipgloss.Height(p.header())-1))
}

func (p *page) ShortHelp() []key.Binding {
	if p.busy {
		return nil
	}
	return p.form.ShortHelp()
}

func (p *page) FullHelp() [][]key.Binding { return p.form.FullHelp() }

func (p *page) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case p.busy:
			return p, nil
		case p.form.Cancels(k):
			return p, p.cancel()
		case p.form.Submits(k):
			p.form.SetErr("")
			return p, p.submit()
		}
	}
	return p, p.form.Update(msg)
}

// call runs a request that checks the password again, marking the page
// busy until the answer.
func (p *page) call(cmd tea.Cmd) tea.Cmd {
	p.busy = true
	return cmd
}

// failed shows the server's refusal on the field to correct, emptied
// for the next try (a code is used once; a wrong password is typed anew).
func (p *page) failed(err error, passKey string) tea.Cmd {
	p.busy = false
	field, text := reauthError(err, passKey)
	switch field {
	case "code":
		p.needCode = true // the server asked for one: show the field
		p.form.Clear("code")
	case passKey:
		p.form.Clear(passKey)
	}
	return p.form.Fail(field, text)
}

func (p *page) header() string {
	s := p.Styles()
	return s.Title.Render(p.title) + "\n" + lipgloss.NewStyle().Width(max(20, min(p.Width, 90))).Render(p.note) + "\n"
}

func (p *page) View() string {
	out := p.header() + "\n" + p.form.View()
	if p.busy {
		out += "\n\n" + p.Styles().Muted.Render("Checking…")
	}
	return out
}

func (m *Model) newPage(title, note string) *page {
	return &page{Common: common.NewCommon(m.Ctx), title: title, note: note, cancel: m.closePage}
}

const codePlaceholder = "6-digit code or a backup code"

func (m *Model) passwordPage(twoFA bool) *page {
	p := m.newPage("Change password", "Changing the password signs out every session, this one included. API tokens keep working unless you revoke them too (that stops the jobs and transfers using them).")
	var v struct {
		current, next, again, code string
		revoke                     bool
	}
	p.form = form.New(m.Ctx, form.NewKeyMap("change password"),
		form.Text("current", "Current", &v.current).Secret().Placeholder("your current password"),
		form.Text("new", "New", &v.next).Secret().Placeholder("at least 8 characters"),
		form.Text("again", "Again", &v.again).Secret().Placeholder("the new password again"),
		form.Text("code", "Code", &v.code).Placeholder(codePlaceholder).When(func() bool { return twoFA }),
		m.revokeCheck(&v.revoke).When(func() bool { return m.overview.apiTokens > 0 }),
	)
	p.submit = func() tea.Cmd {
		req := wire.ChangePasswordRequest{CurrentPassword: v.current, NewPassword: v.next,
			Code: strings.TrimSpace(v.code), RevokeTokens: v.revoke}
		switch {
		case req.CurrentPassword == "":
			return p.form.Fail("current", "Enter your current password.")
		case len(req.NewPassword) < 8:
			return p.form.Fail("new", "The new password needs at least 8 characters.")
		case req.NewPassword != v.again:
			p.form.Clear("again")
			return p.form.Fail("again", "The two new passwords differ.")
		case twoFA && req.Code == "":
			return p.form.Fail("code", "Two-factor authentication is on: enter a code from your app or a backup code.")
		}
		return p.call(common.CallEnding(m.Ctx, true, func(ctx context.Context, api common.API) (*wire.RevokeResponse, error) {
			return api.ChangePassword(ctx, req)
		}, func(r *wire.RevokeResponse, err error) tea.Msg { return doneMsg{resp: r, err: err, what: actPassword} }))
	}
	return p
}

// reauthFields are a password and a code, the proof most changes ask for.
func reauthFields(v *wire.ReauthRequest) []*form.Field {
	return []*form.Field{
		form.Text("password", "Password", &v.Password).Secret().Placeholder("your current password"),
		form.Text("code", "Code", &v.Code).Placeholder(codePlaceholder),
	}
}

// haveBoth asks for whichever of the password and the code is missing.
func haveBoth(f *form.Form, v wire.ReauthRequest) bool {
	const text = "Enter your password and a code from your app (or a backup code)."
	switch {
	case v.Password == "":
		f.Fail("password", text)
	case strings.TrimSpace(v.Code) == "":
		f.Fail("code", text)
	default:
		return true
	}
	return false
}

func (m *Model) disablePage() *page {
	p := m.newPage("Turn off two-factor authentication", "You will need your password and a code (or a backup code, which is then used up). Every session is signed out; API tokens keep working unless you revoke them too.")
	var v wire.ReauthRequest
	var revoke bool
	p.form = form.New(m.Ctx, form.NewKeyMap("turn off"), append(reauthFields(&v),
		m.revokeCheck(&revoke).When(func() bool { return m.overview.apiTokens > 0 }))...)
	p.submit = func() tea.Cmd {
		if !haveBoth(p.form, v) {
			return nil
		}
		req := wire.DisableRequest{Password: v.Password, Code: strings.TrimSpace(v.Code), RevokeTokens: revoke}
		return p.call(common.CallEnding(m.Ctx, true, func(ctx context.Context, api common.API) (*wire.RevokeResponse, error) {
			return api.DisableTwoFactor(ctx, req)
		}, func(r *wire.RevokeResponse, err error) tea.Msg { return doneMsg{resp: r, err: err, what: actDisable} }))
	}
	return p
}

func (m *Model) regenPage() *page {
	p := m.newPage("New backup codes", "New codes replace the old ones, which stop working at once.")
	var v wire.ReauthRequest
	p.form = form.New(m.Ctx, form.NewKeyMap("make new codes"), reauthFields(&v)...)
	p.submit = func() tea.Cmd {
		if !haveBoth(p.form, v) {
			return nil
		}
		req := wire.ReauthRequest{Password: v.Password, Code: strings.TrimSpace(v.Code)}
		return p.call(common.CallReauth(m.Ctx, func(ctx context.Context, api common.API) (*wire.BackupCodesResponse, error) {
			return api.RegenerateBackupCodes(ctx, req)
		}, func(r *wire.BackupCodesResponse, err error) tea.Msg { return regenMsg{resp: r, err: err} }))
	}
	return p
}

// addKeyPage takes a pasted public key, with the password (a key opens
// sessions with the account's full rights) and, with 2FA on or when the
// server asks for one, a code.
func (m *Model) addKeyPage(twoFA bool) *page {
	p := m.newPage("Add an SSH key", "Paste the public key of the computer you connect from: the one line in ~/.ssh/id_ed25519.pub (make one with `ssh-keygen -t ed25519`). "+
		"With it, `ssh` to this server opens the console without your password; the two-factor code is still asked when 2FA is on. "+
		"A key opens sessions with your full rights, so adding one needs your password (and a code with 2FA on).")
	var line string
	var v wire.ReauthRequest
	fields := reauthFields(&v)
	fields[1].When(func() bool { return twoFA || p.needCode })
	p.form = form.New(m.Ctx, form.NewKeyMap("add"), append([]*form.Field{
		form.Text("key", "Key", &line).Placeholder("ssh-ed25519 AAAA… you@laptop").Limit(16 << 10),
	}, fields...)...)
	p.submit = func() tea.Cmd {
		req := wire.AddSSHKeyRequest{PublicKey: strings.TrimSpace(line), Password: v.Password, Code: strings.TrimSpace(v.Code)}
		switch {
		case req.PublicKey == "":
			return p.form.Fail("key", "Paste one public key line: the contents of ~/.ssh/id_ed25519.pub on your own computer (never the private key).")
		case strings.Contains(req.PublicKey, "PRIVATE KEY"):
			p.form.Clear("key")
			return p.form.Fail("key", "That is a private key: it never leaves your computer. Paste the .pub file's line instead.")
		case req.Password == "":
			return p.form.Fail("password", "Enter your current password: a key opens sessions with your full rights.")
		case (twoFA || p.needCode) && req.Code == "":
			return p.form.Fail("code", "Two-factor authentication is on: enter a code from your app or a backup code.")
		}
		return p.call(common.CallReauth(m.Ctx, func(ctx context.Context, api common.API) (*wire.SSHKey, error) {
			return api.AddSSHKey(ctx, req)
		}, func(k *wire.SSHKey, err error) tea.Msg { return keyAddedMsg{key: k, err: err} }))
	}
	return p
}

// reauthError says which field was wrong and what to do.
func reauthError(err error, passKey string) (field, text string) {
	e, ok := client.AsError(err)
	switch {
	case ok && e.Type == wire.ErrInvalidAuthentication:
		return passKey, "That password is not correct."
	case ok && e.Type == wire.ErrTwoFactorRequired:
		field, text, clock := common.CodeError(err)
		if clock {
			text += " " + common.ClockAdvice
		}
		return field, text
	}
	return "", common.ErrorSentence(err)
}

// keyError says what was wrong with a pasted key.
func keyError(err error) string {
	if e, ok := client.AsError(err); ok && e.Message != "" {
		return e.Message
	}
	return err.Error()
}

// keyLabel is a key's fingerprint with its comment.
func keyLabel(k wire.SSHKey) string {
	if k.Comment != "" {
		return k.Fingerprint + " (" + k.Comment + ")"
	}
	return k.Fingerprint
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return itoa(n) + " " + what + "s"
}
