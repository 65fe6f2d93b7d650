// Package login is the console's login screen: the server it talks to, the
// username (prefilled with the last one), a masked password, then a code
// step when the account has two-factor authentication on. In an SSH
// session authenticated with a registered key, it signs in with the key
// and asks only for the code when 2FA is on. Its fields are forms of the
// console's form engine.
package login

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/form"
)

type step int

const (
	stepPassword step = iota
	stepCode
	stepKey // signed in with an SSH key: the two-factor code only
)

type keyMap struct {
	Backup, Back, Resume key.Binding
}

const (
	totpPlaceholder   = "6-digit code"
	backupPlaceholder = "backup code (xxxxx-xxxxx)"
	eitherPlaceholder = "6-digit code or backup code"
)

// Model is the login screen.
type Model struct {
	common.Common
	keys keyMap
	step step
	user string
	pass string
	code string
	// The forms are built when their step is first shown: a console
	// signed in with a key never builds the password form.
	creds    *form.Form  // username and password
	codes    *form.Form  // the code; nil until the code step
	codeIn   *form.Field // its field: a TOTP or a backup code
	labelW   int         // the label column of both forms
	backup   bool        // the code field takes a backup code
	sshKey   *KeyLogin
	keyTried bool // a code was sent with the key

	notice string // why the person is here (logged out, demo account)
	// interrupted: the session ended without the person asking (revoked
	// elsewhere, idle). Until enter, no key reaches a field: one typed as
	// a command for the screen that was showing must not become part of a
	// password.
	interrupted bool
	stray       bool   // a key was pressed while interrupted
	advice      string // clock-sync advice after a refused code
	busy        bool
	retryAt     time.Time // throttled until
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
	m := newModel(ctx, notice)
	m.credsForm()
	return m
}

func newModel(ctx *common.Context, notice string) *Model {
	m := &Model{Common: common.NewCommon(ctx), notice: notice, user: ctx.Username}
	m.keys = keyMap{
		Backup: common.Bind("ctrl+b", "backup code", "ctrl+b"),
		Back:   common.Bind("esc", "back", "esc"),
		Resume: common.Bind("enter", "sign in again", "enter"),
	}
	m.labelW = form.LabelWidth("Username", "Password", "Code") // the password form's, and the code's under it
	return m
}

// credsForm builds the username and password form.
func (m *Model) credsForm() {
	ck := form.NewKeyMap("sign in")
	ck.Save.SetEnabled(false)
	ck.Cancel.SetEnabled(false)
	m.creds = form.New(m.Ctx, ck,
		form.Text("username", "Username", &m.user).Placeholder("username").Limit(64),
		form.Text("password", "Password", &m.pass).Secret().Placeholder("password"),
	)
	m.creds.SetLabelWidth(m.labelW)
	if m.user != "" {
		m.creds.Focus("password")
	}
	if m.Width > 0 {
		m.SetSize(m.Width, m.Height)
	}
}

// NewInterrupted is the login screen after a session ended that the
// person did not end: it says why, and takes no key but enter (and the
// global ones) until then.
func NewInterrupted(ctx *common.Context, reason string) *Model {
	m := New(ctx, reason)
	m.interrupted = true
	return m
}

// codeForm builds the code step's form; back is its esc.
func (m *Model) codeForm(back key.Binding) {
	kk := form.NewKeyMap("verify")
	kk.Save.SetEnabled(false)
	kk.Cancel = back
	m.codeIn = form.Text("code", "Code", &m.code).Placeholder(totpPlaceholder).Limit(6)
	m.codes = form.New(m.Ctx, kk, m.codeIn)
	m.codes.SetLabelWidth(m.labelW) // under "Username"
	if m.Width > 0 {
		m.SetSize(m.Width, m.Height)
	}
}

func (m *Model) Init() tea.Cmd {
	if m.interrupted {
		return nil
	}
	if m.sshKey != nil && m.step == stepKey {
		if m.codes != nil {
			return tea.Batch(m.codes.Init(), m.keySubmit(""))
		}
		return m.keySubmit("")
	}
	return m.creds.Init()
}

// form is the step's form: nil while a key sign-in has not asked for a
// code.
func (m *Model) form() *form.Form {
	if m.step == stepPassword {
		return m.creds
	}
	return m.codes
}

func (m *Model) SetSize(w, h int) {
	m.Common.SetSize(w, h)
	fw := min(60, max(30, w-8))
	if m.creds != nil {
		m.creds.SetSize(fw, 2)
	}
	if m.codes != nil {
		m.codes.SetSize(fw, 1)
	}
}

// Capturing: the login screen has a text field focused, unless it waits
// for enter after an interruption.
func (m *Model) Capturing() bool { return !m.interrupted }

func (m *Model) ShortHelp() []key.Binding {
	if m.interrupted {
		return []key.Binding{m.keys.Resume}
	}
	f := m.form()
	if f == nil {
		return m.keyRetryKeys()
	}
	help := f.ShortHelp()
	if m.step == stepCode {
		help = append(help, m.backupKey())
	}
	return help
}

// backupKey is ctrl+b as it is now: to a backup code, or back to the app's.
func (m *Model) backupKey() key.Binding {
	b := m.keys.Backup
	if m.backup {
		b.SetHelp(b.Help().Key, "app's code")
	}
	return b
}

