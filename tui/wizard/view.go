package wizard

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/login"
	"github.com/latch-dev/latch/tui/qrcode"
)

func (m *Model) stepBar() string {
	s := m.Ctx.Styles
	parts := make([]string, len(stepNames))
	for i, n := range stepNames {
		label := fmt.Sprintf("%d %s", i+1, n)
		switch {
		case i == m.step:
			parts[i] = s.ActiveTab.Render(label)
		case i < m.step || (i == StepPassword && m.enroll != nil):
			parts[i] = s.Success.Render("✓ " + n)
		default:
			parts[i] = s.Muted.Render(label)
		}
	}
	bar := strings.Join(parts, s.Muted.Render(" › "))
	if lipgloss.Width(bar) > m.Width {
		bar = s.Bold.Render(fmt.Sprintf("Step %d of %d: %s", m.step+1, len(stepNames), stepNames[m.step]))
	}
	return bar
}

func (m *Model) View() string {
	s := m.Ctx.Styles
	w := m.Width
	var body string
	switch m.step {
	case StepApp:
		body = m.appView()
	case StepPassword:
		if m.enroll != nil {
			body = s.Success.Render("✓ ") + para(w-2, "Your password was accepted. The secret key made then stays the same, so an account already added in "+
				Apps[m.app]+" keeps working.") + "\n\n" + s.Muted.Render(para(w, common.Hints(" · ", m.keys.Again, m.keys.Back)))
		} else {
			body = para(w, "Enter your current password to continue.") + "\n\n" + m.pass.View()
		}
	case StepScan:
		return m.stepBar() + "\n" + m.scanView()
	case StepVerify:
		body = para(w, "Enter the 6-digit code "+Apps[m.app]+" now shows for latch.") + "\n\n" + m.verify.View()
	case StepBackup:
		body = s.Success.Render("Two-factor authentication is on.") + "\n" +
			para(w, "Keep these backup codes somewhere safe. Each one logs you in once if you lose your phone; you will not see them again.") +
			"\n\n" + m.codes.View()
	case StepFinish:
		body = s.Success.Render("All set.") + "\n\n" +
			para(w, strings.TrimSpace("Turning on two-factor authentication is a credentials change, which ends every session, this one included. "+
				client.EndedSummary(m.ended, common.RotateHint))) +
			"\n\n" + para(w, "From now on, sign in with your password and a code from "+Apps[m.app]+".") +
			"\n\n" + s.Bold.Render(para(w, "Press "+m.keys.Finish.Help().Key+" to finish and log out."))
	}
	var b strings.Builder
	b.WriteString(m.stepBar() + "\n\n" + body)
	if m.busy {
		b.WriteString("\n" + s.Muted.Render("Talking to the server…"))
	} else {
		if m.err != "" {
			b.WriteString("\n" + s.Error.Width(max(20, w-2)).Render(m.err))
		}
		if m.advice && m.step == StepVerify && m.verify.Err() != "" {
			b.WriteString("\n" + s.Warning.Width(max(20, min(w, 90))).Render(login.ClockAdvice))
		}
	}
	return b.String()
}

func (m *Model) appView() string {
	s := m.Ctx.Styles
	var b strings.Builder
	b.WriteString(para(m.Width, "Two-factor authentication asks for a code from an app on your phone each time you sign in, so a stolen password is not enough. Choose the app you will use (any app that supports TOTP works; codes by SMS are not offered).") + "\n\n")
	for i, a := range Apps {
		if i == m.app {
			b.WriteString(s.Selected.Render("▸ "+a) + "\n")
		} else {
			b.WriteString("  " + a + "\n")
		}
	}
	return b.String()
}

// sideWidth is the least room the text beside the QR code needs.
const sideWidth = 30

