package tokens

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// Rotation from the token details (r): a new secret with the same name,
// scope and limits, and an expiry of the same lifetime; the old secret
// stops working at once. A switch-over window (--grace) is the command
// line's: a person at the console copies the new secret there and then.

func (m *Model) askRotate(t wire.Token) tea.Cmd { return m.openDialog(m.confirmRotate(t)) }

func (m *Model) confirmRotate(t wire.Token) *common.Confirm {
	s := m.Styles()
	c := common.NewConfirm(m.Ctx, "Rotate this token?", "yes, rotate it",
		func() tea.Cmd {
			return common.CallEnding(m.Ctx, false, func(ctx context.Context, api common.API) (*wire.CreateTokenResponse, error) {
				return api.RotateToken(ctx, t.ID, 0)
			}, func(r *wire.CreateTokenResponse, err error) tea.Msg { return rotatedMsg{old: t, resp: r, err: err} })
		},
		func() tea.Cmd { return m.closeDialog("") }).
		Body(fmt.Sprintf("%s  (%s, %s)\n%s", t.Name, t.Kind, m.list.table.scopeText(t, true), s.Muted.Render(t.ID))).
		Note("A new secret with the same name, scope and lifetime is shown once. The old secret stops working now: " +
			"put the new one wherever the old one is used. For a switch-over window use " +
			m.Ctx.Command("token rotate "+t.ID+" --grace 1h") + ".").
		Busy("Rotating…")
	if t.ID == currentID(m.Ctx) {
		c.Warn("This console signed in with this token: rotating it logs you out here.")
	}
	return c
}

func (m *Model) rotated(msg rotatedMsg) tea.Cmd {
	m.dialog = nil
	if msg.err != nil {
		m.list.notice = "Could not rotate: " + common.ErrorText(msg.err) + "."
		return m.load()
	}
	if msg.old.ID == currentID(m.Ctx) {
		return common.EndOwn(m.Ctx, "You rotated the token this console signed in with, so you are logged out.")
	}
	done := func(string) tea.Cmd {
		return m.closeDialog("Rotated “" + msg.resp.Info.Name + "”: the old secret no longer works.")
	}
	return tea.Batch(m.openDialog(newSecretDialog(m.Ctx, msg.resp, m.list.table.scopeText(msg.resp.Info, true), done)), m.load())
}