func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		for _, f := range []*form.Form{m.creds, m.codes} {
			if f != nil {
				f.Restyle()
			}
		}
		return m, nil
	case loginDoneMsg:
		return m, m.loginDone(msg)
	case tickMsg:
		if m.throttled() {
			return m, m.tick()
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.interrupted {
			return m, m.resume(msg)
		}
		return m, m.key(msg)
	case tea.PasteMsg:
		if m.interrupted {
			m.stray = true
			return m, nil
		}
	}
	// A paste, or a form's own messages.
	if f := m.form(); f != nil {
		return m, f.Update(msg)
	}
	return m, nil
}

// resume waits for enter after an interruption; any other key is dropped
// and the screen says what to press.
func (m *Model) resume(msg tea.KeyPressMsg) tea.Cmd {
	if !key.Matches(msg, m.keys.Resume) {
		m.stray = true
		return nil
	}
	m.interrupted, m.stray = false, false
	if m.sshKey != nil {
		return m.Init()
	}
	return m.creds.Init()
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.busy {
		return nil
	}
	f := m.form()
	switch {
	case f == nil: // a key sign-in refused for now (throttled)
		retry, password := m.keyRetryKeys()[0], m.keys.Back
		if key.Matches(msg, retry) && !m.throttled() {
			return m.keySubmit("")
		}
		if key.Matches(msg, password) {
			m.toPassword()
		}
		return nil
	case f.Submits(msg) && m.step == stepKey:
		if m.throttled() {
			return nil
		}
		code := strings.TrimSpace(m.code)
		if code == "" {
			return f.Fail("code", "Enter the code from your authenticator app, or one of your backup codes.")
		}
		m.keyTried = true
		return m.keySubmit(code)
	case f.Submits(msg):
		return m.submit()
	case m.step != stepPassword && f.Cancels(msg):
		m.toPassword()
		return nil
	case m.step == stepCode && key.Matches(msg, m.keys.Backup):
		m.backup = !m.backup
		m.codes.Clear("code")
		if m.backup {
			m.codeIn.Placeholder(backupPlaceholder).Limit(11)
		} else {
			m.codeIn.Placeholder(totpPlaceholder).Limit(6)
		}
		return nil
	}
	return f.Update(msg)
}

// toPassword leaves the code (or key) step for the password form. The
// code step, if it comes again, gets a new form.
func (m *Model) toPassword() {
	if m.creds == nil {
		m.credsForm()
	}
	m.step, m.sshKey = stepPassword, nil
	m.backup, m.advice = false, ""
	m.code, m.codes, m.codeIn = "", nil, nil
	m.creds.SetErr("")
	m.creds.Focus("password")
}

func (m *Model) throttled() bool { return m.Ctx.Now().Before(m.retryAt) }

func (m *Model) submit() tea.Cmd {
	if m.throttled() {
		return nil
	}
	user := strings.TrimSpace(m.user)
	switch {
	case user == "":
		return m.creds.Fail("username", "Enter your username.")
	case m.pass == "":
		return m.creds.Fail("password", "Enter your password.")
	case m.step == stepCode && strings.TrimSpace(m.code) == "":
		return m.codes.Fail("code", "Enter the code from your authenticator app, or "+m.keys.Backup.Help().Key+" for a backup code.")
	}
	req := wire.LoginRequest{Username: user, Password: m.pass}
	if m.step == stepCode {
		req.Code = strings.TrimSpace(m.code)
	}
	m.busy, m.advice = true, ""
	m.form().SetErr("")
	api, base := m.Ctx.API, m.Ctx.Base
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
		if m.creds != nil {
			m.creds.Clear("password")
		}
		if m.codes != nil {
			m.codes.Clear("code")
		}
		s := &common.Session{
			API: msg.api.WithToken(r.Token), TokenID: r.TokenID, User: r.User,
			IdleTimeout: r.IdleTimeout.Std(), EnrollOnly: r.EnrollOnly,
			SignInNote: client.LastSignInLines(r, m.Ctx.Loc, m.Ctx.SeeEvents()), FailedSignIns: r.FailedSignIns,
		}
		return common.Cmd(common.LoggedInMsg{Session: s})
	}
	if d, ok := common.RetryAfter(err); ok {
		m.retryAt = m.Ctx.Now().Add(d)
		if f := m.form(); f != nil {
			f.SetErr("")
		}
		return m.tick()
	}
	e, isAPI := client.AsError(err)
	if msg.key {
		return m.keyDone(err, e, isAPI)
	}
	switch {
	case client.IsUnreachable(err):
		m.form().SetErr("Cannot reach the server at " + m.Ctx.API.Server() + ". Is it running, and is the address right?")
	case isAPI && e.Type == wire.ErrTwoFactorRequired && m.step == stepPassword:
		m.step = stepCode
		m.codeForm(m.keys.Back)
		return m.codes.Init()
	case isAPI && e.Type == wire.ErrTwoFactorRequired:
		_, text, clock := common.CodeError(err)
		if clock && !m.backup {
			m.advice = ClockAdvice
		}
		m.codes.Clear("code")
		return m.codes.Fail("code", text)
	case isAPI && e.Type == wire.ErrInvalidAuthentication:
		m.toPassword()
		m.creds.Clear("password")
		return m.creds.Fail("password", "Incorrect username or password.")
	default:
		m.form().SetErr(err.Error())
	}
	return nil
}

// ClockAdvice is the seeds' fix for codes that are refused.
const ClockAdvice = common.ClockAdvice

func (m *Model) tick() tea.Cmd {
	return m.Ctx.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}
