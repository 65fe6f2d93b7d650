// Package security is the account security screen: two-factor status and
// the ways to change it (the enrollment wizard, turning it off, new
// backup codes), changing the password, the SSH keys that open the console
// over SSH, and the active sessions with "sign out everywhere".
package security

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/codes"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/wizard"
)

type mode int

const (
	modeList mode = iota
	modePassword
	modeDisable
	modeRegen
	modeCodes
	modeSignOut
	modeAddKey
	modeRemoveKey
)

type action int

const (
	actEnable action = iota
	actDisable
	actRegen
	actReenroll
	actPassword
	actSignOut
	actAddKey
)

var actionLabels = map[action]string{
	actEnable:   "Enable two-factor authentication",
	actDisable:  "Turn off two-factor authentication",
	actRegen:    "Regenerate backup codes",
	actReenroll: "Move 2FA to a new phone (new QR code)",
	actPassword: "Change password",
	actSignOut:  "Sign out everywhere",
	actAddKey:   "Add an SSH key",
}

// Model is the security screen.
type Model struct {
	ctx      *common.Context
	mode     mode
	cursor   int
	status   *wire.TwoFactorStatus
	sessions []wire.Token
	sshKeys  []wire.SSHKey
	keysErr  string
	removing *wire.SSHKey // the key asked about in modeRemoveKey
	form     common.Form
	codes    *codes.Model
	busy     bool
	err      string
	notice   string
	width    int
	height   int
}

type (
	statusMsg struct {
		st  *wire.TwoFactorStatus
		err error
	}
	sessionsMsg struct {
		toks []wire.Token
		err  error
	}
	doneMsg struct {
		resp *wire.RevokeResponse
		err  error
		what mode
	}
	regenMsg struct {
		resp *wire.BackupCodesResponse
		err  error
	}
	keysMsg struct {
		keys []wire.SSHKey
		err  error
	}
	keyAddedMsg struct {
		key *wire.SSHKey
		err error
	}
	keyRemovedMsg struct {
		fingerprint string
		err         error
	}
)

// New builds the security screen.
func New(ctx *common.Context) *Model { return &Model{ctx: ctx} }

func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	st := common.Call(m.ctx, func(ctx context.Context, api common.API) (*wire.TwoFactorStatus, error) {
		return api.TwoFactorStatus(ctx)
	}, func(s *wire.TwoFactorStatus, err error) tea.Msg { return statusMsg{st: s, err: err} })
	if m.ctx.Session != nil && m.ctx.Session.EnrollOnly {
		return st
	}
	toks := common.Call(m.ctx, func(ctx context.Context, api common.API) ([]wire.Token, error) {
		return api.Tokens(ctx)
	}, func(t []wire.Token, err error) tea.Msg { return sessionsMsg{toks: t, err: err} })
	keys := common.Call(m.ctx, func(ctx context.Context, api common.API) ([]wire.SSHKey, error) {
		return api.SSHKeys(ctx)
	}, func(k []wire.SSHKey, err error) tea.Msg { return keysMsg{keys: k, err: err} })
	return tea.Batch(st, toks, keys)
}

func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.form.SetWidth(w)
}

func (m *Model) Capturing() bool { return m.mode != modeList }

// actions are what the person can do now.
func (m *Model) actions() []action {
	if m.status == nil {
		return nil
	}
	if m.ctx.Session != nil && m.ctx.Session.EnrollOnly {
		return []action{actEnable}
	}
	if m.status.State == "on" {
		return []action{actDisable, actRegen, actReenroll, actPassword, actSignOut, actAddKey}
	}
	return []action{actEnable, actPassword, actSignOut, actAddKey}
}

// items is the number of rows the cursor moves over: the actions, then
// the SSH keys.
func (m *Model) items() int { return len(m.actions()) + len(m.sshKeys) }

// keyAt is the SSH key under the cursor, nil when the cursor is on an
// action.
func (m *Model) keyAt() *wire.SSHKey {
	i := m.cursor - len(m.actions())
	if i < 0 || i >= len(m.sshKeys) || m.status == nil {
		return nil
	}
	return &m.sshKeys[i]
}

