package tokens

import (
	"strings"

	"github.com/latch-dev/latch/tui/common"
)

func (f *form) view(busy bool) string {
	s := f.ctx.Styles
	now := f.ctx.Now()
	var b strings.Builder
	b.WriteString(s.Title.Render("New API token") + "\n")
	b.WriteString(s.Muted.Render(common.Truncate("Give a script only the projects and the time it needs.", f.width)) + "\n\n")
	label := func(i int, text string) string {
		if f.focus == i {
			return s.Focused.Render(common.Pad("▸ "+text, 14))
		}
		return s.Label.Render(common.Pad("  "+text, 14))
	}
	choiceView := func(i int, text string) string {
		if f.focus == i {
			return s.Accent.Render("‹ " + text + " ›")
		}
		return "  " + text
	}
	b.WriteString(label(fName, "Name") + f.name.View() + "\n")

	exp := expiryChoices[f.expiry]
	line := label(fExpiry, "Expires") + choiceView(fExpiry, exp.label)
	switch {
	case exp.d > 0:
		line += s.Muted.Render("  on " + common.Date(now.Add(exp.d)))
	case exp.d == 0:
		line += s.Muted.Render("  on " + common.Date(now.AddDate(0, 0, 30)))
	default:
		line += "  " + f.date.View()
	}
	b.WriteString(line + "\n")

	scope := "all my projects (full scope)"
	if f.scoped {
		scope = "only the projects picked below"
	}
	b.WriteString(label(fScope, "Scope") + choiceView(fScope, scope) + "\n")
	if f.scoped {
		b.WriteString(f.projectsView())
	}

	idle := idleChoices[f.idle]
	line = label(fIdle, "Inactivity") + choiceView(fIdle, idle.label)
	if idle.d < 0 {
		line += "  " + f.idleCustom.View()
	} else if idle.d == 0 {
		line += s.Muted.Render("  no inactivity limit")
	} else {
		line += s.Muted.Render("  revoked after this long unused")
	}
	b.WriteString(line + "\n\n")

	button := "[ Generate token ]"
	if f.focus == fCreate {
		b.WriteString(common.Pad("", 14) + s.Selected.Render(button) + "\n\n")
	} else {
		b.WriteString(common.Pad("", 14) + s.Muted.Render(button) + "\n\n")
	}
	switch {
	case busy:
		b.WriteString(s.Muted.Render("Generating…"))
	case f.err != "":
		b.WriteString(s.Error.Width(max(20, f.width-2)).Render(f.err))
	case f.focus == fProjects:
		b.WriteString(s.Muted.Render(common.Truncate("space: pick · ←/→: level (up to yours) · tab: next field", f.width)))
	default:
		b.WriteString(s.Muted.Render(common.Truncate("Tokens without a date expire in one month. ctrl+s generates.", f.width)))
	}
	return b.String()
}

func (f *form) projectsView() string {
	s := f.ctx.Styles
	var b strings.Builder
	if len(f.rows) == 0 {
		return common.Pad("", 14) + s.Muted.Render("(you have no projects)") + "\n"
	}
	start, end := f.rowCursor.Visible()
	nameW := max(10, min(40, f.width-14-6-16))
	for i := start; i < end; i++ {
		r := f.rows[i]
		box := "[ ]"
		if r.on {
			box = "[x]"
		}
		lvl := levels[r.level]
		text := box + " " + common.Pad(r.project.Name, nameW) + " ‹" + lvl + "›"
		if f.focus == fProjects && i == f.rowCursor.Index {
			text = s.Selected.Render(text)
		} else if !r.on {
			text = s.Muted.Render(text)
		}
		b.WriteString(common.Pad("", 14) + text + "\n")
	}
	if more := len(f.rows) - (end - start); more > 0 {
		b.WriteString(common.Pad("", 14) + s.Muted.Render(common.Truncate("↑/↓ for more: "+itoaInt(len(f.rows))+" projects", f.width-14)) + "\n")
	}
	return b.String()
}
