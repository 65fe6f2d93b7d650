// Package wizard walks a person through turning on two-factor
// authentication the way the seeds do: (1) pick an authenticator app,
// (2) enter the current password, (3) scan the QR code or type the secret,
// (4) enter a 6-digit code, (5) keep the backup codes, (6) finish and log
// out. Esc goes back a step. Its inputs are forms of the console's form
// engine; its keys come from its keymap.
package wizard

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/codes"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/form"
)

// Steps of the wizard.
const (
	StepApp = iota
	StepPassword
	StepScan
	StepVerify
	StepBackup
	StepFinish
)

var stepNames = []string{"App", "Password", "Scan", "Verify", "Backup codes", "Finish"}

// Apps offered in step 1; any TOTP app works.
var Apps = []string{"Google Authenticator", "Microsoft Authenticator", "Authy", "1Password", "Another TOTP app"}

type keyMap struct {
	Up, Down, Choose, Cancel key.Binding // step 1
	Again                    key.Binding // the password step, once accepted
	TypeCode, Invert         key.Binding // the scan step
	Back                     key.Binding
	Finish                   key.Binding
}

// Model is the wizard.
type Model struct {
	common.Common
	keys     keyMap
	step     int
	app      int
	reenroll bool
	reauth   wire.ReauthRequest // the password (and current code when re-enrolling)
	pass     *form.Form
	code     string // the new code
	revoke   bool   // revoke the API tokens too (a credentials change)
	ended    *wire.Ended
	verify   *form.Form
	enroll   *wire.EnrollResponse // the pending secret, kept when going back
	codes    *codes.Model
	err      string
	advice   bool
	busy     bool
	flip     bool // the person inverted the QR code (i)
}

type (
	enrolledMsg struct {
		resp *wire.EnrollResponse
		err  error
	}
	confirmedMsg struct {
		resp *wire.BackupCodesResponse
		err  error
	}
)

// New starts the wizard; reenroll asks for the current code as well
// (2FA is already on and this replaces it). apiTokens, the active API
// tokens, are offered for revoking with the code: turning 2FA on is a
// credentials change.
func New(ctx *common.Context, reenroll bool, apiTokens int) *Model {
	m := &Model{Common: common.NewCommon(ctx), reenroll: reenroll}
	m.keys = keyMap{
		// One help entry for the pair: the arrows choose.
		Up:       common.Bind("↑/↓", "choose", "up", "k"),
		Down:     key.NewBinding(key.WithKeys("down", "j")),
		Choose:   common.Bind("enter", "next", "enter"),
		Cancel:   common.Bind("esc", "cancel", "esc"),
		Again:    common.Bind("enter", "to the same QR code", "enter"),
		TypeCode: common.Bind("enter", "next", "enter"),
		Invert:   common.Bind("i", "invert the code", "i"),
		Back:     common.Bind("esc", "back", "esc"),
		Finish:   common.Bind("enter", "finish & log out", "enter"),
	}
	keys := form.NewKeyMap("next")
	keys.Cancel = m.keys.Back
	keys.Save.SetEnabled(false) // one field a step: enter is enough
	m.pass = form.New(ctx, keys,
		form.Text("password", "Password", &m.reauth.Password).Secret().Placeholder("your current password"),
		form.Text("code", "Code", &m.reauth.Code).Placeholder("current 6-digit or backup code").
			When(func() bool { return m.reenroll }),
	)
	m.verify = form.New(ctx, keys,
		form.Text("code", "Code", &m.code).Placeholder("6-digit code from the app").Limit(7),
		form.Check("revoke", client.RevokeTokensChoice(apiTokens), &m.revoke).When(func() bool { return apiTokens > 0 }),
	)
	return m
}

// Step is the current step (tests).
func (m *Model) Step() int { return m.step }

func (m *Model) Init() tea.Cmd { return nil }

func (m *Model) SetSize(w, h int) {
	m.Common.SetSize(w, h)
	m.pass.SetSize(w, max(3, h-6))
	m.verify.SetSize(w, max(3, h-6))
	if m.codes != nil {
		m.codes.SetSize(w, h)
	}
}

