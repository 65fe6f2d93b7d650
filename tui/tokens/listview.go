package tokens

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// chrome: title, filter line, header, notice line.
const chrome = 4

func (l *list) listHeight() int { return max(1, l.Height-chrome) }

type cols struct {
	name, scope int
	date        int // width of a date column
	fullDates   bool
	created     bool // narrow windows leave out the creation date
	id          bool
}

func (l *list) columns() cols {
	c := cols{fullDates: l.Width >= 140, id: l.Width >= 180, created: l.Width >= 76, date: 9}
	if c.fullDates {
		// A date with its zone's name, and room for the name's other
		// season (CET, CEST).
		c.date = utf8.RuneCountInString(l.Ctx.Date(l.Ctx.Now())) + 1
	}
	dates := 2
	if c.created {
		dates = 3
	}
	fixed := 4 + 8 + dates*(c.date+1) + 8 + 2
	if c.id {
		fixed += 31
	}
	rest := max(16, l.Width-fixed)
	c.scope = max(6, rest*2/5)
	c.name = max(8, rest-c.scope)
	return c
}

// prefix is a row up to its STATE column.
func (l *list) prefix(c cols, mark, name, kind, scope, created, expires, used string) string {
	dateW := c.date
	// One concatenation each way: this runs for every row of every frame.
	if c.created {
		return mark + common.Pad(name, c.name) + " " + common.Pad(kind, 7) + " " + common.Pad(scope, c.scope) + " " +
			common.Pad(created, dateW) + " " + common.Pad(expires, dateW) + " " + common.Pad(used, dateW) + " "
	}
	return mark + common.Pad(name, c.name) + " " + common.Pad(kind, 7) + " " + common.Pad(scope, c.scope) + " " +
		common.Pad(expires, dateW) + " " + common.Pad(used, dateW) + " "
}

// marks are a row's first column: the cursor (▸) and this session's
// token (●), as constants so a frame makes none.
var marks = [2][2]string{{"    ", "  ● "}, {"▸   ", "▸ ● "}}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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
	t := &l.table
	which := fmt.Sprintf("%d active", t.active)
	if t.showAll {
		which = fmt.Sprintf("%d active, %d in all", t.active, len(t.all))
	}
	left := s.Title.Render("API tokens") + s.Muted.Render(" · "+which)
	b.WriteString(spread(left, s.Muted.Render(l.position(l.Width-lipgloss.Width(left)-1)), l.Width) + "\n")
	if l.filtering || l.filter.Value() != "" {
		b.WriteString(l.filter.View() + "\n")
	} else {
		b.WriteString(s.Muted.Render(common.Truncate(l.hint, l.Width)) + "\n")
	}
	c := l.columns()
	b.WriteString(s.Header.Render(l.row(c, "    ", "NAME", "KIND", "SCOPE", "CREATED", "EXPIRES", "LAST USED", "STATE", "ID")) + "\n")
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

// position says which rows show and how they are chosen and sorted:
// "12–31 of 240 · 240 of 300 shown · sorted by created ↓", shorter when
// room is narrow.
func (l *list) position(room int) string {
	t := &l.table
	start, end := l.cursor.Visible()
	key := posKey{start, end, len(t.shown), t.base, l.filter.Value() != "", t.sort, t.desc, room}
	if key == l.posKey && l.posText != "" {
		return l.posText // most key presses change none of it
	}
	l.posKey, l.posText = key, l.positionText(room)
	return l.posText
}

// posKey is what the position line depends on.
type posKey struct {
	start, end, shown, base int
	filtered                bool
	sort                    sortKey
	desc                    bool
	room                    int
}

func (l *list) positionText(room int) string {
	t := &l.table
	// Built in one buffer: it changes with every key that scrolls.
	var b []byte
	if n := len(t.shown); n > l.cursor.Height {
		start, end := l.cursor.Visible()
		b = strconv.AppendInt(b, int64(start+1), 10)
		b = append(b, "–"...)
		b = strconv.AppendInt(b, int64(end), 10)
		b = append(b, " of "...)
		b = strconv.AppendInt(b, int64(n), 10)
	}
	if l.filter.Value() != "" {
		if len(b) > 0 {
			b = append(b, " · "...)
		}
		b = strconv.AppendInt(b, int64(len(t.shown)), 10)
		b = append(b, " of "...)
		b = strconv.AppendInt(b, int64(t.base), 10)
		b = append(b, " shown"...)
	}
	counts := len(b)
	arrow := " ↑"
	if t.desc {
		arrow = " ↓"
	}
	if counts > 0 {
		b = append(b, " · "...)
	}
	withSort := len(b)
	b = append(b, "sorted by "...)
	b = append(b, sortNames[t.sort]...)
	b = append(b, arrow...)
	if counts == 0 || utf8.RuneCount(b) <= room {
		return string(b)
	}
	b = append(b[:withSort], sortNames[t.sort]...) // without "sorted by"
	b = append(b, arrow...)
	if utf8.RuneCount(b) <= room {
		return string(b)
	}
	return string(b[:counts])
}

// empty says why no row shows ("" when some do).
func (l *list) empty() string {
	k := l.keys
	t := &l.table
	switch {
	case l.err != "":
		return l.err
	case !l.loaded:
		return "Loading tokens…"
	case len(t.shown) > 0:
		return ""
	case l.filter.Value() != "":
		return "No token matches the filter. " + k.FilterClear.Help().Key + " clears it."
	case t.showAll:
		return "No tokens yet. Press " + k.New.Help().Key + " to create one."
	}
	return "No active tokens. Press " + k.New.Help().Key + " to create one, " + k.ShowAll.Help().Key + " to include revoked and expired ones."
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
	created := fmtTime(l.Ctx.Date(t.CreatedAt), common.Ago(t.CreatedAt, now))
	expires := fmtTime(l.Ctx.Date(t.ExpiresAt), common.In(t.ExpiresAt, now))
	if client.ExpiringSoon(t, now) {
		expires += " !" // within a week: rotate it, or make a new one
	}
	used := "never"
	if t.LastUsedAt != nil {
		used = fmtTime(l.Ctx.Date(*t.LastUsedAt), common.Ago(*t.LastUsedAt, now))
	}
	// The cursor is a marker as on the other screens, not only a colour
	// (a colourless terminal shows it too); ● marks this session's token.
	current := t.ID == currentID(l.Ctx)
	mark := marks[b2i(i == l.cursor.Index)][b2i(current)]
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
		out = "  " + s.Accent.Render("●") + out[len("  ●"):]
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
