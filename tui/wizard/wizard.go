// Package wizard walks a person through turning on two-factor
// authentication the way the seeds do: (1) pick an authenticator app,
// (2) enter the current password, (3) scan the QR code or type the secret,
// (4) enter a 6-digit code, (5) keep the backup codes, (6) finish and log
// out. Esc goes back a step.
package wizard

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/codes"
	"github.com/latch-dev/latch/tui/common"
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

// Model is the wizard.
type Model struct {
	ctx    *common.Context
	step   int
	app    int
	reauth common.Form // password (and current code when re-enrolling)
	code   common.Form // the new code
	enroll *wire.EnrollResponse
	codes  *codes.Model
	err    string
	advice bool
	busy   bool
	width  int
	height int
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
// (2FA is already on and this replaces it).
func New(ctx *common.Context, reenroll bool) *Model {
	s := ctx.Styles
	m := &Model{ctx: ctx}
	m.reauth.Fields = []common.Field{
		common.TextField(s, "Password", "your current password", true),
		common.TextField(s, "Code", "current 6-digit or backup code", false),
	}
	m.reauth.Fields[1].Hidden = !reenroll
	m.code.Fields = []common.Field{common.TextField(s, "Code", "6-digit code from the app", false)}
	m.code.Fields[0].Input.CharLimit = 7
	return m
}

// Step is the current step (tests).
func (m *Model) Step() int { return m.step }

func (m *Model) Init() tea.Cmd { return nil }

func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.reauth.SetWidth(w)
	m.code.SetWidth(w)
}

// Capturing: every step but the first holds a text field or must not be
// left by a stray key.
func (m *Model) Capturing() bool { return m.step != StepApp }

func (m *Model) ShortHelp() []key.Binding {
	enter := common.Bind("enter", "next", "enter")
	esc := common.Bind("esc", "back", "esc")
	switch m.step {
	case StepApp:
		return []key.Binding{common.Bind("↑/↓", "choose", "up"), enter, common.Bind("esc", "cancel", "esc")}
	case StepBackup:
		if m.codes != nil {
			return m.codes.Keys()
		}
	case StepFinish:
		return []key.Binding{common.Bind("enter", "finish & log out", "enter")}
	}
	return []key.Binding{enter, esc}
}

func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		m.reauth.Restyle(m.ctx.Styles)
		m.code.Restyle(m.ctx.Styles)
		if m.codes != nil {
			m.codes.Restyle()
		}
	case enrolledMsg:
		m.busy = false
		if msg.err != nil {
			m.err = msg.err.Error()
			if e, ok := common.AsAPIError(msg.err); ok && e.Type == wire.ErrInvalidAuthentication {
				m.err = "That password is not correct."
			}
			m.reauth.Fields[0].Input.SetValue("")
			m.reauth.Fields[1].Input.SetValue("")
			return m, nil
		}
		m.enroll, m.err = msg.resp, ""
		m.step = StepScan
	case confirmedMsg:
		return m, m.confirmed(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		return m, m.input(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.busy {
		return nil
	}
	if msg.String() == "esc" && !(m.step == StepBackup && m.codes.Editing()) {
		return m.back()
	}
	switch m.step {
	case StepApp:
		switch msg.String() {
		case "up", "k":
			m.app = max(0, m.app-1)
		case "down", "j":
			m.app = min(len(Apps)-1, m.app+1)
		case "enter":
			m.step = StepPassword
			return m.reauth.Start()
		}
		return nil
	case StepScan:
		if msg.String() == "enter" {
			m.step = StepVerify
			m.code.Fields[0].Input.SetValue("")
			return m.code.Start()
		}
		return nil
	case StepFinish:
		if msg.String() == "enter" {
			return common.Cmd(common.SessionEndedMsg{Logout: true,
				Reason: "Two-factor authentication is on. Sign in again with your password and a code from " + Apps[m.app] + "."})
		}
		return nil
	}
	return m.input(msg)
}

// input feeds the current step's fields.
func (m *Model) input(msg tea.Msg) tea.Cmd {
	switch m.step {
	case StepPassword:
		cmd, submit := m.reauth.Update(msg)
		if submit {
			return m.submitPassword()
		}
		return cmd
	case StepVerify:
		cmd, submit := m.code.Update(msg)
		if submit {
			return m.submitCode()
		}
		return cmd
	case StepBackup:
		cmd, done := m.codes.Update(msg)
		if done {
			m.step = StepFinish
		}
		return cmd
	}
	return nil
}

func (m *Model) back() tea.Cmd {
	m.err, m.advice = "", false
	switch m.step {
	case StepApp:
		return common.Cmd(common.PopMsg{})
	case StepPassword:
		m.step = StepApp
	case StepScan:
		m.step = StepPassword
		m.reauth.Fields[0].Input.SetValue("")
		m.reauth.Fields[1].Input.SetValue("")
		return m.reauth.Start()
	case StepVerify:
		m.step = StepScan
	case StepBackup, StepFinish:
		// 2FA is on already: the codes must be kept, there is no way back.
		m.err = "Two-factor authentication is already on: save your backup codes and finish."
	}
	return nil
}

func (m *Model) submitPassword() tea.Cmd {
	req := wire.ReauthRequest{Password: m.reauth.Value(0), Code: strings.TrimSpace(m.reauth.Value(1))}
	if req.Password == "" {
		m.err = "Enter your current password."
		return nil
	}
	m.busy, m.err = true, ""
	return common.CallReauth(m.ctx, func(ctx context.Context, api common.API) (*wire.EnrollResponse, error) {
		return api.Enroll(ctx, req)
	}, func(r *wire.EnrollResponse, err error) tea.Msg { return enrolledMsg{resp: r, err: err} })
}

func (m *Model) submitCode() tea.Cmd {
	code := strings.ReplaceAll(strings.TrimSpace(m.code.Value(0)), " ", "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		m.err = "Enter the 6 digits your app shows for latch."
		return nil
	}
	m.busy, m.err, m.advice = true, "", false
	return common.Call(m.ctx, func(ctx context.Context, api common.API) (*wire.BackupCodesResponse, error) {
		return api.ConfirmEnrollment(ctx, wire.ConfirmRequest{Code: code})
	}, func(r *wire.BackupCodesResponse, err error) tea.Msg { return confirmedMsg{resp: r, err: err} })
}

func (m *Model) confirmed(msg confirmedMsg) tea.Cmd {
	m.busy = false
	if msg.err != nil {
		m.err = "That code was not accepted."
		m.advice = true
		if e, ok := common.AsAPIError(msg.err); ok && e.Type != wire.ErrInvalidInput {
			m.err, m.advice = msg.err.Error(), e.Type == wire.ErrTwoFactorRequired
		}
		m.code.Fields[0].Input.SetValue("")
		return nil
	}
	if s := m.ctx.Session; s != nil && msg.resp.LoggedOut {
		// Every session ended with this credentials change; the wizard
		// still shows the codes, but nothing may call the server now.
		s.Ended = true
	}
	m.enroll = nil // the secret is not needed any more
	m.codes = codes.New(m.ctx, msg.resp.BackupCodes)
	m.step = StepBackup
	return nil
}
