package tokens

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// chrome: title, filter line, header, notice line.
const chrome = 4

func (l *list) listHeight() int { return max(1, l.Height-chrome) }

type cols struct {
	name, scope int
	fullDates   bool
	id          bool
}

func (l *list) columns() cols {
	c := cols{fullDates: l.Width >= 140, id: l.Width >= 180}
	dateW := 9
	if c.fullDates {
		dateW = 16
	}
	fixed := 2 + 8 + 3*(dateW+1) + 8 + 2
	if c.id {
		fixed += 31
	}
	rest := max(20, l.Width-fixed)
	c.scope = max(10, rest*2/5)
	c.name = max(8, rest-c.scope)
	return c
}

// prefix is a row up to its STATE column.
func (l *list) prefix(c cols, mark, name, kind, scope, created, expires, used string) string {
	dateW := 9
	if c.fullDates {
		dateW = 16
	}
	return mark + common.Pad(name, c.name) + " " + common.Pad(kind, 7) + " " + common.Pad(scope, c.scope) + " " +
		common.Pad(created, dateW) + " " + common.Pad(expires, dateW) + " " + common.Pad(used, dateW) + " "
}

func (l *list) row(c cols, mark, name, kind, scope, created, expires, used, state, id string) string {
	r := l.prefix(c, mark, name, kind, scope, created, expires, used) + common.Pad(state, 8)
	if c.id {
		r += " " + id
	}
	return r
}

func (l *list) View() string {
	s := &l.Ctx.Styles
	var b strings.Builder
	active := l.table.active
	which := fmt.Sprintf("%d active", active)
	if l.table.showAll {
		which = fmt.Sprintf("%d active, %d in all", active, len(l.table.all))
	}
	sortBy := "sorted by " + sortNames[l.table.sort]
	if l.table.desc {
		sortBy += " ↓"
	} else {
		sortBy += " ↑"
	}
	b.WriteString(spread(s.Title.Render("API tokens")+s.Muted.Render(" · "+which), s.Muted.Render(sortBy), l.Width) + "\n")
	if l.filtering || l.filter.Value() != "" {
		b.WriteString(l.filter.View() + "\n")
	} else {
		b.WriteString(s.Muted.Render(common.Truncate(l.hint, l.Width)) + "\n")
	}
	c := l.columns()
	b.WriteString(s.Header.Render(l.row(c, "  ", "NAME", "KIND", "SCOPE", "CREATED", "EXPIRES", "LAST USED", "STATE", "ID")) + "\n")
	lines := 0
	switch {
	case l.err != "":
		b.WriteString(s.Error.Render(ansi.Wordwrap(l.err, l.Width, " ")) + "\n")
		lines++
	case !l.loaded:
		b.WriteString(s.Muted.Render("Loading tokens…") + "\n")
		lines++
	case len(l.table.shown) == 0:
		b.WriteString(s.Muted.Render("No tokens to show. Press "+l.keys.New.Help().Key+" to create one, "+
			l.keys.ShowAll.Help().Key+" to include revoked and expired ones.") + "\n")
		lines++
	}
	if lines == 0 {
		start, end := l.cursor.Visible()
		for i := start; i < end; i++ {
			b.WriteString(l.renderRow(c, i) + "\n")
			lines++
		}
	}
	for ; lines < l.listHeight(); lines++ {
		b.WriteString("\n")
	}
	switch {
	case l.notice != "":
		b.WriteString(s.Success.Render(common.Truncate(l.notice, l.Width)))
	default:
		if t, ok := l.selected(); ok && t.ID == currentID(l.Ctx) {
			b.WriteString(s.Warning.Render(common.Truncate("● is the token of this session: revoking it logs you out of this console.", l.Width)))
		}
	}
	return b.String()
}

func (l *list) renderRow(c cols, i int) string {
	s := &l.Ctx.Styles
	t := l.table.all[l.table.shown[i]]
	now := l.Ctx.Now()
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
	current := t.ID == currentID(l.Ctx)
	if current {
		mark = "● "
	}
	name := t.Name
	scope := l.table.scopeText(t, c.scope > 30)
	if i == l.cursor.Index {
		line := l.row(c, mark, name, t.Kind, scope, created, expires, used, t.State, t.ID)
		return s.Selected.Render(common.Pad(line, l.Width))
	}
	stateStyle := s.Muted
	if t.State == wire.StateActive {
		stateStyle = s.Success
	}
	out := l.prefix(c, mark, name, t.Kind, scope, created, expires, used) + stateStyle.Render(common.Pad(t.State, 8))
	if c.id {
		out += " " + s.Muted.Render(t.ID)
	}
	if current {
		out = s.Accent.Render("●") + out[len("●"):]
	}
	return ansi.Truncate(out, l.Width, "")
}

// spread puts left and right at the two ends of a line of width w.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, w, "…")
	}
	return left + strings.Repeat(" ", gap) + right
}
