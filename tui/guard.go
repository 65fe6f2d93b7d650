package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/tui/common"
)

// leaveWarning is what the screen showing says about being left now: ""
// unless it guards something not saved (backup codes).
func (m *Model) leaveWarning() string {
	if g, ok := m.active().(common.Guard); ok {
		return g.LeaveWarning()
	}
	return ""
}

// guarded runs leave at once, or first asks whether to leave what the
// screen guards; verb says what leaving does ("quit", "log out").
func (m *Model) guarded(verb string, leave func() tea.Cmd) tea.Cmd {
	warning := m.leaveWarning()
	if warning == "" {
		return leave()
	}
	m.ask = common.NewConfirm(m.ctx, "Leave without saving your backup codes?", "yes, "+verb+" anyway",
		func() tea.Cmd {
			m.ask = nil
			return leave()
		},
		func() tea.Cmd {
			m.ask = nil
			return nil
		}).Note(warning)
	m.ask.SetSize(m.ctx.Width, m.bodyHeight())
	return nil
}
