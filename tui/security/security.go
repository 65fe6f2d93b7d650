// Package security is the account security screen: two-factor status and
// the ways to change it (the enrollment wizard, turning it off, new
// backup codes), changing the password, the SSH keys that open the console
// over SSH, and the active sessions with "sign out everywhere". The
// overview, each form, the dialogs and the backup codes are components
// with their own keymaps; the screen routes to the one showing.
package security

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/codes"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/wizard"
)

// Model is the security screen.
type Model struct {
	common.Common
	overview *overview
	page     *page            // a form; nil when none
	dialog   common.Component // a confirmation or the new backup codes
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
		what action
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
	sessionEndedMsg struct {
		session wire.Token
		err     error
	}
)

// New builds the security screen.
func New(ctx *common.Context) *Model {
	m := &Model{Common: common.NewCommon(ctx), overview: newOverview(ctx)}
	m.overview.onStart = m.start
	m.overview.onRemove = func(k wire.SSHKey) tea.Cmd { return m.show(m.confirmRemove(k)) }
	m.overview.onSignOut = func(t wire.Token) tea.Cmd { return m.show(m.confirmSignOut(t)) }
	return m
}

func (m *Model) closePage() tea.Cmd {
	m.page = nil
	return nil
}

// closeDialog closes the dialog; notice (if any) goes under the overview,
// which reloads.
func (m *Model) closeDialog(notice string) tea.Cmd {
	m.dialog = nil
	if notice == "" {
		return nil
	}
	m.overview.notice = notice
	return m.load()
}

func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) load() tea.Cmd {
	st := common.Call(m.Ctx, func(ctx context.Context, api common.API) (*wire.TwoFactorStatus, error) {
		return api.TwoFactorStatus(ctx)
	}, func(s *wire.TwoFactorStatus, err error) tea.Msg { return statusMsg{st: s, err: err} })
	if m.overview.enrollOnly() {
		return st
	}
	toks := common.Call(m.Ctx, func(ctx context.Context, api common.API) ([]wire.Token, error) {
		return api.Tokens(ctx)
	}, func(t []wire.Token, err error) tea.Msg { return sessionsMsg{toks: t, err: err} })
	keys := common.Call(m.Ctx, func(ctx context.Context, api common.API) ([]wire.SSHKey, error) {
		return api.SSHKeys(ctx)
	}, func(k []wire.SSHKey, err error) tea.Msg { return keysMsg{keys: k, err: err} })
	return tea.Batch(st, toks, keys)
}

func (m *Model) SetSize(w, h int) {
	m.Common.SetSize(w, h)
	for _, c := range m.components() {
		c.SetSize(w, h)
	}
}

func (m *Model) components() []common.Component {
	cs := []common.Component{m.overview}
	if m.page != nil {
		cs = append(cs, m.page)
	}
	if m.dialog != nil {
		cs = append(cs, m.dialog)
	}
	return cs
}

// active is the component that has the keyboard (no allocation: it is
// asked on every key press and every frame).
func (m *Model) active() common.Component {
	switch {
	case m.dialog != nil:
		return m.dialog
	case m.page != nil:
		return m.page
	}
	return m.overview
}

// Capturing: forms and dialogs keep the keyboard.
func (m *Model) Capturing() bool { return m.page != nil || m.dialog != nil }

func (m *Model) ShortHelp() []key.Binding  { return m.active().ShortHelp() }
func (m *Model) FullHelp() [][]key.Binding { return m.active().FullHelp() }
func (m *Model) View() string              { return m.active().View() }