func (m *Model) ShortHelp() []key.Binding {
	switch m.mode {
	case modeCodes:
		return m.codes.Keys()
	case modeSignOut:
		return []key.Binding{common.Bind("y", "yes, sign out everywhere", "y"), common.Bind("n/esc", "cancel", "n")}
	case modeRemoveKey:
		return []key.Binding{common.Bind("y", "yes, remove the key", "y"), common.Bind("n/esc", "cancel", "n")}
	case modeAddKey:
		return []key.Binding{common.Bind("paste", "the .pub line", "enter"), common.Bind("enter", "add", "enter"), common.Bind("esc", "cancel", "esc")}
	case modeList:
		if m.keyAt() != nil {
			return []key.Binding{common.Bind("↑/↓", "choose", "up"), common.Bind("enter/x", "remove key", "enter"), common.Bind("r", "reload", "r")}
		}
		return []key.Binding{common.Bind("↑/↓", "choose", "up"), common.Bind("enter", "do it", "enter"), common.Bind("r", "reload", "r")}
	}
	return []key.Binding{common.Bind("tab", "next field", "tab"), common.Bind("space", "tick", "space"),
		common.Bind("enter", "next / submit", "enter"), common.Bind("esc", "cancel", "esc")}
}

func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		m.form.Restyle(m.ctx.Styles)
		if m.codes != nil {
			m.codes.Restyle()
		}
	case common.RefreshMsg:
		if m.mode == modeList {
			return m, m.load()
		}
	case statusMsg:
		if msg.err != nil {
			m.err = msg.err.Error()
			return m, nil
		}
		m.status = msg.st
		m.cursor = min(m.cursor, max(0, m.items()-1))
	case sessionsMsg:
		if msg.err == nil {
			m.sessions = m.sessions[:0]
			for _, t := range msg.toks {
				if t.Kind == wire.KindSession && t.State == wire.StateActive {
					m.sessions = append(m.sessions, t)
				}
			}
		}
	case keysMsg:
		if msg.err != nil {
			m.keysErr = msg.err.Error()
			return m, nil
		}
		m.sshKeys, m.keysErr = msg.keys, ""
		m.cursor = min(m.cursor, max(0, m.items()-1))
	case keyAddedMsg:
		m.busy = false
		if msg.err != nil {
			m.form.Err = keyError(msg.err)
			if e, ok := common.AsAPIError(msg.err); ok {
				switch e.Type {
				case wire.ErrInvalidAuthentication:
					m.form.Err = reauthError(msg.err)
					m.form.Fields[1].Input.SetValue("")
					return m, m.form.FocusField(1)
				case wire.ErrTwoFactorRequired:
					m.form.Err = reauthError(msg.err)
					m.form.Fields[2].Hidden = false
					return m, m.form.FocusField(2)
				}
			}
			return m, nil
		}
		m.mode = modeList
		m.notice = "Added SSH key " + keyLabel(*msg.key) + ": `ssh` to this server with it opens the console without your password."
		return m, m.load()
	case keyRemovedMsg:
		m.busy, m.mode, m.removing = false, modeList, nil
		if msg.err != nil {
			m.notice = "Could not remove the key: " + msg.err.Error()
			return m, nil
		}
		m.notice = "Removed SSH key " + msg.fingerprint + "."
		return m, m.load()
	case doneMsg:
		return m, m.done(msg)
	case regenMsg:
		m.busy = false
		if msg.err != nil {
			m.form.Err = reauthError(msg.err)
			return m, nil
		}
		m.codes = codes.New(m.ctx, msg.resp.BackupCodes)
		m.mode = modeCodes
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		if m.mode == modePassword || m.mode == modeDisable || m.mode == modeRegen || m.mode == modeAddKey {
			cmd, _ := m.form.Update(msg)
			return m, cmd
		}
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.busy {
		return nil
	}
	switch m.mode {
	case modeList:
		return m.listKey(msg)
	case modeCodes:
		cmd, done := m.codes.Update(msg)
		if done {
			m.codes, m.mode = nil, modeList
			m.notice = "New backup codes saved; the old ones no longer work."
			return m.load()
		}
		return cmd
	case modeSignOut:
		switch msg.String() {
		case "y":
			m.busy = true
			return common.Call(m.ctx, func(ctx context.Context, api common.API) (*wire.RevokeResponse, error) {
				return api.RevokeAll(ctx, wire.RevokeAllRequest{Kind: wire.KindSession})
			}, func(r *wire.RevokeResponse, err error) tea.Msg { return doneMsg{resp: r, err: err, what: modeSignOut} })
		case "n", "esc":
			m.mode = modeList
		}
		return nil
	case modeRemoveKey:
		switch msg.String() {
		case "y":
			m.busy = true
			fp := m.removing.Fingerprint
			return common.Call(m.ctx, func(ctx context.Context, api common.API) (struct{}, error) {
				return struct{}{}, api.RemoveSSHKey(ctx, fp)
			}, func(_ struct{}, err error) tea.Msg { return keyRemovedMsg{fingerprint: fp, err: err} })
		case "n", "esc":
			m.mode, m.removing = modeList, nil
		}
		return nil
	}
	if msg.String() == "esc" {
		m.mode, m.err = modeList, ""
		return nil
	}
	cmd, submit := m.form.Update(msg)
	if submit {
		return m.submit()
	}
	return cmd
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	acts := m.actions()
	m.notice = ""
	switch msg.String() {
	case "up", "k":
		m.cursor = max(0, m.cursor-1)
	case "down", "j":
		m.cursor = max(0, min(m.items()-1, m.cursor+1))
	case "r":
		return m.load()
	case "esc":
		return common.Cmd(common.BackMsg{})
	case "x", "delete", "backspace":
		if k := m.keyAt(); k != nil {
			m.removing, m.mode = k, modeRemoveKey
		}
	case "enter":
		if k := m.keyAt(); k != nil {
			m.removing, m.mode = k, modeRemoveKey
			return nil
		}
		if m.cursor >= len(acts) {
			return nil
		}
		return m.start(acts[m.cursor])
	}
	return nil
}

