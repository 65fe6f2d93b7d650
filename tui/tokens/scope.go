package tokens

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/form"
)

// levels are the client's, lowest first.
var levels = client.Levels

func levelIndex(l string) int {
	for i, v := range levels {
		if v == l {
			return i
		}
	}
	return 0
}

type scopeRow struct {
	project wire.Project
	on      bool
	level   int // index into levels, at most the project's own level
}

// scopeKeys move through the projects, pick them and set their level.
type scopeKeys struct {
	Up, Down, Toggle, Lower, Higher, Next, Prev key.Binding
}

// scopeField picks the projects a token may reach, each at a level up to
// the person's own: a field of the console's own inside the huh form (huh
// has no per-row level).
type scopeField struct {
	form.Base
	ctx     *common.Context
	keys    scopeKeys
	rows    []scopeRow
	cursor  common.Cursor
	room    int  // the most rows shown at once
	loaded  bool // the person's projects arrived (rows may still be none)
	focused bool
	first   bool // no field before it
	last    bool // no field after it
	width   int
	height  int
}

var _ huh.Field = (*scopeField)(nil)

// newScopeField lists projects; loaded false: they have not arrived yet
// (setProjects brings them).
func newScopeField(ctx *common.Context, projects []wire.Project, loaded bool) *scopeField {
	f := &scopeField{ctx: ctx, keys: scopeKeys{
		// One help entry for the pair.
		Up:     common.Bind("↑/↓", "move", "up"),
		Down:   key.NewBinding(key.WithKeys("down")),
		Toggle: common.Bind("space", "pick", "space", "x"),
		Lower:  common.Bind("←/→", "level (up to yours)", "left"),
		Higher: key.NewBinding(key.WithKeys("right")),
		Next:   common.Bind("tab", "next field", "tab", "enter"),
		Prev:   common.Bind("shift+tab", "previous field", "shift+tab"),
	}}
	f.room = 1 << 20
	f.setProjects(projects, loaded)
	return f
}

// setProjects lists projects as they are now; a project picked before
// stays picked, at its level if the person still has it.
func (f *scopeField) setProjects(projects []wire.Project, loaded bool) {
	was := make(map[string]scopeRow, len(f.rows))
	for _, r := range f.rows {
		was[r.project.ID] = r
	}
	f.rows = f.rows[:0]
	for _, p := range projects {
		r := scopeRow{project: p, level: levelIndex(p.Level)}
		if old, ok := was[p.ID]; ok {
			r.on, r.level = old.on, min(old.level, r.level)
		}
		f.rows = append(f.rows, r)
	}
	f.loaded = loaded
	f.cursor.SetLen(len(f.rows))
	f.setRoom(f.room)
}

// picked is the scope chosen: project id to level.
func (f *scopeField) picked() map[string]string {
	scope := map[string]string{}
	for _, r := range f.rows {
		if r.on {
			scope[r.project.ID] = levels[r.level]
		}
	}
	return scope
}

func (f *scopeField) Init() tea.Cmd  { return nil }
func (f *scopeField) Focus() tea.Cmd { f.focused = true; return nil }
func (f *scopeField) Blur() tea.Cmd  { f.focused = false; return nil }
func (f *scopeField) GetKey() string { return "projects" }
func (f *scopeField) GetValue() any  { return f.picked() }

func (f *scopeField) KeyBinds() []key.Binding {
	return []key.Binding{f.keys.Toggle, f.keys.Lower, f.keys.Up, f.keys.Down}
}

func (f *scopeField) WithTheme(huh.Theme) huh.Field    { return f }
func (f *scopeField) WithKeyMap(*huh.KeyMap) huh.Field { return f }
func (f *scopeField) WithWidth(w int) huh.Field        { f.width = w; return f }
func (f *scopeField) WithHeight(h int) huh.Field       { f.height = h; return f }
func (f *scopeField) WithPosition(p huh.FieldPosition) huh.Field {
	f.first, f.last = p.IsFirst(), p.IsLast()
	return f
}

// setRoom caps how many projects are listed at once.
func (f *scopeField) setRoom(rows int) {
	f.room = rows
	f.cursor.SetHeight(max(2, min(len(f.rows), rows)))
}

func (f *scopeField) Update(msg tea.Msg) (huh.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !f.focused {
		return f, nil
	}
	switch {
	case key.Matches(k, f.keys.Next):
		return f, f.next()
	case key.Matches(k, f.keys.Prev):
		return f, f.prev()
	}
	if len(f.rows) == 0 {
		if key.Matches(k, f.keys.Down) {
			return f, f.next()
		}
		if key.Matches(k, f.keys.Up) {
			return f, f.prev()
		}
		return f, nil
	}
	r := &f.rows[f.cursor.Index]
	switch {
	case key.Matches(k, f.keys.Up):
		if f.cursor.Index == 0 {
			return f, f.prev()
		}
		f.cursor.Move(-1)
	case key.Matches(k, f.keys.Down):
		if f.cursor.Index == len(f.rows)-1 {
			return f, f.next()
		}
		f.cursor.Move(1)
	case key.Matches(k, f.keys.Toggle):
		r.on = !r.on
	case key.Matches(k, f.keys.Lower):
		r.level = max(0, r.level-1)
		r.on = true
	case key.Matches(k, f.keys.Higher):
		r.level = min(levelIndex(r.project.Level), r.level+1)
		r.on = true
	}
	return f, nil
}

// next and prev leave the field, never past the form's ends (that would
// complete huh's form).
func (f *scopeField) next() tea.Cmd {
	if f.last {
		return nil
	}
	return huh.NextField
}

func (f *scopeField) prev() tea.Cmd {
	if f.first {
		return nil
	}
	return huh.PrevField
}

func (f *scopeField) View() string {
	s := f.ctx.Styles
	fs := s.Form.Blurred
	if f.focused {
		fs = s.Form.Focused
	}
	inner := max(20, f.width-fs.Base.GetHorizontalFrameSize())
	var b strings.Builder
	b.WriteString(fs.Title.Render("Projects"))
	if len(f.rows) == 0 {
		none := "(you have no projects)"
		if !f.loaded {
			none = "(loading your projects…)"
		}
		b.WriteString("\n" + s.Muted.Render(none))
		return fs.Base.Render(b.String())
	}
	start, end := f.cursor.Visible()
	nameW := max(10, min(40, inner-6-14))
	for i := start; i < end; i++ {
		r := f.rows[i]
		box := "[ ]"
		if r.on {
			box = "[x]"
		}
		text := box + " " + common.Pad(r.project.Name, nameW) + " ‹" + levels[r.level] + "›"
		switch {
		case f.focused && i == f.cursor.Index:
			text = s.Selected.Render(text)
		case !r.on:
			text = s.Muted.Render(text)
		}
		b.WriteString("\n" + text)
	}
	if more := len(f.rows) - (end - start); more > 0 {
		b.WriteString("\n" + s.Muted.Render(common.Truncate(f.keys.Up.Help().Key+" for more: "+strconv.Itoa(len(f.rows))+" projects", inner)))
	}
	return fs.Base.Render(b.String())
}
