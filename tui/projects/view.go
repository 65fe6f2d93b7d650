package projects

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/tui/common"
)

// chrome is the lines the screen draws besides the rows: title, filter,
// header and the note under the list.
const chrome = 5

func (m *Model) listHeight() int { return max(1, m.height-chrome) }

func (m *Model) View() string {
	s := &m.ctx.Styles
	var b strings.Builder
	which := "CONTRIBUTE or higher"
	if m.includeView {
		which = "VIEW or higher"
	}
	if m.includePublic {
		which += ", and public projects"
	}
	title := s.Title.Render("Projects") + s.Muted.Render(" · "+which)
	count := s.Muted.Render(fmt.Sprintf("%d shown", len(m.shown)))
	if len(m.shown) != len(m.all) {
		count = s.Muted.Render(fmt.Sprintf("%d of %d shown", len(m.shown), len(m.all)))
	}
	b.WriteString(spread(title, count, m.width) + "\n")
	switch {
	case m.editing || m.filter.Value() != "":
		b.WriteString(m.filter.View() + "\n")
	default:
		b.WriteString(s.Muted.Render("/ to filter") + "\n")
	}
	nameW, showID := m.columns()
	b.WriteString(s.Header.Render(m.row("    ", "NAME", "LEVEL", "FLAGS", "ID", nameW, showID)) + "\n")
	lines := 0
	switch {
	case m.err != "":
		b.WriteString(s.Error.Render(ansi.Wordwrap(m.err, m.width, " ")) + "\n")
		lines++
	case !m.loaded:
		b.WriteString(s.Muted.Render("Loading projects…") + "\n")
		lines++
	case len(m.shown) == 0 && len(m.all) == 0:
		b.WriteString(s.Muted.Render("No projects at this level. Press "+m.keys.View.Help().Key+" to include VIEW, "+
			m.keys.Public.Help().Key+" to include public projects.") + "\n")
		lines++
	case len(m.shown) == 0:
		b.WriteString(s.Muted.Render("No project matches the filter.") + "\n")
		lines++
	}
	start, end := m.cursor.Visible()
	if lines == 0 {
		for i := start; i < end; i++ {
			b.WriteString(m.renderRow(i, nameW, showID) + "\n")
			lines++
		}
	}
	for ; lines < m.listHeight(); lines++ {
		b.WriteString("\n")
	}
	note := m.note
	if m.width < 80 {
		note = m.shortNote
	}
	b.WriteString(s.Muted.Render(ansi.Truncate(note, m.width, "…")))
	return b.String()
}

func (m *Model) columns() (nameW int, showID bool) {
	showID = m.width >= 100
	fixed := 4 + 12 + 11
	if showID {
		fixed += 34
	}
	return max(10, m.width-fixed-1), showID
}

func (m *Model) row(mark, name, level, flags, id string, nameW int, showID bool) string {
	r := mark + common.Pad(name, nameW) + " " + common.Pad(level, 11) + " " + common.Pad(flags, 11)
	if showID {
		r += " " + id
	}
	return r
}

func (m *Model) renderRow(i, nameW int, showID bool) string {
	s := &m.ctx.Styles
	p := m.all[m.shown[i]]
	mark := "  "
	current := false
	if cur := m.ctx.Project; cur != nil && cur.ID == p.ID {
		mark, current = "● ", true
	}
	cursor := "  "
	if i == m.cursor.Index {
		cursor = "▸ "
	}
	var flags []string
	if p.PHI {
		flags = append(flags, "PHI")
	}
	if p.Public {
		flags = append(flags, "public")
	}
	if i == m.cursor.Index {
		line := m.row(cursor+mark, p.Name, p.Level, strings.Join(flags, " "), p.ID, nameW, showID)
		return s.Selected.Render(common.Pad(line, m.width))
	}
	if current {
		mark = s.Accent.Render(mark)
	}
	flagText := strings.Join(flags, " ")
	styledFlags := strings.Replace(flagText, "PHI", s.Warning.Render("PHI"), 1)
	line := cursor + mark + common.Pad(p.Name, nameW) + " " +
		s.Level(p.Level) + strings.Repeat(" ", max(0, 11-len(p.Level))) + " " +
		styledFlags + strings.Repeat(" ", max(0, 11-len(flagText)))
	if showID {
		line += " " + s.Muted.Render(p.ID)
	}
	return ansi.Truncate(line, m.width, "")
}

// spread puts left and right at the two ends of a line of width w.
func spread(left, right string, w int) string {
	gap := w - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, w, "…")
	}
	return left + strings.Repeat(" ", gap) + right
}
