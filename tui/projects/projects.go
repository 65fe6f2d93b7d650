// Package projects is the project picker: the projects the person reaches,
// with level badges, PHI and public marks and the current one marked;
// toggles for VIEW-only and public projects; Enter makes one current and
// saves it the way `latch select` does.
package projects

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

type keyMap struct {
	list                                  common.ListKeys
	Select, Filter, View, Public, Refresh key.Binding
	Back, CloseFilter                     key.Binding
	// While the filter has the keyboard, only the arrows move.
	FilterUp, FilterDown key.Binding
}

// Model is the projects screen.
type Model struct {
	ctx  *common.Context
	keys keyMap

	all     []wire.Project
	lower   []string // lower-cased name and id, for the filter
	shown   []int    // indexes into all, after the filter
	cursor  common.Cursor
	filter  textinput.Model
	editing bool // the filter field has the keyboard
	// The keys line under the list, from the keymap, built once.
	note, shortNote string

	includeView   bool
	includePublic bool
	loading       bool
	loaded        bool
	err           string
	width, height int
}

type loadedMsg struct {
	projects []wire.Project
	err      error
	view     bool
	public   bool
}

// New builds the projects screen.
func New(ctx *common.Context) *Model {
	m := &Model{ctx: ctx}
	m.keys = keyMap{
		list:        common.NewListKeys(),
		Select:      common.Bind("enter", "make current", "enter"),
		Filter:      common.Bind("/", "filter", "/"),
		View:        common.Bind("v", "include VIEW", "v"),
		Public:      common.Bind("p", "include public", "p"),
		Refresh:     common.Bind("r", "reload", "r"),
		Back:        common.Bind("esc", "clear filter", "esc"),
		CloseFilter: common.Bind("enter", "done", "enter"),
		FilterUp:    common.Bind("↑", "up", "up"),
		FilterDown:  common.Bind("↓", "down", "down"),
	}
	v, p := m.keys.View.Help().Key, m.keys.Public.Help().Key
	m.note = v + ": include projects where you only have VIEW · " + p + ": include public projects"
	m.shortNote = v + ": VIEW projects · " + p + ": public"
	m.filter = common.NewInput(ctx.Styles, "name or id", 100)
	m.filter.Prompt = "/ "
	return m
}

func (m *Model) Init() tea.Cmd { return m.load() }

func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.filter.SetWidth(max(10, w-20))
	m.cursor.SetHeight(m.listHeight())
}

func (m *Model) Capturing() bool { return m.editing }

func (m *Model) ShortHelp() []key.Binding {
	if m.editing {
		return []key.Binding{m.keys.CloseFilter, m.keys.Back}
	}
	v, p := m.keys.View, m.keys.Public
	if m.includeView {
		v.SetHelp("v", "hide VIEW")
	}
	if m.includePublic {
		p.SetHelp("p", "hide public")
	}
	return []key.Binding{m.keys.Select, m.keys.Filter, v, p}
}

func (m *Model) FullHelp() [][]key.Binding {
	l := m.keys.list
	return [][]key.Binding{
		{l.Up, l.Down, l.PageUp, l.PageDown, l.Home, l.End},
		{m.keys.Select, m.keys.Filter, m.keys.View, m.keys.Public, m.keys.Refresh, m.keys.Back},
	}
}

func (m *Model) load() tea.Cmd {
	m.loading = true
	view, public := m.includeView, m.includePublic
	level := ""
	if view {
		level = wire.LevelView
	}
	return common.Call(m.ctx, func(ctx context.Context, api common.API) ([]wire.Project, error) {
		return api.Projects(ctx, level, public)
	}, func(ps []wire.Project, err error) tea.Msg {
		return loadedMsg{projects: ps, err: err, view: view, public: public}
	})
}

// SetProjects replaces the list (tests and benchmarks).
func (m *Model) SetProjects(ps []wire.Project) {
	m.all = ps
	m.lower = make([]string, len(ps))
	for i, p := range ps {
		m.lower[i] = strings.ToLower(p.Name + " " + p.ID)
	}
	m.loaded, m.loading, m.err = true, false, ""
	m.applyFilter()
	// Start on the current project when it is listed.
	if cur := m.ctx.Project; cur != nil {
		for i, idx := range m.shown {
			if m.all[idx].ID == cur.ID {
				m.cursor.Index = i
				m.cursor.Offset = max(0, i-m.cursor.Height/2)
				m.cursor.SetLen(len(m.shown))
				break
			}
		}
	}
}

func (m *Model) applyFilter() {
	q := strings.ToLower(strings.TrimSpace(m.filter.Value()))
	m.shown = m.shown[:0]
	for i := range m.all {
		if q == "" || strings.Contains(m.lower[i], q) {
			m.shown = append(m.shown, i)
		}
	}
	m.cursor.SetLen(len(m.shown))
}

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		m.filter.SetStyles(m.ctx.Styles.Input)
	case common.RefreshMsg, common.OnlineMsg:
		return m, m.load()
	case common.AccountEventsMsg:
		if touches(msg.Events) {
			return m, m.load()
		}
	case loadedMsg:
		if msg.view != m.includeView || msg.public != m.includePublic {
			return m, nil // an older answer
		}
		m.loading = false
		if msg.err != nil {
			if text := common.LoadError(msg.err, m.loaded); text != "" {
				m.err = text
			}
			return m, nil
		}
		m.SetProjects(msg.projects)
	case tea.PasteMsg:
		if m.editing {
			var cmd tea.Cmd
			m.filter, cmd = m.filter.Update(msg)
			m.applyFilter()
			return m, cmd
		}
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.editing {
		switch {
		case key.Matches(msg, k.Back):
			m.filter.SetValue("")
			fallthrough
		case key.Matches(msg, k.CloseFilter):
			m.editing = false
			m.filter.Blur()
			m.applyFilter()
			return nil
		case key.Matches(msg, k.FilterUp, k.FilterDown):
			m.cursor.Handle(k.list, msg)
			return nil
		}
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		m.applyFilter()
		return cmd
	}
	if m.cursor.Handle(k.list, msg) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Select):
		if len(m.shown) == 0 {
			return nil
		}
		p := m.all[m.shown[m.cursor.Index]]
		return common.Cmd(common.ProjectSelectedMsg{Project: p})
	case key.Matches(msg, k.Filter):
		m.editing = true
		return m.filter.Focus()
	case key.Matches(msg, k.View):
		m.includeView = !m.includeView
		return m.load()
	case key.Matches(msg, k.Public):
		m.includePublic = !m.includePublic
		return m.load()
	case key.Matches(msg, k.Refresh):
		return m.load()
	case key.Matches(msg, k.Back):
		if m.filter.Value() != "" {
			m.filter.SetValue("")
			m.applyFilter()
			return nil
		}
		return common.Cmd(common.BackMsg{})
	}
	return nil
}

// touches tells whether events change what the list shows: the person's
// memberships, in projects or in an org.
func touches(evs []wire.Event) bool {
	for _, e := range evs {
		switch e.Type {
		case "project.membership-changed", "org.membership-changed":
			return true
		}
	}
	return false
}
