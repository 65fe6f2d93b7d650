package login

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/tui/common"
)

func (m *Model) View() string {
	s := m.ctx.Styles
	inner := min(60, max(30, m.width-8))
	var b strings.Builder
	b.WriteString(s.Title.Render("Sign in to latch") + "\n\n")
	row := func(label, value string, focused bool) {
		ls := s.Label
		if focused {
			ls = s.Focused
		}
		b.WriteString(ls.Width(10).Render(label) + value + "\n")
	}
	row("Server", m.ctx.API.Server(), false)
	switch m.step {
	case stepPassword:
		row("Username", m.user.View(), m.focus == 0)
		row("Password", m.pass.View(), m.focus == 1)
	case stepKey:
		row("Username", m.user.Value(), false)
		b.WriteString("\n")
		if m.busy && !m.keyTried {
			b.WriteString(wrap("Signing in with SSH key "+m.sshKey.Fingerprint+"…", inner) + "\n")
		} else {
			b.WriteString(wrap("Signed in with SSH key "+m.sshKey.Fingerprint+"; enter your two-factor code or a backup code.", inner) + "\n")
		}
		row("Code", m.code.View(), true)
	default:
		row("Username", m.user.Value(), false)
		b.WriteString("\n")
		if m.backup {
			b.WriteString(wrap("Enter one of your backup codes. Each works once.", inner) + "\n")
			row("Backup", m.code.View(), true)
		} else {
			b.WriteString(wrap("Two-factor authentication is on: enter the 6-digit code from your authenticator app.", inner) + "\n")
			row("Code", m.code.View(), true)
		}
	}
	b.WriteString("\n")
	switch {
	case m.busy:
		b.WriteString(s.Muted.Render("Signing in…"))
	case m.throttled():
		left := m.retryAt.Sub(m.ctx.Now()).Round(time.Second)
		b.WriteString(s.Error.Render(wrap("Too many failed attempts. Try again in "+common.Clock(left)+".", inner)))
	case m.err != "":
		b.WriteString(s.Error.Render(wrap(m.err, inner)))
		if m.advice != "" {
			b.WriteString("\n" + s.Warning.Render(wrap(m.advice, inner)))
		}
	default:
		if m.step == stepKey {
			b.WriteString(s.Muted.Render("enter: verify · esc: sign in with the password instead"))
		} else if m.step == stepCode {
			b.WriteString(s.Muted.Render("enter: verify · ctrl+b: backup code · esc: back"))
		} else {
			b.WriteString(s.Muted.Render("enter: sign in"))
		}
	}
	box := s.Box.Width(inner + 4).Render(b.String())
	parts := []string{}
	if m.notice != "" {
		parts = append(parts, s.Warning.Width(inner+4).Render(m.notice), "")
	}
	parts = append(parts, box)
	content := lipgloss.JoinVertical(lipgloss.Left, parts...)
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, content)
}

// wrap breaks text at spaces to width cells.
func wrap(text string, width int) string {
	return lipgloss.NewStyle().Width(width).Render(text)
}
