package tokens

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// chrome: title, filter line, header, notice line.
const chrome = 4

func (m *Model) listHeight() int { return max(1, m.height-chrome) }

func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	switch m.mode {
	case modeFilter:
		return []key.Binding{common.Bind("enter", "done", "enter"), common.Bind("esc", "clear", "esc")}
	case modeForm:
		return []key.Binding{common.Bind("tab", "next field", "tab"), common.Bind("←/→", "change", "left"),
			common.Bind("ctrl+s", "generate", "ctrl+s"), common.Bind("esc", "cancel", "esc")}
	case modeSecret:
		return []key.Binding{k.Copy, k.Done}
	case modeConfirm:
		return []key.Binding{k.Yes, k.No}
	case modeRevokeAll:
		return []key.Binding{common.Bind("↑/↓", "choose", "up"), common.Bind("enter", "revoke", "enter"), common.Bind("esc", "cancel", "esc")}
	}
	all := k.ShowAll
	if m.table.showAll {
		all.SetHelp("a", "active only")
	}
	return []key.Binding{k.New, k.Revoke, k.Filter, k.Sort, all}
}

func (m *Model) FullHelp() [][]key.Binding {
	if m.mode != modeList {
		return [][]key.Binding{m.ShortHelp()}
	}
	k, l := m.keys, m.keys.list
	return [][]key.Binding{
		{l.Up, l.Down, l.PageUp, l.PageDown, l.Home, l.End},
		{k.New, k.Revoke, k.RevokeAll, k.Refresh},
		{k.Filter, k.Sort, k.ShowAll, k.Back},
	}
}

func (m *Model) View() string {
	switch m.mode {
	case modeForm:
		return m.form.view(m.busy)
	case modeSecret:
		return m.center(m.secretView())
	case modeConfirm:
		return m.center(m.confirmView())
	case modeRevokeAll:
		return m.center(m.revokeAllView())
	}
	return m.tableView()
}

func (m *Model) center(s string) string {
	return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center, s)
}

type cols struct {
	name, scope int
	fullDates   bool
	id          bool
}

func (m *Model) columns() cols {
	c := cols{fullDates: m.width >= 140, id: m.width >= 180}
	dateW := 9
	if c.fullDates {
		dateW = 16
	}
	fixed := 2 + 8 + 3*(dateW+1) + 8 + 2
	if c.id {
		fixed += 31
	}
	rest := max(20, m.width-fixed)
	c.scope = max(10, rest*2/5)
	c.name = max(8, rest-c.scope)
	return c
}

// prefix is a row up to its STATE column.
func (m *Model) prefix(c cols, mark, name, kind, scope, created, expires, used string) string {
	dateW := 9
	if c.fullDates {
		dateW = 16
	}
	return mark + common.Pad(name, c.name) + " " + common.Pad(kind, 7) + " " + common.Pad(scope, c.scope) + " " +
		common.Pad(created, dateW) + " " + common.Pad(expires, dateW) + " " + common.Pad(used, dateW) + " "
}

func (m *Model) row(c cols, mark, name, kind, scope, created, expires, used, state, id string) string {
	r := m.prefix(c, mark, name, kind, scope, created, expires, used) + common.Pad(state, 8)
	if c.id {
		r += " " + id
	}
	return r
}

func (m *Model) tableView() string {
	s := m.ctx.Styles
	var b strings.Builder
	active := 0
	for _, t := range m.table.all {
		if t.State == wire.StateActive {
			active++
		}
	}
	which := fmt.Sprintf("%d active", active)
	if m.table.showAll {
		which = fmt.Sprintf("%d active, %d in all", active, len(m.table.all))
	}
	sortBy := "sorted by " + sortNames[m.table.sort]
	if m.table.desc {
		sortBy += " ↓"
	} else {
		sortBy += " ↑"
	}
	b.WriteString(spread(s.Title.Render("API tokens")+s.Muted.Render(" · "+which), s.Muted.Render(sortBy), m.width) + "\n")
	if m.mode == modeFilter || m.filter.Value() != "" {
		b.WriteString(m.filter.View() + "\n")
	} else {
		b.WriteString(s.Muted.Render(common.Truncate("/ to filter · a: include revoked and expired · X: revoke all", m.width)) + "\n")
	}
	c := m.columns()
	b.WriteString(s.Header.Render(m.row(c, "  ", "NAME", "KIND", "SCOPE", "CREATED", "EXPIRES", "LAST USED", "STATE", "ID")) + "\n")
	lines := 0
	switch {
	case m.err != "":
		b.WriteString(s.Error.Render(ansi.Wordwrap(m.err, m.width, " ")) + "\n")
		lines++
	case !m.loaded:
		b.WriteString(s.Muted.Render("Loading tokens…") + "\n")
		lines++
	case len(m.table.shown) == 0:
		b.WriteString(s.Muted.Render("No tokens to show. Press n to create one, a to include revoked and expired ones.") + "\n")
		lines++
	}
	if lines == 0 {
		start, end := m.cursor.Visible()
		for i := start; i < end; i++ {
			b.WriteString(m.renderRow(c, i) + "\n")
			lines++
		}
	}
	for ; lines < m.listHeight(); lines++ {
		b.WriteString("\n")
	}
	switch {
	case m.notice != "":
		b.WriteString(s.Success.Render(common.Truncate(m.notice, m.width)))
	default:
		if t, ok := m.selected(); ok && t.ID == m.currentID() {
			b.WriteString(s.Warning.Render(common.Truncate("● is the token of this session: revoking it logs you out of this console.", m.width)))
		}
	}
	return b.String()
}

