package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/tui/activity"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/login"
	"github.com/latch-dev/latch/tui/projects"
	"github.com/latch-dev/latch/tui/security"
	"github.com/latch-dev/latch/tui/tokens"
)

// signIn asks the host (OnSignIn) before opening the session: a refused
// session is logged out and the console ends.
func (m *Model) signIn(s *common.Session) tea.Cmd {
	if h := m.opts.OnSignIn; h != nil {
		if err := h(SignIn{User: s.User, TokenID: s.TokenID, API: s.API}); err != nil {
			m.quitting = true
			return tea.Sequence(logoutCmd(m.ctx.Base, s.API), tea.Quit)
		}
	}
	return m.loggedInAs(s)
}

// loggedInAs opens the screens of a new session. Screens are built anew
// for each session so nothing of one person's state outlives it.
func (m *Model) loggedInAs(s *common.Session) tea.Cmd {
	m.ctx.Session = s
	m.ctx.Touch(m.ctx.Now())
	m.ctx.Username = s.User.Username
	if p := m.ctx.Persist; p != nil {
		_ = p.SaveUsername(s.User.Username) // a convenience; never worth failing a login
	}
	m.front = nil
	m.overlay = nil
	m.history = nil
	m.tabs = [tabCount]common.Screen{
		projects.New(m.ctx),
		tokens.New(m.ctx),
		security.New(m.ctx),
		activity.New(m.ctx),
	}
	m.tab = tabProjects
	m.note = s.SignInNote
	if s.EnrollOnly {
		m.tab = tabSecurity
		m.setFlash(enrollOnlyText, true)
	}
	m.layout()
	m.disarm()
	m.stateSeen = false
	cmds := []tea.Cmd{m.refreshWho(), m.startLive(), m.loadCurrentProject()}
	for _, t := range m.tabs {
		cmds = append(cmds, t.Init())
	}
	return tea.Batch(cmds...)
}

// endSession returns to the login screen with reason; logout revokes the
// token first when the console itself ends the session. After an end the
// person did not ask for, the login screen waits for enter before it takes
// keys.
func (m *Model) endSession(reason string, logout, unexpected bool) tea.Cmd {
	var cmd tea.Cmd
	if s := m.ctx.Session; s != nil && logout {
		cmd = logoutCmd(m.ctx.Base, s.API)
	}
	m.stopLive()
	m.ctx.Session = nil
	if m.ctx.Remote {
		m.ctx.Project = nil // the account's, and the next sign-in may be another's
	}
	m.tabs = [tabCount]common.Screen{}
	m.overlay = nil
	m.ask = nil
	m.history = nil
	m.fullHelp = false
	m.disarm()
	m.flash, m.expiring = "", 0
	m.front = login.New(m.ctx, reason)
	if unexpected {
		m.front = login.NewInterrupted(m.ctx, reason)
	}
	m.layout()
	return cmd
}

func logoutCmd(base context.Context, api common.API) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, 3*time.Second)
		defer cancel()
		_ = api.Logout(ctx) // the token may already be gone; the person is logged out either way
		return nil
	}
}

// idleRemaining is the time left before the server's inactivity limit
// ends the session, counted from the last call the server saw.
func (m *Model) idleRemaining() (time.Duration, bool) {
	s := m.ctx.Session
	if s == nil || s.IdleTimeout <= 0 || s.Ended {
		return 0, false
	}
	return s.IdleTimeout - m.ctx.Now().Sub(m.ctx.LastTouch()), true
}

// quit ends the program, logging out the console's own session.
func (m *Model) quit() tea.Cmd {
	m.quitting = true
	m.stopLive()
	if s := m.ctx.Session; s != nil && !s.External {
		return tea.Sequence(logoutCmd(m.ctx.Base, s.API), tea.Quit)
	}
	return tea.Quit
}
