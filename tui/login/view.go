package login

import (
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/tui/common"
)

// row is a line that is not a field, aligned with f's values.
func row(s *common.Styles, labelW int, label, value string) string {
	frame := s.Form.Blurred.Base.GetHorizontalFrameSize()
	return strings.Repeat(" ", frame) + s.Label.Render(common.Pad(label, labelW)) + value + "\n"
}

func (m *Model) View() string {
	s := m.Styles()
	inner := min(60, max(30, m.Width-8))
	var b strings.Builder
	b.WriteString(s.Title.Render("Sign in to latch") + "\n\n")
	b.WriteString(row(s, m.labelW, "Server", m.Ctx.API.Server()))
	switch {
	case m.interrupted:
		b.WriteString(row(s, m.labelW, "Username", m.user) + "\n")
		hint := "Press " + m.keys.Resume.Help().Key + " to sign in again."
		if m.stray {
			b.WriteString(s.Warning.Render(wrap(hint+" Keys typed until then are not used.", inner)))
		} else {
			b.WriteString(s.Bold.Render(wrap(hint, inner)))
		}
		return m.frame(b.String(), inner)
	case m.step == stepPassword:
		b.WriteString(m.creds.View() + "\n")
	case m.step == stepKey:
		b.WriteString(row(s, m.labelW, "Username", m.user) + "\n")
		if m.busy && !m.keyTried {
			b.WriteString(wrap("Signing in with SSH key "+m.sshKey.Fingerprint+"…", inner) + "\n")
		} else {
			b.WriteString(wrap("Signed in with SSH key "+m.sshKey.Fingerprint+"; enter your two-factor code or a backup code.", inner) + "\n")
		}
		if m.codes != nil {
			b.WriteString(m.codes.View() + "\n")
		}
	default:
		b.WriteString(row(s, m.labelW, "Username", m.user) + "\n")
		if m.backup {
			b.WriteString(wrap("Enter one of your backup codes. Each works once.", inner) + "\n")
		} else {
			b.WriteString(wrap("Two-factor authentication is on: enter the 6-digit code from your authenticator app.", inner) + "\n")
		}
		b.WriteString(m.codes.View() + "\n")
	}
	b.WriteString("\n")
	f := m.form()
	switch {
	case m.busy:
		b.WriteString(s.Muted.Render("Signing in…"))
	case m.throttled():
		left := m.retryAt.Sub(m.Ctx.Now()).Round(time.Second)
		b.WriteString(s.Error.Render(wrap("Too many failed attempts. Try again in "+common.Clock(left)+".", inner)))
	case f == nil:
		b.WriteString(s.Muted.Render(common.Hints(" · ", m.keyRetryKeys()...)))
	case m.advice != "" && f.Err() != "":
		b.WriteString(s.Warning.Render(wrap(m.advice, inner)))
	case m.step == stepKey:
		b.WriteString(s.Muted.Render(common.Hints(" · ", f.Keys().Submit, f.Keys().Cancel)))
	case m.step == stepCode:
		b.WriteString(s.Muted.Render(common.Hints(" · ", f.Keys().Submit, m.backupKey(), f.Keys().Cancel)))
	default:
		b.WriteString(s.Muted.Render(common.Hint(f.Keys().Submit)))
	}
	return m.frame(b.String(), inner)
}

// frame boxes the form's lines, under the notice, in the middle of the
// screen.
func (m *Model) frame(body string, inner int) string {
	s := m.Styles()
	box := s.Box.Width(inner + 4).Render(body)
	parts := []string{}
	if m.notice != "" {
		parts = append(parts, s.Warning.Width(inner+4).Render(m.notice), "")
	}
	parts = append(parts, box)
	content := lipgloss.JoinVertical(lipgloss.Left, parts...)
	return lipgloss.Place(m.Width, m.Height, lipgloss.Center, lipgloss.Center, content)
}

// wrap breaks text at spaces to width cells.
func wrap(text string, width int) string {
	return lipgloss.NewStyle().Width(width).Render(text)
}