// Capturing: every step but the first holds a text field or must not be
// left by a stray key.
func (m *Model) Capturing() bool { return m.step != StepApp }

// form is the step's form, if it has one. The password step has none
// once the password was accepted: the secret made then is kept.
func (m *Model) form() *form.Form {
	switch m.step {
	case StepPassword:
		if m.enroll != nil {
			return nil
		}
		return m.pass
	case StepVerify:
		return m.verify
	}
	return nil
}

func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.busy {
		return nil
	}
	if f := m.form(); f != nil {
		return f.ShortHelp()
	}
	switch m.step {
	case StepApp:
		return common.Helpful(k.Up, k.Down, k.Choose, k.Cancel)
	case StepPassword:
		return []key.Binding{k.Again, k.Back}
	case StepScan:
		if m.Ctx.NoColor {
			return []key.Binding{k.TypeCode, k.Invert, k.Back}
		}
		return []key.Binding{k.TypeCode, k.Back}
	case StepBackup:
		return m.codes.ShortHelp()
	}
	return []key.Binding{k.Finish}
}

func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		m.pass.Restyle()
		m.verify.Restyle()
		if m.codes != nil {
			m.codes.Restyle()
		}
	case enrolledMsg:
		return m, m.enrolled(msg)
	case confirmedMsg:
		return m, m.confirmed(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	default:
		// A paste, or a form's own messages.
		if f := m.form(); f != nil {
			return m, f.Update(msg)
		}
		if m.step == StepBackup {
			_, cmd := m.codes.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.busy {
		return nil
	}
	m.err = "" // an error is about the last action, not the next one
	if f := m.form(); f != nil {
		switch {
		case f.Cancels(msg):
			return m.back()
		case f.Submits(msg):
			if m.step == StepPassword {
				return m.submitPassword()
			}
			return m.submitCode()
		}
		return f.Update(msg)
	}
	switch m.step {
	case StepApp:
		switch {
		case key.Matches(msg, k.Up):
			m.app = max(0, m.app-1)
		case key.Matches(msg, k.Down):
			m.app = min(len(Apps)-1, m.app+1)
		case key.Matches(msg, k.Choose):
			m.step = StepPassword
			return m.pass.Init()
		case key.Matches(msg, k.Cancel):
			return m.Ctx.Close()
		}
	case StepPassword: // accepted before: the same secret
		switch {
		case key.Matches(msg, k.Again):
			m.step = StepScan
		case key.Matches(msg, k.Back):
			return m.back()
		}
	case StepScan:
		switch {
		case key.Matches(msg, k.TypeCode):
			m.step = StepVerify
			m.verify.Clear("code")
			m.verify.SetErr("")
			return m.verify.Init()
		case key.Matches(msg, k.Invert) && m.Ctx.NoColor:
			m.flip = !m.flip
		case key.Matches(msg, k.Back):
			return m.back()
		}
	case StepBackup:
		if key.Matches(msg, k.Back) && !m.codes.Editing() {
			return m.back()
		}
		_, cmd := m.codes.Update(msg)
		return cmd
	case StepFinish:
		switch {
		case key.Matches(msg, k.Finish):
			return common.Cmd(common.SessionEndedMsg{Logout: true,
				Reason: "Two-factor authentication is on. " + client.EndedSummary(m.ended, common.RotateHint) +
					" Sign in again with your password and a code from " + Apps[m.app] + "."})
		case key.Matches(msg, k.Back):
			return m.back()
		}
	}
	return nil
}

func (m *Model) back() tea.Cmd {
	m.err, m.advice = "", false
	switch m.step {
	case StepPassword:
		m.step = StepApp
	case StepScan:
		// The password was accepted and the secret made: going back
		// keeps both, so a code from the phone set up meanwhile works.
		m.step = StepPassword
	case StepVerify:
		m.step = StepScan
	case StepBackup, StepFinish:
		// 2FA is on already: the codes must be kept, there is no way back.
		m.err = "Two-factor authentication is already on: save your backup codes and finish."
	}
	return nil
}

func (m *Model) submitPassword() tea.Cmd {
	req := wire.ReauthRequest{Password: m.reauth.Password, Code: strings.TrimSpace(m.reauth.Code)}
	if req.Password == "" {
		return m.pass.Fail("password", "Enter your current password.")
	}
	m.busy = true
	m.pass.SetErr("")
	return common.CallReauth(m.Ctx, func(ctx context.Context, api common.API) (*wire.EnrollResponse, error) {
		return api.Enroll(ctx, req)
	}, func(r *wire.EnrollResponse, err error) tea.Msg { return enrolledMsg{resp: r, err: err} })
}

func (m *Model) enrolled(msg enrolledMsg) tea.Cmd {
	m.busy = false
	if msg.err != nil {
		field, text := "password", common.ErrorSentence(msg.err)
		switch e, ok := client.AsError(msg.err); {
		case ok && e.Type == wire.ErrInvalidAuthentication:
			text = "That password is not correct."
		case ok && e.Type == wire.ErrTwoFactorRequired:
			field, text, _ = common.CodeError(msg.err)
			m.pass.Clear("code")
			return m.pass.Fail(field, text)
		}
		m.pass.Clear("password")
		m.pass.Clear("code")
		return m.pass.Fail(field, text)
	}
	m.enroll = msg.resp
	m.step = StepScan
	return nil
}

func (m *Model) submitCode() tea.Cmd {
	code := strings.ReplaceAll(strings.TrimSpace(m.code), " ", "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		m.advice = false
		return m.verify.Fail("code", "Enter the 6 digits your app shows for latch.")
	}
	m.busy, m.advice = true, false
	m.verify.SetErr("")
	return common.CallEnding(m.Ctx, false, func(ctx context.Context, api common.API) (*wire.BackupCodesResponse, error) {
		return api.ConfirmEnrollment(ctx, wire.ConfirmRequest{Code: code, RevokeTokens: m.revoke})
	}, func(r *wire.BackupCodesResponse, err error) tea.Msg { return confirmedMsg{resp: r, err: err} })
}

func (m *Model) confirmed(msg confirmedMsg) tea.Cmd {
	m.busy = false
	if msg.err != nil {
		text := "That code was not accepted."
		m.advice = true
		if e, ok := client.AsError(msg.err); ok && e.Type != wire.ErrInvalidInput {
			text, m.advice = common.ErrorSentence(msg.err), e.Type == wire.ErrTwoFactorRequired
			if m.advice {
				_, text, m.advice = common.CodeError(msg.err)
			}
		} else if !ok {
			text, m.advice = common.ErrorSentence(msg.err), false
		}
		m.verify.Clear("code")
		return m.verify.Fail("code", text)
	}
	if s := m.Ctx.Session; s != nil && msg.resp.LoggedOut {
		// Every session ended with this credentials change; the wizard
		// still shows the codes, but nothing may call the server now.
		s.Ended = true
	}
	m.enroll = nil // the secret is not needed any more
	m.ended = msg.resp.Ended
	m.codes = codes.New(m.Ctx, msg.resp.BackupCodes, func() tea.Cmd {
		m.step = StepFinish
		return nil
	})
	m.codes.SetSize(m.Width, m.Height)
	m.step = StepBackup
	return nil
}

// LeaveWarning: with 2FA on and the backup codes not saved, leaving asks
// first.
func (m *Model) LeaveWarning() string {
	if m.step == StepBackup && m.codes != nil && !m.codes.Saved() {
		return "Two-factor authentication is on, and these backup codes are shown only now. Without them, a lost phone locks you out of your account."
	}
	return ""
}

// invertQR: without colours the code takes the terminal's own: drawn as
// it is for a dark background, inverted for a light one (as the terminal
// reported it; for a dark one when it did not), and i inverts it again.
func (m *Model) invertQR() bool {
	if !m.Ctx.NoColor {
		return false // drawn in its own colours, dark on light, anywhere
	}
	light := m.Ctx.BackgroundKnown && !m.Ctx.Styles.Dark
	return light != m.flip
}