func (m *Model) renderRow(c cols, i int) string {
	s := m.ctx.Styles
	t := m.table.all[m.table.shown[i]]
	now := m.ctx.Now()
	fmtTime := func(when string, rel string) string {
		if c.fullDates {
			return when
		}
		return rel
	}
	created := fmtTime(common.Date(t.CreatedAt), common.Ago(t.CreatedAt, now))
	expires := fmtTime(common.Date(t.ExpiresAt), common.In(t.ExpiresAt, now))
	used := "never"
	if t.LastUsedAt != nil {
		used = fmtTime(common.Date(*t.LastUsedAt), common.Ago(*t.LastUsedAt, now))
	}
	mark := "  "
	current := t.ID == m.currentID()
	if current {
		mark = "● "
	}
	name := t.Name
	scope := m.table.scopeText(t, c.scope > 30)
	if i == m.cursor.Index {
		line := m.row(c, mark, name, t.Kind, scope, created, expires, used, t.State, t.ID)
		return s.Selected.Render(common.Pad(line, m.width))
	}
	stateStyle := s.Muted
	if t.State == wire.StateActive {
		stateStyle = s.Success
	}
	out := m.prefix(c, mark, name, t.Kind, scope, created, expires, used) + stateStyle.Render(common.Pad(t.State, 8))
	if c.id {
		out += " " + s.Muted.Render(t.ID)
	}
	if current {
		out = s.Accent.Render("●") + out[len("●"):]
	}
	return ansi.Truncate(out, m.width, "")
}

func (m *Model) secretView() string {
	s := m.ctx.Styles
	r := m.secret
	w := min(70, max(40, m.width-4))
	var b strings.Builder
	b.WriteString(s.Bold.Render("Your token “"+r.Info.Name+"” has been generated.") + "\n\n")
	b.WriteString(s.Warning.Width(w-4).Render("Copy it now and keep it somewhere safe: for security reasons this is the only time it will be shown. Anyone who has it can act as you.") + "\n\n")
	b.WriteString("   " + s.Accent.Bold(true).Render(r.Token) + "\n\n")
	b.WriteString(s.Muted.Render("Expires "+common.Date(r.Info.ExpiresAt)+" · scope: "+m.table.scopeText(r.Info, true)) + "\n\n")
	if m.copied {
		b.WriteString(s.Success.Width(w-4).Render("Sent to the clipboard (OSC 52). If your terminal does not support it, select the token above.") + "\n\n")
	}
	b.WriteString(s.Muted.Render("c: copy to clipboard · enter: I have copied it"))
	return s.WarnBox.Width(w).Render(b.String())
}

func (m *Model) confirmView() string {
	s := m.ctx.Styles
	t := m.confirm
	w := min(64, max(40, m.width-4))
	var b strings.Builder
	b.WriteString(s.Bold.Render("Revoke this token?") + "\n\n")
	b.WriteString(fmt.Sprintf("%s  (%s, %s)\n%s\n\n", t.Name, t.Kind, m.table.scopeText(*t, true), s.Muted.Render(t.ID)))
	b.WriteString(lipgloss.NewStyle().Width(w-4).Render("Anything using it — scripts, jobs, uploads — stops working at once. This cannot be undone.") + "\n")
	if t.ID == m.currentID() {
		b.WriteString("\n" + s.Error.Width(w-4).Render("This is the token of the session you are using now: revoking it logs you out of this console.") + "\n")
	}
	b.WriteString("\n")
	if m.busy {
		b.WriteString(s.Muted.Render("Revoking…"))
	} else {
		b.WriteString(s.Error.Bold(true).Render("y: yes, revoke it") + s.Muted.Render("   n/esc: cancel"))
	}
	return s.Box.Width(w).Render(b.String())
}

func (m *Model) revokeAllView() string {
	s := m.ctx.Styles
	w := min(70, max(40, m.width-4))
	var b strings.Builder
	b.WriteString(s.Bold.Render("Revoke all…") + "\n\n")
	for i, c := range revokeAllChoices {
		line := "  " + c.label
		if i == m.allChoice {
			line = s.Selected.Render("▸ " + c.label)
		}
		b.WriteString(common.Truncate(line, w-4) + "\n")
	}
	b.WriteString("\n")
	if m.busy {
		b.WriteString(s.Muted.Render("Revoking…"))
	} else {
		b.WriteString(s.Muted.Render("enter: revoke · esc: cancel"))
	}
	return s.Box.Width(w).Render(b.String())
}

// spread puts left and right at the two ends of a line of width w.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, w, "…")
	}
	return left + strings.Repeat(" ", gap) + right
}
