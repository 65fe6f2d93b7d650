package tui

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/login"
)

// Update handles msg, then arms the console's one timer for the next
// moment something on screen changes by itself (wake.go).
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := m.handle(msg)
	if wake := m.rearm(); wake != nil {
		cmd = tea.Batch(cmd, wake)
	}
	return m, cmd
}

func (m *Model) handle(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.ctx.Styles = common.NewStyles(msg.IsDark())
		m.ctx.BackgroundKnown = true
		m.help.Styles = m.ctx.Styles.Help
		return m, m.broadcast(common.ThemeMsg{})
	case tea.ColorProfileMsg:
		m.ctx.NoColor = common.NoColor(msg.Profile)
		return m, m.broadcast(common.ThemeMsg{})
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case common.LoggedInMsg:
		return m, m.signIn(msg.Session)
	case resumeMsg:
		if msg.err != nil {
			reason, ok := common.SessionEnded(msg.err)
			if !ok {
				reason = "Could not open your saved session: " + common.ErrorText(msg.err) + "."
			}
			m.front = login.New(m.ctx, reason)
			m.layout()
			return m, nil
		}
		return m, m.signIn(msg.session)
	case whoamiMsg:
		if msg.err == nil && m.ctx.Session != nil {
			m.ctx.Session.Org = msg.who.Org
			m.ctx.Session.User = msg.who.User
			if msg.who.Token.IdleTimeout > 0 {
				m.ctx.Session.IdleTimeout = msg.who.Token.IdleTimeout.Std()
			}
		}
		return m, nil
	case pingMsg:
		return m, nil
	case common.SessionEndedMsg:
		s := m.ctx.Session
		if s == nil {
			return m, nil // already ended (the stream said so first)
		}
		if msg.Unexpected && (s.Ended || s.Ending()) {
			// A call refused because the console's own action ended the
			// session: that action's answer says so (or shows the codes).
			m.heldEnd = &heldEnd{reason: msg.Reason}
			return m, nil
		}
		return m, m.endSession(msg.Reason, msg.Logout, msg.Unexpected)
	case common.EndingDoneMsg:
		if msg.Session == m.ctx.Session && msg.Session != nil {
			msg.Session.EndingDone()
		}
		_, cmd := m.handle(msg.Msg)
		return m, tea.Batch(cmd, m.releaseHeld())
	case liveMsg:
		return m, m.onLive(msg)
	case idleTickMsg:
		return m, m.idleTick(msg)
	case common.ProjectSelectedMsg:
		return m, m.selectProject(msg.Project)
	case currentProjectMsg:
		m.currentProjectLoaded(msg)
		return m, nil
	case projectKeptMsg:
		m.projectKept(msg)
		return m, nil
	case common.BackMsg:
		return m, m.back()
	case common.ExpiringMsg:
		m.expiring = msg.N
		return m, nil
	case common.FlashMsg:
		m.flash, m.flashErr, m.flashAt = msg.Text, msg.Error, m.ctx.Now()
		return m, nil
	case common.RefreshMsg:
		if m.loggedIn() {
			return m, m.forward(msg)
		}
		return m, nil
	case tea.PasteMsg:
		return m, m.forward(msg)
	}
	// Results of calls go to every screen: the one that made the call may
	// not be the one showing. Their types are private to each screen.
	return m, m.broadcast(msg)
}

// slot is where the active screen is kept.
func (m *Model) slot() *common.Screen {
	switch {
	case m.front != nil:
		return &m.front
	case m.overlay != nil:
		return &m.overlay
	}
	return &m.tabs[m.tab]
}

// forward gives msg to the active screen.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	return m.update(m.slot(), msg)
}

// update gives msg to the screen in slot. The screen may open or close
// the wizard meanwhile (Context.Open, Close): the slot keeps what it holds
// then.
func (m *Model) update(slot *common.Screen, msg tea.Msg) tea.Cmd {
	s := *slot
	if s == nil {
		return nil
	}
	next, cmd := s.Update(msg)
	if *slot == s {
		*slot = next
	}
	return cmd
}

// broadcast gives msg to every screen alive.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	return m.broadcastShown(func(bool) tea.Msg { return msg })
}

// broadcastEvents gives every screen the account's new events, saying to
// each whether it is on screen: a hidden tab need not reload for them,
// since switching to it does.
func (m *Model) broadcastEvents(evs []wire.Event) tea.Cmd {
	return m.broadcastShown(func(shown bool) tea.Msg { return common.AccountEventsMsg{Events: evs, Shown: shown} })
}