// show opens a form or a dialog over the overview.
func (m *Model) show(c common.Component) tea.Cmd {
	c.SetSize(m.Width, m.Height)
	if p, ok := c.(*page); ok {
		m.page = p
	} else {
		m.dialog = c
	}
	return c.Init()
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	o := m.overview
	switch msg := msg.(type) {
	case common.ThemeMsg:
		if m.page != nil {
			m.page.form.Restyle()
		}
		if c, ok := m.dialog.(*codes.Model); ok {
			c.Restyle()
		}
		return m, nil
	case common.RefreshMsg:
		if m.page == nil && m.dialog == nil {
			return m, m.load()
		}
		return m, nil
	case common.AccountEventsMsg:
		// 2FA, sessions and keys changed elsewhere show here at once; a
		// hidden tab waits to be shown (showing it reloads it), unless a
		// page or dialog is open on it, which showing does not reload.
		if msg.Shown || m.page != nil || m.dialog != nil {
			return m, m.load()
		}
		return m, nil
	case common.OnlineMsg:
		return m, m.load()
	case statusMsg:
		if msg.err != nil {
			if text := common.LoadError(msg.err, o.status != nil); text != "" {
				o.err = text
			}
			return m, nil
		}
		o.status = msg.st
		o.sync()
		return m, nil
	case sessionsMsg:
		if msg.err == nil {
			o.sessions = o.sessions[:0]
			for _, t := range msg.toks {
				if t.Kind == wire.KindSession && t.State == wire.StateActive {
					o.sessions = append(o.sessions, t)
				}
			}
			o.apiTokens = client.ActiveAPITokens(msg.toks)
			o.sync()
		}
		return m, nil
	case sessionEndedMsg:
		return m, m.sessionSignedOut(msg)
	case keysMsg:
		if msg.err != nil {
			if text := common.LoadError(msg.err, o.sshKeys != nil); text != "" {
				o.keysErr = text
			}
			return m, nil
		}
		o.sshKeys, o.keysErr = msg.keys, ""
		o.sync()
		return m, nil
	case keyAddedMsg:
		return m, m.keyAdded(msg)
	case keyRemovedMsg:
		return m, m.keyRemoved(msg)
	case doneMsg:
		return m, m.done(msg)
	case profileMsg:
		return m, m.profileSaved(msg)
	case regenMsg:
		if m.page == nil {
			return m, nil
		}
		if msg.err != nil {
			return m, m.page.failed(msg.err, "password")
		}
		m.page = nil
		return m, m.show(codes.New(m.Ctx, msg.resp.BackupCodes, func() tea.Cmd {
			return m.closeDialog("New backup codes saved; the old ones no longer work.")
		}).WithTitle("Your new backup codes"))
	case tea.KeyPressMsg, tea.PasteMsg:
		_, cmd := m.active().Update(msg)
		return m, cmd
	}
	// Anything else (a form's own messages) goes to the form.
	if m.page != nil {
		_, cmd := m.page.Update(msg)
		return m, cmd
	}
	return m, nil
}

// LeaveWarning: new backup codes on the screen, not saved yet, ask before
// the console is left.
func (m *Model) LeaveWarning() string {
	if c, ok := m.dialog.(*codes.Model); ok && !c.Saved() {
		return "These backup codes are shown only now, and the old ones no longer work. Without them, a lost phone locks you out of your account."
	}
	return ""
}

func (m *Model) start(a action) tea.Cmd {
	o := m.overview
	on := o.status != nil && o.status.State == "on"
	o.err = ""
	switch a {
	case actEnable, actReenroll:
		return m.Ctx.Open(wizard.New(m.Ctx, a == actReenroll, m.overview.apiTokens))
	case actDisable:
		if o.status.RequiredByOrg {
			o.notice = "Your organisation requires two-factor authentication, so it cannot be turned off."
			return nil
		}
		return m.show(m.disablePage())
	case actRegen:
		return m.show(m.regenPage())
	case actPassword:
		return m.show(m.passwordPage(on))
	case actProfile:
		return m.show(m.profilePage(on))
	case actSignOut:
		return m.show(common.NewConfirm(m.Ctx, "Sign out everywhere?", "yes, sign out everywhere",
			func() tea.Cmd {
				return common.CallEnding(m.Ctx, false, func(ctx context.Context, api common.API) (*wire.RevokeResponse, error) {
					return api.RevokeAll(ctx, wire.RevokeAllRequest{Kind: wire.KindSession})
				}, func(r *wire.RevokeResponse, err error) tea.Msg { return doneMsg{resp: r, err: err, what: actSignOut} })
			},
			func() tea.Cmd { return m.closeDialog("") }).
			Note("Every session of yours ends — other computers, SSH sessions and this console. API tokens keep working; revoke them on the Tokens tab.").
			Busy("Signing out…"))
	case actAddKey:
		return m.show(m.addKeyPage(on))
	}
	return nil
}

func (m *Model) done(msg doneMsg) tea.Cmd {
	if msg.err != nil {
		if msg.what == actSignOut {
			m.dialog = nil
			m.overview.notice = "Could not sign out everywhere: " + common.ErrorText(msg.err) + "."
			return nil
		}
		if m.page == nil {
			return nil
		}
		pass := "password"
		if msg.what == actPassword {
			pass = "current"
		}
		return m.page.failed(msg.err, pass)
	}
	var reason string
	ended := client.EndedSummary(msg.resp.Ended, common.RotateHint)
	switch msg.what {
	case actPassword:
		reason = "Your password was changed. " + ended + " Sign in with the new password."
	case actDisable:
		reason = "Two-factor authentication is off. " + ended + " Sign in with your password."
	case actSignOut:
		reason = "You signed out everywhere (" + plural(msg.resp.Revoked, "session") + " ended)."
	}
	if msg.resp.LoggedOut || msg.what != actSignOut {
		return common.EndOwn(m.Ctx, reason)
	}
	m.dialog, m.overview.notice = nil, reason
	return m.load()
}
