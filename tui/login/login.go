// Package login is the console's login screen: the server it talks to, the
// username (prefilled with the last one), a masked password, then a code
// step when the account has two-factor authentication on. In an SSH
// session authenticated with a registered key, it signs in with the key
// and asks only for the code when 2FA is on.
package login

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

type step int

const (
	stepPassword step = iota
	stepCode
	stepKey // signed in with an SSH key: the two-factor code only
)

// KeyLogin signs in with the SSH key the session was authenticated with;
// the SSH layer verified the key. Login is called with code "" first, and
// with the code typed when it answers TwoFactorRequired.
type KeyLogin struct {
	Fingerprint string // SHA256:…, shown to the person
	Login       func(ctx context.Context, code string) (*wire.LoginResponse, error)
}

type keyMap struct {
	Next, Prev, Submit, Backup, Back key.Binding
}

// Model is the login screen.
type Model struct {
	ctx      *common.Context
	keys     keyMap
	step     step
	focus    int // 0 username, 1 password (password step)
	user     textinput.Model
	pass     textinput.Model
	code     textinput.Model
	backup   bool // the code field takes a backup code
	sshKey   *KeyLogin
	keyTried bool // a code was sent with the key

	notice  string // why the person is here (logged out, demo account)
	err     string
	advice  string // clock-sync advice after a refused code
	busy    bool
	retryAt time.Time // throttled until
	width   int
	height  int
}

type (
	loginDoneMsg struct {
		resp *wire.LoginResponse
		api  common.API
		err  error
		key  bool // from KeyLogin
	}
	tickMsg struct{}
)

// New builds the login screen; notice is shown above the form.
func New(ctx *common.Context, notice string) *Model {
	m := &Model{ctx: ctx, notice: notice}
	m.keys = keyMap{
		Next:   common.Bind("tab/↓", "next field", "tab", "down"),
		Prev:   common.Bind("shift+tab/↑", "previous field", "shift+tab", "up"),
		Submit: common.Bind("enter", "sign in", "enter"),
		Backup: common.Bind("ctrl+b", "use a backup code", "ctrl+b"),
		Back:   common.Bind("esc", "back to password", "esc"),
	}
	s := ctx.Styles
	m.user = common.NewInput(s, "username", 64)
	m.user.SetValue(ctx.Username)
	m.pass = common.NewSecretInput(s, "password")
	m.code = common.NewInput(s, "6-digit code", 6)
	if ctx.Username != "" {
		m.focus = 1
	}
	m.applyFocus()
	return m
}

// NewKey builds the login screen of a session authenticated with an SSH
// key: it signs in with the key at once, and shows a code-only step when
// the account has 2FA on. Esc there goes to the password form.
func NewKey(ctx *common.Context, k *KeyLogin) *Model {
	m := New(ctx, "")
	m.sshKey, m.step, m.busy = k, stepKey, true
	m.code.Placeholder, m.code.CharLimit = "6-digit code or backup code", 11
	m.applyFocus()
	return m
}

func (m *Model) Init() tea.Cmd {
	if m.sshKey != nil && m.step == stepKey {
		return m.keySubmit("")
	}
	return nil
}

// keySubmit signs in with the SSH key and code.
func (m *Model) keySubmit(code string) tea.Cmd {
	m.busy, m.err, m.advice = true, "", ""
	login, api, base := m.sshKey.Login, m.ctx.API, m.ctx.Base
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, common.CallTimeout)
		defer cancel()
		resp, err := login(ctx, code)
		return loginDoneMsg{resp: resp, api: api, err: err, key: true}
	}
}

func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	fw := min(40, max(10, w-20))
	m.user.SetWidth(fw)
	m.pass.SetWidth(fw)
	m.code.SetWidth(fw)
}

// Capturing: the login screen always has a text field focused.
func (m *Model) Capturing() bool { return true }

func (m *Model) ShortHelp() []key.Binding {
	if m.step == stepKey {
		back, submit := m.keys.Back, m.keys.Submit
		back.SetHelp("esc", "use the password")
		submit.SetHelp("enter", "verify")
		return []key.Binding{submit, back}
	}
	if m.step == stepCode {
		b := m.keys.Backup
		if m.backup {
			b.SetHelp("ctrl+b", "use the app's code")
		}
		return []key.Binding{m.keys.Submit, b, m.keys.Back}
	}
	return []key.Binding{m.keys.Submit, m.keys.Next, m.keys.Prev}
}