// scanView draws the QR code with the secret beside it, or below it, or —
// when the window is too small for the code — says so and shows the
// secret alone, in groups of four.
func (m *Model) scanView() string {
	s := m.Ctx.Styles
	if m.enroll == nil {
		return ""
	}
	secret := qrcode.GroupSecret(m.enroll.Secret)
	code, err := qrcode.New(m.enroll.URL)
	if err != nil {
		return s.Error.Render(err.Error()) + "\n\n" + para(m.Width, s.Bold.Render("Type this secret key into your app: ")+s.Accent.Bold(true).Render(secret))
	}
	if m.invertQR() {
		code = code.Inverted()
	}
	qrW, qrH := code.Width(), code.Height()
	avail := m.Height - 2 // the step bar and a blank line
	typeKey := m.keys.TypeCode.Help().Key
	var q strings.Builder
	for i, l := range code.Lines {
		if i > 0 {
			q.WriteString("\n")
		}
		q.WriteString(s.QR.Render(l))
	}
	if qrH <= avail && m.Width >= qrW+3+sideWidth {
		sideW := min(m.Width-qrW-3, 60)
		side := []string{
			s.Bold.Render(wrapTo(sideW, "Scan this code with "+Apps[m.app]+".")),
			"",
			wrapTo(sideW, "Can't scan it? Add an account by hand with this secret key:"),
			"",
			s.Accent.Bold(true).Render(wrapTo(sideW, secret)),
			"",
			s.Muted.Render(wrapTo(sideW, "Time-based, 6 digits, 30 seconds.")),
			"",
			wrapTo(sideW, "Then press "+typeKey+" to type a code."),
		}
		if hint := m.invertHint(); hint != "" {
			side = append(side, "", s.Warning.Render(wrapTo(sideW, hint)))
		}
		text := lipgloss.NewStyle().PaddingLeft(3).Render(strings.Join(side, "\n"))
		return "\n" + lipgloss.JoinHorizontal(lipgloss.Top, q.String(), text)
	}
	below := para(m.Width, s.Bold.Render("Scan this code with "+Apps[m.app]+", or type this secret key into it: ")+
		s.Accent.Bold(true).Render(secret)+". Then press "+typeKey+" to type a code.")
	if hint := m.invertHint(); hint != "" {
		below += "\n" + s.Warning.Render(para(m.Width, hint))
	}
	if qrH+1+lipgloss.Height(below) <= avail && m.Width >= qrW {
		return "\n" + q.String() + "\n" + below
	}
	var b strings.Builder
	b.WriteString("\n" + s.Warning.Render(para(m.Width, fmt.Sprintf("This window is too small for the QR code: it needs %d×%d cells, and %d×%d are free.", qrW, qrH+2, m.Width, m.Height))) + "\n")
	b.WriteString(para(m.Width, "Enlarge the window and the code will appear, or add an account by hand in "+Apps[m.app]+" with this secret key:") + "\n\n")
	b.WriteString("   " + s.Accent.Bold(true).Render(secret) + "\n\n")
	b.WriteString(s.Muted.Render(para(m.Width, "Time-based, 6 digits, 30 seconds. Then press "+typeKey+" to type a code.")))
	return b.String()
}

// invertHint offers the invert key when the code takes the terminal's own
// colours.
func (m *Model) invertHint() string {
	if !m.Ctx.NoColor {
		return ""
	}
	k := m.keys.Invert.Help().Key
	switch {
	case !m.Ctx.BackgroundKnown && m.flip:
		return "Inverted for a light terminal. Press " + k + " again to draw it for a dark one."
	case !m.Ctx.BackgroundKnown:
		return "Drawn for a dark terminal. On a light one, press " + k + " to invert it."
	case m.invertQR():
		return "Inverted for your light terminal: press " + k + " to invert it back if your phone cannot read it."
	}
	return "Press " + k + " to invert the code if your phone cannot read it."
}

// para wraps text to the screen, at most 90 columns wide.
func para(w int, text string) string { return wrapTo(max(20, min(w, 90)), text) }

// wrapTo wraps text at spaces to w cells.
func wrapTo(w int, text string) string { return lipgloss.NewStyle().Width(max(10, w)).Render(text) }
