package activity

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/tui/common"
)

// chrome: title, filter or hint line, header, note line.
const chrome = 4

func (l *list) listHeight() int { return max(1, l.Height-chrome) }

// cols are the widths of a row's columns at this size.
type cols struct {
	time, what, addr, method, client int
	fullDates                        bool
}

func (l *list) columns() cols {
	c := cols{time: 9, addr: 15, method: 15}
	if l.Width >= 120 {
		c.fullDates = true
		c.time = utf8.RuneCountInString(l.Ctx.Date(l.Ctx.Now())) + 1
		c.addr, c.method = 24, 22
	}
	rest := max(20, l.Width-2-c.time-c.addr-c.method-4)
	c.what = min(40, max(12, rest*3/5)) // the longest words fit in 40
	c.client = max(8, rest-c.what)
	return c
}

func (l *list) row(c cols, mark, when, what, addr, method, client string) string {
	return mark + common.Pad(when, c.time) + " " + common.Pad(what, c.what) + " " + common.Pad(addr, c.addr) + " " +
		common.Pad(method, c.method) + " " + common.Truncate(client, c.client)
}

func (l *list) View() string {
	s := &l.Ctx.Styles
	var b strings.Builder
	failed := 0
	for _, r := range l.rows {
		if r.Failure {
			failed++
		}
	}
	which := fmt.Sprintf("%d events", len(l.events))
	if l.next != 0 {
		which += ", more below"
	}
	if failed > 0 {
		which += fmt.Sprintf(" · %d failed", failed)
	}
	left := s.Title.Render("Activity") + s.Muted.Render(" · "+which)
	right := ""
	if n := len(l.shown); n > l.cursor.Height {
		start, end := l.cursor.Visible()
		right = fmt.Sprintf("%d–%d of %d", start+1, end, n)
	}
	b.WriteString(spread(left, s.Muted.Render(right), l.Width) + "\n")
	switch {
	case l.filtering || l.filter.Value() != "":
		b.WriteString(l.filter.View() + "\n")
	case l.failures:
		b.WriteString(s.Warning.Render(common.Truncate("Failures only · f: all events", l.Width)) + "\n")
	default:
		b.WriteString(s.Muted.Render(common.Truncate(l.hint, l.Width)) + "\n")
	}
	c := l.columns()
	b.WriteString(s.Header.Render(common.Truncate(l.row(c, "  ", "TIME", "WHAT", "ADDRESS", "METHOD", "CLIENT"), l.Width)) + "\n")
	lines := 0
	if text := l.empty(); text != "" {
		st := s.Muted
		if l.err != "" {
			st = s.Error
		}
		b.WriteString(st.Render(ansi.Wordwrap(text, l.Width, " ")) + "\n")
		lines++
	} else {
		start, end := l.cursor.Visible()
		for i := start; i < end; i++ {
			b.WriteString(l.renderRow(c, i) + "\n")
			lines++
		}
	}
	for ; lines < l.listHeight(); lines++ {
		b.WriteString("\n")
	}
	if e, ok := l.selected(); ok && l.rows[l.shown[l.cursor.Index]].Detail != "" {
		b.WriteString(s.Muted.Render(common.Truncate(l.rows[l.shown[l.cursor.Index]].Detail, l.Width)))
	} else if ok && e.Type != "" {
		b.WriteString(s.Muted.Render(common.Truncate(e.Type, l.Width)))
	}
	return b.String()
}

// empty says why no row shows ("" when some do).
func (l *list) empty() string {
	k := l.keys
	switch {
	case l.err != "":
		return l.err
	case !l.loaded:
		return "Loading activity…"
	case len(l.shown) > 0:
		return ""
	case l.failures && l.filter.Value() == "":
		return "No failed sign-ins among these events. " + k.Failures.Help().Key + " shows them all."
	case l.filter.Value() != "" || l.failures:
		return "No event matches the filter. " + k.Back.Help().Key + " clears it."
	}
	return "No activity yet."
}

func (l *list) renderRow(c cols, i int) string {
	s := &l.Ctx.Styles
	idx := l.shown[i]
	r, e := l.rows[idx], l.events[idx]
	when := common.Ago(e.Time, l.Ctx.Now())
	if c.fullDates {
		when = r.Time
	}
	what := r.What
	if r.New {
		what = "new · " + what
	}
	mark := "  "
	if i == l.cursor.Index {
		mark = "▸ "
		return s.Selected.Render(common.Pad(l.row(c, mark, when, what, r.Addr, r.Method, r.Client), l.Width))
	}
	line := l.row(c, mark, when, what, r.Addr, r.Method, r.Client)
	switch {
	case r.Failure:
		return s.Error.Render(ansi.Truncate(line, l.Width, ""))
	case r.New:
		// The mark in the accent colour, the rest as any row.
		head := mark + common.Pad(when, c.time) + " "
		return ansi.Truncate(head+s.Warning.Render("new")+line[len(head)+len("new"):], l.Width, "")
	}
	return ansi.Truncate(line, l.Width, "")
}

// spread puts left and right at the two ends of a line of width w.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, w, "…")
	}
	return left + strings.Repeat(" ", gap) + right
}
