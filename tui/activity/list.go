package activity

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// listKeys are the list's keys.
type listKeys struct {
	common.ListKeys
	Details, Filter, Failures, Refresh, Back key.Binding
	// While the filter has the keyboard: bare letters are typed, so only
	// the arrows move the cursor.
	FilterUp, FilterDown, FilterDone, FilterClear key.Binding
}

func newListKeys() listKeys {
	return listKeys{
		ListKeys:    common.NewListKeys(),
		Details:     common.Bind("enter", "details", "enter"),
		Filter:      common.Bind("/", "filter", "/"),
		Failures:    common.Bind("f", "failures only", "f"),
		Refresh:     common.Bind("r", "reload", "r"),
		Back:        common.Bind("esc", "back", "esc"),
		FilterUp:    common.Bind("↑", "up", "up", "pgup"),
		FilterDown:  common.Bind("↓", "down", "down", "pgdown"),
		FilterDone:  common.Bind("enter", "done", "enter"),
		FilterClear: common.Bind("esc", "clear", "esc"),
	}
}

// list is the events, newest first, with the filter.
type list struct {
	common.Common
	keys      listKeys
	events    []wire.Event      // newest first
	rows      []client.EventRow // rows[i] is events[i] in words
	shown     []int             // indexes into events that pass the filter
	next      int64             // the before value of the next older page; 0: none
	cursor    common.Cursor
	filter    textinput.Model
	filtering bool
	failures  bool // only failed sign-ins and refused codes
	hint      string

	loaded bool
	err    string

	onDetails func(wire.Event) tea.Cmd
	onMore    func() tea.Cmd
}

func newList(ctx *common.Context) *list {
	l := &list{Common: common.NewCommon(ctx), keys: newListKeys()}
	k := l.keys
	l.hint = k.Filter.Help().Key + " to filter by kind, address or client · " + k.Failures.Help().Key + ": failures only · " +
		k.Details.Help().Key + ": details"
	l.filter = common.NewInput(ctx.Styles, "sign-in, token, 2FA, an address, a client…", 100)
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

// set replaces the events (a reload): the cursor stays on the event it
// was on when that one is still there.
func (l *list) set(evs []wire.Event, next int64) {
	sel, had := l.selected()
	l.events, l.next = merge(nil, evs), next
	l.reword()
	l.loaded, l.err = true, ""
	l.refilter()
	if had {
		l.follow(sel.ID)
	}
}

// add puts events from the stream in, at the top; the cursor stays on
// its event, so what the person reads does not move away.
func (l *list) add(evs []wire.Event) {
	sel, had := l.selected()
	l.events = merge(l.events, evs)
	l.reword()
	l.refilter()
	if had {
		l.follow(sel.ID)
	}
}

// append adds an older page at the bottom.
func (l *list) append(evs []wire.Event, next int64) {
	sel, had := l.selected()
	l.events, l.next = merge(l.events, evs), next
	l.reword()
	l.refilter()
	if had {
		l.follow(sel.ID)
	}
}

func (l *list) reword() {
	l.rows = l.rows[:0]
	for _, e := range l.events {
		l.rows = append(l.rows, client.Row(e, l.Ctx.Loc))
	}
}

func (l *list) follow(id int64) {
	for i, idx := range l.shown {
		if l.events[idx].ID == id {
			l.cursor.Move(i - l.cursor.Index)
			return
		}
	}
}

// refilter keeps the events whose words contain the filter's, case
// folded: "sign-in", "failed", "token", "10.1.", "curl", "SSH key".
func (l *list) refilter() {
	q := strings.ToLower(strings.TrimSpace(l.filter.Value()))
	l.shown = l.shown[:0]
	for i, r := range l.rows {
		if l.failures && !r.Failure {
			continue
		}
		if q != "" && !l.matches(i, q) {
			continue
		}
		l.shown = append(l.shown, i)
	}
	l.cursor.SetLen(len(l.shown))
}

func (l *list) matches(i int, q string) bool {
	r, e := l.rows[i], l.events[i]
	for _, s := range [...]string{r.What, e.Type, r.Addr, r.Method, r.Client, r.Detail} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return r.New && strings.Contains("new", q)
}

func (l *list) selected() (wire.Event, bool) {
	if len(l.shown) == 0 {
		return wire.Event{}, false
	}
	return l.events[l.shown[l.cursor.Index]], true
}

func (l *list) ShortHelp() []key.Binding {
	k := l.keys
	if l.filtering {
		return []key.Binding{k.FilterDone, k.FilterClear}
	}
	f := k.Failures
	if l.failures {
		f.SetHelp("f", "all events")
	}
	return []key.Binding{k.Details, k.Filter, f, k.Refresh}
}

func (l *list) FullHelp() [][]key.Binding {
	k := l.keys
	if l.filtering {
		return [][]key.Binding{{k.FilterDone, k.FilterClear, k.FilterUp, k.FilterDown}}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Details, k.Filter, k.Failures, k.Refresh, k.Back},
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
		if l.cursor.Index >= len(l.shown)-1 && l.onMore != nil {
			return l.onMore() // at the end: the next older page
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Details):
		if e, ok := l.selected(); ok {
			return l.onDetails(e)
		}
	case key.Matches(msg, k.Filter):
		l.filtering = true
		return l.filter.Focus()
	case key.Matches(msg, k.Failures):
		l.failures = !l.failures
		l.refilter()
	case key.Matches(msg, k.Refresh):
		return common.Cmd(common.RefreshMsg{})
	case key.Matches(msg, k.Back):
		if l.filter.Value() != "" || l.failures {
			l.filter.SetValue("")
			l.failures = false
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