func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m *Model) applyFocus() {
	m.user.Blur()
	m.pass.Blur()
	m.code.Blur()
	switch {
	case m.step == stepCode || m.step == stepKey:
		m.code.Focus()
	case m.focus == 0:
		m.user.Focus()
	default:
		m.pass.Focus()
	}
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		for _, in := range []*textinput.Model{&m.user, &m.pass, &m.code} {
			in.SetStyles(m.ctx.Styles.Input)
		}
		return m, nil
	case loginDoneMsg:
		return m, m.loginDone(msg)
	case tickMsg:
		if m.throttled() {
			return m, m.tick()
		}
		m.err = ""
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		return m, m.updateFocused(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.busy {
		return nil
	}
	switch {
	case m.step == stepKey && key.Matches(msg, m.keys.Submit):
		if m.throttled() {
			return nil
		}
		code := strings.TrimSpace(m.code.Value())
		if code == "" {
			m.err = "Enter the code from your authenticator app, or one of your backup codes."
			return nil
		}
		m.keyTried = true
		return m.keySubmit(code)
	case m.step == stepKey && key.Matches(msg, m.keys.Back):
		m.step, m.focus = stepPassword, 1
		m.code.SetValue("")
		m.code.Placeholder, m.code.CharLimit = "6-digit code", 6
		m.err, m.advice = "", ""
		m.applyFocus()
		return nil
	case key.Matches(msg, m.keys.Submit):
		return m.submit()
	case m.step == stepCode && key.Matches(msg, m.keys.Back):
		m.step, m.focus = stepPassword, 1
		m.code.SetValue("")
		m.err, m.advice = "", ""
		m.applyFocus()
		return nil
	case m.step == stepCode && key.Matches(msg, m.keys.Backup):
		m.backup = !m.backup
		m.code.SetValue("")
		if m.backup {
			m.code.Placeholder, m.code.CharLimit = "backup code (xxxxx-xxxxx)", 11
		} else {
			m.code.Placeholder, m.code.CharLimit = "6-digit code", 6
		}
		return nil
	case m.step == stepPassword && key.Matches(msg, m.keys.Next):
		m.focus = 1
		m.applyFocus()
		return nil
	case m.step == stepPassword && key.Matches(msg, m.keys.Prev):
		m.focus = 0
		m.applyFocus()
		return nil
	}
	return m.updateFocused(msg)
}

func (m *Model) updateFocused(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case m.step == stepCode || m.step == stepKey:
		m.code, cmd = m.code.Update(msg)
	case m.focus == 0:
		m.user, cmd = m.user.Update(msg)
	default:
		m.pass, cmd = m.pass.Update(msg)
	}
	return cmd
}

func (m *Model) throttled() bool { return m.ctx.Now().Before(m.retryAt) }

func (m *Model) submit() tea.Cmd {
	if m.throttled() {
		return nil
	}
	user := strings.TrimSpace(m.user.Value())
	switch {
	case user == "":
		m.focus, m.err = 0, "Enter your username."
		m.applyFocus()
		return nil
	case m.focus == 0 && m.step == stepPassword:
		m.focus = 1
		m.applyFocus()
		return nil
	case m.pass.Value() == "":
		m.err = "Enter your password."
		return nil
	case m.step == stepCode && strings.TrimSpace(m.code.Value()) == "":
		m.err = "Enter the code from your authenticator app, or ctrl+b for a backup code."
		return nil
	}
	req := wire.LoginRequest{Username: user, Password: m.pass.Value()}
	if m.step == stepCode {
		req.Code = strings.TrimSpace(m.code.Value())
	}
	m.busy, m.err, m.advice = true, "", ""
	api, base := m.ctx.API, m.ctx.Base
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, common.CallTimeout)
		defer cancel()
		resp, err := api.Login(ctx, req)
		return loginDoneMsg{resp: resp, api: api, err: err}
	}
}

func (m *Model) loginDone(msg loginDoneMsg) tea.Cmd {
	m.busy = false
	err := msg.err
	if err == nil {
		r := msg.resp
		m.pass.SetValue("")
		m.code.SetValue("")
		s := &common.Session{
			API: msg.api.WithToken(r.Token), TokenID: r.TokenID, User: r.User,
			IdleTimeout: time.Duration(r.IdleTimeout) * time.Second, EnrollOnly: r.EnrollOnly,
		}
		return common.Cmd(common.LoggedInMsg{Session: s})
	}
	if d, ok := common.RetryAfter(err); ok {
		m.retryAt = m.ctx.Now().Add(d)
		m.err = ""
		return m.tick()
	}
	e, isAPI := common.AsAPIError(err)
	if msg.key {
		m.keyDone(err, e, isAPI)
		return nil
	}
	switch {
	case common.IsUnreachable(err):
		m.err = "Cannot reach the server at " + m.ctx.API.Server() + ". Is it running, and is the address right?"
	case isAPI && e.Type == wire.ErrTwoFactorRequired && m.step == stepPassword:
		m.step = stepCode
		m.applyFocus()
	case isAPI && e.Type == wire.ErrTwoFactorRequired && e.Reason == "replayed":
		m.err = "That code was already used. Wait for the next code from your app."
		m.code.SetValue("")
	case isAPI && e.Type == wire.ErrTwoFactorRequired:
		m.err = "That code was not accepted."
		if !m.backup {
			m.advice = ClockAdvice
		}
		m.code.SetValue("")
	case isAPI && e.Type == wire.ErrInvalidAuthentication:
		m.err = "Incorrect username or password."
		m.step, m.focus = stepPassword, 1
		m.pass.SetValue("")
		m.applyFocus()
	default:
		m.err = err.Error()
	}
	return nil
}

// keyDone handles a refused key login.
func (m *Model) keyDone(err error, e *common.APIError, isAPI bool) {
	switch {
	case isAPI && e.Type == wire.ErrTwoFactorRequired && !m.keyTried:
		// The first try, without a code: ask for it.
	case isAPI && e.Type == wire.ErrTwoFactorRequired && e.Reason == "replayed":
		m.err = "That code was already used. Wait for the next code from your app."
	case isAPI && e.Type == wire.ErrTwoFactorRequired:
		m.err = "That code was not accepted."
		m.advice = ClockAdvice
	default:
		// The key no longer opens a session (removed meanwhile, or
		// the account changed): the password still can.
		m.step, m.focus, m.sshKey = stepPassword, 1, nil
		m.code.Placeholder, m.code.CharLimit = "6-digit code", 6
		m.err = "Could not sign in with your SSH key: " + err.Error() + " Sign in with your password."
		m.applyFocus()
	}
	m.code.SetValue("")
}

// ClockAdvice is the seeds' fix for codes that are refused.
const ClockAdvice = "If your codes are not accepted, your phone's clock is probably off: turn on " +
	"Automatic Date and Time in its settings, restart the phone, and try the newest code."

func (m *Model) tick() tea.Cmd {
	return m.ctx.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}
