package wizard

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/codes"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/login"
)

// flat is a screen's text with its line breaks and padding folded into
// single spaces, and the QR code's cells left out: a sentence wrapped over
// lines (beside the code too) reads whole in it.
func flat(screen string) string {
	noQR := strings.NewReplacer("█", " ", "▀", " ", "▄", " ").Replace(ansi.Strip(screen))
	return strings.Join(strings.Fields(noQR), " ")
}

// Every text of every step wraps at 60, 80 and 200 columns: no line is
// wider than the window and no sentence is cut.
func TestWizardTextsWrap(t *testing.T) {
	backup := []string{"k7q2p-9xv3m", "a2b3c-d4e5f", "g6h7i-j8k9m", "n2p3q-r4s5t", "u6v7w-x8y9z",
		"a3b4c-d5e6f", "g7h8i-j9k2m", "n3p4q-r5s6t", "u7v8w-x9y2z", "a4b5c-d6e7f"}
	steps := []struct {
		name  string
		setup func(m *Model)
		want  []string
	}{
		{"app", func(m *Model) {}, []string{"so a stolen password is not enough", "codes by SMS are not offered)."}},
		{"password", func(m *Model) { m.step = StepPassword }, []string{"Enter your current password to continue."}},
		{"password accepted", func(m *Model) { m.step, m.enroll = StepPassword, enrollment() }, []string{
			"Your password was accepted. The secret key made then stays the same, so an account already added in Microsoft Authenticator keeps working."}},
		{"scan", func(m *Model) { m.step, m.enroll = StepScan, enrollment() }, []string{
			"Microsoft Authenticator", "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP", "Then press enter to type a code."}},
		{"verify, refused", func(m *Model) {
			m.step, m.enroll = StepVerify, enrollment()
			m.confirmed(confirmedMsg{err: &client.Error{Type: wire.ErrInvalidInput, Message: "bad code"}})
		}, []string{"Enter the 6-digit code Microsoft Authenticator now shows for latch.", "That code was not accepted.", login.ClockAdvice}},
		{"backup codes", func(m *Model) {
			m.step = StepBackup
			m.codes = codes.New(m.Ctx, backup, func() tea.Cmd { return nil })
			m.codes.SetSize(m.Width, m.Height)
			m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
		}, []string{"Each one logs you in once if you lose your phone; you will not see them again.",
			"Keep the codes first (download or copy them), then press space to confirm you saved them."}},
		{"finish", func(m *Model) {
			m.step, m.ended = StepFinish, &wire.Ended{Sessions: 2, APITokensKept: 3}
		}, []string{
			"a credentials change, which ends every session, this one included. Signed out 2 sessions; your 3 API tokens keep working: rotate or revoke them on the Tokens tab.",
			"From now on, sign in with your password and a code from Microsoft Authenticator."}},
	}
	for _, w := range []int{60, 80, 200} {
		for _, h := range []int{17, 40} {
			for _, st := range steps {
				ctx := common.NewContext(nil, nil, nil)
				ctx.NoColor = true // the longest texts: the invert hint too
				m := New(ctx, false, 0)
				m.app = 1 // Microsoft Authenticator: the longest name
				m.SetSize(w, h)
				st.setup(m)
				screen := m.View()
				for i, line := range strings.Split(screen, "\n") {
					if lw := ansi.StringWidth(line); lw > w {
						t.Errorf("%d×%d %s: line %d is %d cells wide: %q", w, h, st.name, i, lw, ansi.Strip(line))
					}
				}
				for _, text := range st.want {
					if !strings.Contains(flat(screen), text) {
						t.Errorf("%d×%d %s: %q is cut:\n%s", w, h, st.name, text, ansi.Strip(screen))
					}
				}
			}
		}
	}
}

func enrollment() *wire.EnrollResponse {
	return &wire.EnrollResponse{Secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", URL: testURL}
}
