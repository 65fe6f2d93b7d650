package tui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/login"
)

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.ctx.Width, m.ctx.Height = msg.Width, msg.Height
		m.layout()
		return m, nil
	case tea.BackgroundColorMsg:
		m.ctx.Styles = common.NewStyles(msg.IsDark())
		m.help.Styles = m.ctx.Styles.Help
		return m, m.broadcast(common.ThemeMsg{})
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case common.LoggedInMsg:
		return m, m.loggedInAs(msg.Session)
	case resumeMsg:
		if msg.err != nil {
			reason, ok := common.SessionEnded(msg.err)
			if !ok {
				reason = msg.err.Error()
			}
			m.front = login.New(m.ctx, reason)
			m.layout()
			return m, nil
		}
		return m, m.loggedInAs(msg.session)
	case whoamiMsg:
		if msg.err == nil && m.ctx.Session != nil {
			m.ctx.Session.Org = msg.who.Org
			m.ctx.Session.User = msg.who.User
			if msg.who.Token.IdleTimeout > 0 {
				m.ctx.Session.IdleTimeout = time.Duration(msg.who.Token.IdleTimeout) * time.Second
			}
		}
		return m, nil
	case pingMsg:
		return m, nil
	case common.SessionEndedMsg:
		return m, m.endSession(msg.Reason, msg.Logout)
	case idleTickMsg:
		return m, m.idleTick(msg)
	case common.ProjectSelectedMsg:
		return m, m.selectProject(msg.Project)
	case common.PushMsg:
		m.overlay = msg.Screen
		m.layout()
		return m, m.overlay.Init()
	case common.PopMsg:
		m.overlay = nil
		m.layout()
		return m, common.Cmd(common.RefreshMsg{})
	case common.BackMsg:
		return m, m.back()
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

// forward gives msg to the active screen.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	s := m.active()
	if s == nil {
		return nil
	}
	next, cmd := s.Update(msg)
	switch {
	case m.front != nil:
		m.front = next
	case m.overlay != nil:
		m.overlay = next
	default:
		m.tabs[m.tab] = next
	}
	return cmd
}

// broadcast gives msg to every screen alive.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for _, s := range []*common.Screen{&m.front, &m.overlay, &m.tabs[0], &m.tabs[1], &m.tabs[2]} {
		if *s != nil {
			var cmd tea.Cmd
			*s, cmd = (*s).Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.ctx.Keys
	if key.Matches(msg, k.Quit) {
		return m.quit()
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
			return m.quit()
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
			}
		}
		if m.loggedIn() && key.Matches(msg, k.Logout) {
			return m.endSession("You logged out.", true)
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
		m.overlay = nil
		m.layout()
		return common.Cmd(common.RefreshMsg{})
	}
	if !m.loggedIn() || len(m.history) == 0 {
		return nil
	}
	m.tab = m.history[len(m.history)-1]
	m.history = m.history[:len(m.history)-1]
	m.layout()
	return common.Cmd(common.RefreshMsg{})
}