// broadcastShown gives every screen alive the message msgFor makes for
// it, told whether that screen is on screen.
func (m *Model) broadcastShown(msgFor func(shown bool) tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range []*common.Screen{&m.front, &m.overlay} {
		cmds = append(cmds, m.update(s, msgFor(true)))
	}
	for i := range m.tabs {
		shown := tab(i) == m.tab && m.front == nil && m.overlay == nil
		cmds = append(cmds, m.update(&m.tabs[i], msgFor(shown)))
	}
	return tea.Batch(cmds...)
}

// openOverlay shows s over the tabs at once (Context.Open).
func (m *Model) openOverlay(s common.Screen) tea.Cmd {
	m.overlay = s
	m.layout()
	return s.Init()
}

// closeOverlay closes it (Context.Close) and has the tab reload.
func (m *Model) closeOverlay() tea.Cmd {
	m.overlay = nil
	m.layout()
	return m.forward(common.RefreshMsg{})
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	if m.note != nil {
		m.note = nil // read: the next key takes it away
		m.layout()
	}
	if m.ask != nil {
		if key.Matches(msg, k.Quit) { // a second ctrl+c: quit after all
			m.ask = nil
			return m.quit()
		}
		_, cmd := m.ask.Update(msg)
		return cmd
	}
	if key.Matches(msg, k.Quit) {
		return m.guarded("quit", m.quit)
	}
	if key.Matches(msg, k.HelpF1) {
		m.toggleHelp()
		return nil
	}
	keepAlive := m.keepAlive()
	s := m.active()
	if s != nil && !s.Capturing() {
		switch {
		case key.Matches(msg, k.Help):
			m.toggleHelp()
			return keepAlive
		case key.Matches(msg, k.QuitBare):
			return m.guarded("quit", m.quit)
		}
		if m.loggedIn() && m.overlay == nil && !m.ctx.Session.EnrollOnly {
			switch {
			case key.Matches(msg, k.NextTab):
				return tea.Batch(keepAlive, m.switchTab((m.tab+1)%tabCount))
			case key.Matches(msg, k.PrevTab):
				return tea.Batch(keepAlive, m.switchTab((m.tab+tabCount-1)%tabCount))
			case key.Matches(msg, k.Projects):
				return tea.Batch(keepAlive, m.switchTab(tabProjects))
			case key.Matches(msg, k.Tokens):
				return tea.Batch(keepAlive, m.switchTab(tabTokens))
			case key.Matches(msg, k.Security):
				return tea.Batch(keepAlive, m.switchTab(tabSecurity))
			case key.Matches(msg, k.Activity):
				return tea.Batch(keepAlive, m.switchTab(tabActivity))
			}
		}
		if m.loggedIn() && key.Matches(msg, k.Logout) {
			return m.guarded("log out", func() tea.Cmd { return m.endSession("You logged out.", true, false) })
		}
	}
	return tea.Batch(keepAlive, m.forward(msg))
}

func (m *Model) toggleHelp() {
	m.fullHelp = !m.fullHelp
	m.layout()
}

// keepAlive tells the server the person is active when it has not heard
// from the console for a while, so that the inactivity limit counts key
// presses, not only calls.
func (m *Model) keepAlive() tea.Cmd {
	if !m.loggedIn() || m.ctx.Session.IdleTimeout <= 0 || m.ctx.Session.Ended {
		return nil
	}
	if m.ctx.Now().Sub(m.ctx.LastTouch()) < keepAliveAfter {
		return nil
	}
	return common.Call(m.ctx, func(ctx context.Context, api common.API) (*wire.Whoami, error) {
		return api.Whoami(ctx)
	}, func(*wire.Whoami, error) tea.Msg { return pingMsg{} })
}

func (m *Model) switchTab(t tab) tea.Cmd {
	if t == m.tab {
		return nil
	}
	m.history = append(m.history, m.tab)
	if len(m.history) > 20 {
		m.history = m.history[1:]
	}
	m.tab = t
	m.layout()
	return common.Cmd(common.RefreshMsg{})
}

// back handles Esc that no screen used: close the wizard, else return to
// the tab visited before.
func (m *Model) back() tea.Cmd {
	if m.overlay != nil {
		return m.closeOverlay()
	}
	if !m.loggedIn() || len(m.history) == 0 {
		return nil
	}
	m.tab = m.history[len(m.history)-1]
	m.history = m.history[:len(m.history)-1]
	m.layout()
	return common.Cmd(common.RefreshMsg{})
}
