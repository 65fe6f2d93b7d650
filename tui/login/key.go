package login

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// The sign-in of an SSH session authenticated with a registered key.

// KeyLogin signs in with the SSH key the session was authenticated with;
// the SSH layer verified the key. Login is called with code "" first, and
// with the code typed when it answers TwoFactorRequired.
type KeyLogin struct {
	Fingerprint string // SHA256:…, shown to the person
	Login       func(ctx context.Context, code string) (*wire.LoginResponse, error)
}

// NewKey builds the login screen of a session authenticated with an SSH
// key: it signs in with the key at once, and shows a code-only step when
// the account has 2FA on. Esc there goes to the password form.
func NewKey(ctx *common.Context, k *KeyLogin) *Model {
	m := newModel(ctx, "")
	m.sshKey, m.step, m.busy = k, stepKey, true
	return m
}

// keyCodeForm builds the key step's code form, when the account turns out
// to have 2FA on: most key sign-ins never show it.
func (m *Model) keyCodeForm() tea.Cmd {
	back := m.keys.Back
	back.SetHelp("esc", "use the password")
	m.codeForm(back)
	m.codeIn.Placeholder(eitherPlaceholder).Limit(11)
	return m.codes.Init()
}

// keySubmit signs in with the SSH key and code.
func (m *Model) keySubmit(code string) tea.Cmd {
	m.busy, m.advice = true, ""
	if m.codes != nil {
		m.codes.SetErr("")
	}
	login, api, base := m.sshKey.Login, m.Ctx.API, m.Ctx.Base
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, common.CallTimeout)
		defer cancel()
		resp, err := login(ctx, code)
		return loginDoneMsg{resp: resp, api: api, err: err, key: true}
	}
}

// keyRetryKeys are the keys of a key sign-in that was refused for now,
// before any code was asked: try again, or use the password.
func (m *Model) keyRetryKeys() []key.Binding {
	retry, password := m.keys.Resume, m.keys.Back
	retry.SetHelp(retry.Help().Key, "try again")
	password.SetHelp(password.Help().Key, "use the password")
	return []key.Binding{retry, password}
}

// keyDone handles a refused key login.
func (m *Model) keyDone(err error, e *client.Error, isAPI bool) tea.Cmd {
	if m.codes != nil {
		m.codes.Clear("code")
	}
	switch {
	case isAPI && e.Type == wire.ErrTwoFactorRequired && !m.keyTried:
		// The first try, without a code: ask for it.
		if m.codes == nil {
			return m.keyCodeForm()
		}
		return nil
	case isAPI && e.Type == wire.ErrTwoFactorRequired:
		_, text, clock := common.CodeError(err)
		if clock {
			m.advice = ClockAdvice
		}
		return m.codes.Fail("code", text)
	}
	// The key no longer opens a session (removed meanwhile, or the
	// account changed): the password still can.
	m.toPassword()
	return m.creds.Fail("password", "Could not sign in with your SSH key: "+err.Error()+" Sign in with your password.")
}
