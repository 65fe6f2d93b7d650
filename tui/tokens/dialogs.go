package tokens

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// secretKeys are the keys of the once-only secret.
type secretKeys struct{ Copy, Done key.Binding }

// secretDialog shows a new token's secret, once.
type secretDialog struct {
	common.Common
	keys   secretKeys
	resp   *wire.CreateTokenResponse // dropped with the dialog
	scope  string
	copied bool
	done   func(notice string) tea.Cmd
}

func newSecretDialog(ctx *common.Context, resp *wire.CreateTokenResponse, scope string, done func(string) tea.Cmd) *secretDialog {
	return &secretDialog{
		Common: common.NewCommon(ctx),
		keys: secretKeys{
			Copy: common.Bind("c", "copy to clipboard", "c"),
			Done: common.Bind("enter", "I have copied it", "enter", "esc"),
		},
		resp: resp, scope: scope, done: done,
	}
}

func (d *secretDialog) Init() tea.Cmd             { return nil }
func (d *secretDialog) ShortHelp() []key.Binding  { return []key.Binding{d.keys.Copy, d.keys.Done} }
func (d *secretDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }
func (d *secretDialog) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	switch {
	case key.Matches(k, d.keys.Copy):
		d.copied = true
		return d, tea.SetClipboard(d.resp.Token)
	case key.Matches(k, d.keys.Done):
		return d, d.done("Token “" + d.resp.Info.Name + "” created. Its secret is no longer shown.")
	}
	return d, nil
}

func (d *secretDialog) View() string {
	s := d.Styles()
	r := d.resp
	w := min(70, max(40, d.Width-4))
	var b strings.Builder
	b.WriteString(s.Bold.Render("Your token “"+r.Info.Name+"” has been generated.") + "\n\n")
	b.WriteString(s.Warning.Width(w-4).Render(client.SecretShownOnce) + "\n\n")
	b.WriteString("   " + s.Accent.Bold(true).Render(r.Token) + "\n\n")
	b.WriteString(s.Muted.Render("Expires "+d.Ctx.Date(r.Info.ExpiresAt)+" · scope: "+d.scope) + "\n\n")
	if d.copied {
		b.WriteString(s.Success.Width(w-4).Render("Sent to the clipboard (OSC 52). If your terminal does not support it, select the token above.") + "\n\n")
	}
	b.WriteString(s.Muted.Render(common.Hint(d.keys.Copy) + " · " + common.Hint(d.keys.Done)))
	return lipgloss.Place(d.Width, d.Height, lipgloss.Center, lipgloss.Center, s.WarnBox.Width(w).Render(b.String()))
}

// revokeAllChoices are what "revoke all" can end.
var revokeAllChoices = []struct {
	label string
	req   wire.RevokeAllRequest
}{
	{"All API tokens (scripts and jobs using them stop at once)", wire.RevokeAllRequest{Kind: wire.KindAPI}},
	{"All other sessions (sign out everywhere else)", wire.RevokeAllRequest{Kind: wire.KindSession, ExceptCurrent: true}},
	{"Everything, this session included (logs you out)", wire.RevokeAllRequest{Kind: "all"}},
}

type revokeAllKeys struct{ Up, Down, Revoke, Cancel key.Binding }

// revokeAllDialog chooses what to revoke at once.
type revokeAllDialog struct {
	common.Common
	keys   revokeAllKeys
	choice int
	busy   bool
	revoke func(wire.RevokeAllRequest) tea.Cmd
	cancel func() tea.Cmd
}

func newRevokeAllDialog(ctx *common.Context, revoke func(wire.RevokeAllRequest) tea.Cmd, cancel func() tea.Cmd) *revokeAllDialog {
	return &revokeAllDialog{
		Common: common.NewCommon(ctx),
		keys: revokeAllKeys{
			Up:     common.Bind("↑", "up", "up", "k"),
			Down:   common.Bind("↓", "down", "down", "j"),
			Revoke: common.Bind("enter", "revoke", "enter", "y"),
			Cancel: common.Bind("esc", "cancel", "esc", "n"),
		},
		revoke: revoke, cancel: cancel,
	}
}

func (d *revokeAllDialog) Init() tea.Cmd { return nil }

func (d *revokeAllDialog) ShortHelp() []key.Binding {
	if d.busy {
		return nil
	}
	return []key.Binding{d.keys.Up, d.keys.Down, d.keys.Revoke, d.keys.Cancel}
}

func (d *revokeAllDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *revokeAllDialog) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || d.busy {
		return d, nil
	}
	switch {
	case key.Matches(k, d.keys.Up):
		d.choice = max(0, d.choice-1)
	case key.Matches(k, d.keys.Down):
		d.choice = min(len(revokeAllChoices)-1, d.choice+1)
	case key.Matches(k, d.keys.Cancel):
		return d, d.cancel()
	case key.Matches(k, d.keys.Revoke):
		d.busy = true
		return d, d.revoke(revokeAllChoices[d.choice].req)
	}
	return d, nil
}

func (d *revokeAllDialog) View() string {
	s := d.Styles()
	w := min(70, max(40, d.Width-4))
	var b strings.Builder
	b.WriteString(s.Bold.Render("Revoke all…") + "\n\n")
	for i, c := range revokeAllChoices {
		line := "  " + c.label
		if i == d.choice {
			line = s.Selected.Render("▸ " + c.label)
		}
		b.WriteString(common.Truncate(line, w-4) + "\n")
	}
	b.WriteString("\n")
	if d.busy {
		b.WriteString(s.Muted.Render("Revoking…"))
	} else {
		b.WriteString(s.Muted.Render(common.Hint(d.keys.Revoke) + " · " + common.Hint(d.keys.Cancel)))
	}
	return lipgloss.Place(d.Width, d.Height, lipgloss.Center, lipgloss.Center, s.Box.Width(w).Render(b.String()))
}
