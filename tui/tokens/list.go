package tokens

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// listKeys are the table's keys.
type listKeys struct {
	common.ListKeys
	New, Details, Revoke, RevokeAll, Filter, Sort, Reverse, ShowAll, Refresh, Back key.Binding
	// While the filter has the keyboard: bare letters are typed, so only
	// the arrows move the cursor.
	FilterUp, FilterDown, FilterDone, FilterClear key.Binding
}

func newListKeys() listKeys {
	return listKeys{
		ListKeys:    common.NewListKeys(),
		New:         common.Bind("n", "new token", "n"),
		Details:     common.Bind("enter", "details", "enter"),
		Revoke:      common.Bind("x/del", "revoke", "x", "delete"),
		RevokeAll:   common.Bind("X", "revoke all…", "X"),
		Filter:      common.Bind("/", "filter", "/"),
		Sort:        common.Bind("s", "sort", "s"),
		Reverse:     common.Bind("S", "reverse order", "S"),
		ShowAll:     common.Bind("a", "show inactive", "a"),
		Refresh:     common.Bind("r", "reload", "r"),
		Back:        common.Bind("esc", "back", "esc"),
		FilterUp:    common.Bind("↑", "up", "up", "pgup"),
		FilterDown:  common.Bind("↓", "down", "down", "pgdown"),
		FilterDone:  common.Bind("enter", "done", "enter"),
		FilterClear: common.Bind("esc", "clear", "esc"),
	}
}

// list is the table of tokens with its filter: the screen's main
// component.
type list struct {
	common.Common
	keys      listKeys
	table     table
	cursor    common.Cursor
	filter    textinput.Model
	filtering bool   // the filter field has the keyboard
	hint      string // the keys line above the table, from the keymap

	loaded bool
	err    string
	notice string

	posKey  posKey // the position line, kept while what it says is the same
	posText string

	// What the list asks of its screen, at once: a key typed right after
	// must reach what it opens, not the list.
	onNew       func() tea.Cmd
	onDetails   func(wire.Token) tea.Cmd
	onRevoke    func(wire.Token) tea.Cmd
	onRevokeAll func() tea.Cmd
}

func newList(ctx *common.Context) *list {
	l := &list{Common: common.NewCommon(ctx), keys: newListKeys()}
	k := l.keys
	l.hint = k.Filter.Help().Key + " to filter · " + k.ShowAll.Help().Key + ": include revoked and expired · " +
		k.RevokeAll.Help().Key + ": revoke all"
	l.table.desc = true // newest first
	l.filter = common.NewInput(ctx.Styles, "name, id, kind, state or project", 100)
	l.filter.Prompt = "/ "
	return l
}

func (l *list) Init() tea.Cmd { return nil }

func (l *list) SetSize(w, h int) {
	l.Common.SetSize(w, h)
	l.filter.SetWidth(max(10, w-20))
	l.cursor.SetHeight(l.listHeight())
}

func (l *list) restyle() { l.filter.SetStyles(l.Ctx.Styles.Input) }

// setTokens replaces the table's tokens. The cursor stays on the token it
// was on when that one is still shown (a reload after a change elsewhere
// must not move it).
func (l *list) setTokens(toks []wire.Token) {
	sel, had := l.selected()
	l.table.set(toks)
	l.loaded, l.err = true, ""
	l.refilter()
	if !had {
		return
	}
	for i, idx := range l.table.shown {
		if l.table.all[idx].ID == sel.ID {
			l.cursor.Move(i - l.cursor.Index)
			return
		}
	}
}

// setProjects gives the table the projects' names for the scope column.
func (l *list) setProjects(ps []wire.Project) {
	l.table.names = make(map[string]string, len(ps))
	for _, p := range ps {
		l.table.names[p.ID] = p.Name
	}
	l.table.set(l.table.all)
}

func (l *list) refilter() {
	l.table.apply(l.filter.Value())
	l.cursor.SetLen(len(l.table.shown))
}

func (l *list) selected() (wire.Token, bool) {
	if len(l.table.shown) == 0 {
		return wire.Token{}, false
	}
	return l.table.all[l.table.shown[l.cursor.Index]], true
}

func (l *list) ShortHelp() []key.Binding {
	k := l.keys
	if l.filtering {
		return []key.Binding{k.FilterDone, k.FilterClear}
	}
	all := k.ShowAll
	if l.table.showAll {
		all.SetHelp("a", "active only")
	}
	return []key.Binding{k.Details, k.New, k.Revoke, k.Filter, k.Sort, all}
}

func (l *list) FullHelp() [][]key.Binding {
	k := l.keys
	if l.filtering {
		return [][]key.Binding{{k.FilterDone, k.FilterClear, k.FilterUp, k.FilterDown}}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Details, k.New, k.Revoke, k.RevokeAll, k.Refresh},
		{k.Filter, k.Sort, k.Reverse, k.ShowAll, k.Back},
	}
}

func (l *list) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if l.filtering {
			var cmd tea.Cmd
			l.filter, cmd = l.filter.Update(msg)
			l.refilter()
			return l, cmd
		}
	case tea.KeyPressMsg:
		if l.filtering {
			return l, l.filterKey(msg)
		}
		return l, l.key(msg)
	}
	return l, nil
}

func (l *list) key(msg tea.KeyPressMsg) tea.Cmd {
	k := l.keys
	if l.cursor.Handle(k.ListKeys, msg) {
		return nil
	}
	l.notice = ""
	switch {
	case key.Matches(msg, k.New):
		return l.onNew()
	case key.Matches(msg, k.Details):
		if t, ok := l.selected(); ok {
			return l.onDetails(t)
		}
		return nil
	case key.Matches(msg, k.Revoke):
		t, ok := l.selected()
		if !ok {
			return nil
		}
		if t.State != wire.StateActive {
			l.notice = "That token is already " + t.State + "."
			return nil
		}
		return l.onRevoke(t)
	case key.Matches(msg, k.RevokeAll):
		return l.onRevokeAll()
	case key.Matches(msg, k.Filter):
		l.filtering = true
		return l.filter.Focus()
	case key.Matches(msg, k.Sort):
		l.table.nextSort()
		l.refilter()
	case key.Matches(msg, k.Reverse):
		l.table.reverse()
		l.refilter()
	case key.Matches(msg, k.ShowAll):
		l.table.showAll = !l.table.showAll
		l.refilter()
	case key.Matches(msg, k.Refresh):
		return common.Cmd(common.RefreshMsg{})
	case key.Matches(msg, k.Back):
		if l.filter.Value() != "" {
			l.filter.SetValue("")
			l.refilter()
			return nil
		}
		return common.Cmd(common.BackMsg{})
	}
	return nil
}

func (l *list) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	k := l.keys
	switch {
	case key.Matches(msg, k.FilterClear):
		l.filter.SetValue("")
		l.closeFilter()
		return nil
	case key.Matches(msg, k.FilterDone):
		l.closeFilter()
		return nil
	case key.Matches(msg, k.FilterUp, k.FilterDown):
		l.cursor.Handle(k.ListKeys, msg)
		return nil
	}
	var cmd tea.Cmd
	l.filter, cmd = l.filter.Update(msg)
	l.refilter()
	return cmd
}

func (l *list) closeFilter() {
	l.filtering = false
	l.filter.Blur()
	l.refilter()
}
