package activity

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

type detailsKeys struct{ Close key.Binding }

// details shows everything the server records of one event: when, what,
// from where, how the person signed in, the client and its full user
// agent, the SSH key, the detail, the id.
type details struct {
	common.Common
	keys  detailsKeys
	ev    wire.Event
	close func() tea.Cmd
}

func newDetails(ctx *common.Context, e wire.Event, close func() tea.Cmd) *details {
	return &details{Common: common.NewCommon(ctx), ev: e, close: close,
		keys: detailsKeys{Close: common.Bind("esc/enter", "back to the list", "esc", "enter")}}
}

func (d *details) Init() tea.Cmd             { return nil }
func (d *details) ShortHelp() []key.Binding  { return []key.Binding{d.keys.Close} }
func (d *details) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *details) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, d.keys.Close) {
		return d, d.close()
	}
	return d, nil
}

func (d *details) View() string {
	s := d.Styles()
	e := d.ev
	r := client.Row(e, d.Ctx.Loc)
	w := min(90, max(40, d.Width-4))
	const labelW = 16
	valueW := max(10, w-4-labelW)
	var rows []string
	row := func(label, value string) {
		if value == "" || value == "-" {
			return
		}
		v := lipgloss.NewStyle().Width(valueW).Render(value)
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, s.Label.Render(common.Pad(label, labelW)), v))
	}
	what := r.What
	switch {
	case r.Failure:
		what = s.Error.Render(what)
	case r.New:
		what = s.Warning.Render("new · ") + what
	}
	row("What", what)
	row("When", r.Time+s.Muted.Render(" ("+common.Ago(e.Time, d.Ctx.Now())+")"))
	row("Address", r.Addr)
	row("Method", r.Method)
	row("Client", client.ClientLabel(e.Method, ""))
	row("User agent", client.Printable(e.Agent))
	row("SSH key", client.Printable(e.SSHKey))
	row("Detail", r.Detail)
	row("Type", client.Printable(e.Type))
	row("Event id", strconv.FormatInt(e.ID, 10))
	body := s.Title.Render("Event") + "\n\n" + strings.Join(rows, "\n") + "\n\n" + s.Muted.Render(common.Hint(d.keys.Close))
	return lipgloss.Place(d.Width, d.Height, lipgloss.Center, lipgloss.Center, s.Box.Width(w).Render(body))
}