func (m *Model) start(a action) tea.Cmd {
	s := m.ctx.Styles
	on := m.status != nil && m.status.State == "on"
	m.err = ""
	switch a {
	case actEnable, actReenroll:
		return common.Cmd(common.PushMsg{Screen: wizard.New(m.ctx, a == actReenroll)})
	case actDisable:
		if m.status.RequiredByOrg {
			m.notice = "Your organisation requires two-factor authentication, so it cannot be turned off."
			return nil
		}
		m.mode = modeDisable
		m.form = common.Form{Fields: []common.Field{
			common.TextField(s, "Password", "your current password", true),
			common.TextField(s, "Code", "6-digit code or a backup code", false),
			common.CheckField("Also revoke my API tokens (stops running jobs and transfers)"),
		}}
	case actRegen:
		m.mode = modeRegen
		m.form = common.Form{Fields: []common.Field{
			common.TextField(s, "Password", "your current password", true),
			common.TextField(s, "Code", "6-digit code or a backup code", false),
		}}
	case actPassword:
		m.mode = modePassword
		code := common.TextField(s, "Code", "6-digit code or a backup code", false)
		code.Hidden = !on
		m.form = common.Form{Fields: []common.Field{
			common.TextField(s, "Current", "your current password", true),
			common.TextField(s, "New", "at least 8 characters", true),
			common.TextField(s, "Again", "the new password again", true),
			code,
			common.CheckField("Also revoke my API tokens (stops running jobs and transfers)"),
		}}
	case actSignOut:
		m.mode = modeSignOut
		return nil
	case actAddKey:
		m.mode = modeAddKey
		f := common.TextField(s, "Key", "ssh-ed25519 AAAA… you@laptop", false)
		f.Input.CharLimit = 16 << 10
		code := common.TextField(s, "Code", "6-digit code or a backup code", false)
		code.Hidden = !on
		m.form = common.Form{Fields: []common.Field{f, common.TextField(s, "Password", "your current password", true), code}}
	}
	m.form.SetWidth(m.width)
	return m.form.Start()
}
