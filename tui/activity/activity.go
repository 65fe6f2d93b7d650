// Package activity is the console's Activity tab: the account's events,
// newest first, live (the server's watch stream brings new ones while the
// tab is open), each with its time, what happened, the address, how the
// person signed in and with which client; failed sign-ins in the error
// colour, a token at a new address marked new, a filter (/) and
// the details of one event (enter). The words are the client package's,
// the same as `latch events` prints.
package activity

import (
	"context"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
)

// pageSize is how many events a load asks for; older ones come a page at
// a time when the cursor reaches the end.
const pageSize = 200

// Model is the Activity tab.
type Model struct {
	common.Common
	list    *list
	details *details // nil unless one event is shown
	loading bool     // a page is on its way
}

type loadedMsg struct {
	before int64 // 0: the newest page (a reload)
	page   *wire.EventList
	err    error
}

// New builds the Activity tab.
func New(ctx *common.Context) *Model {
	m := &Model{Common: common.NewCommon(ctx), list: newList(ctx)}
	m.list.onDetails = m.openDetails
	m.list.onMore = m.more
	return m
}

func (m *Model) openDetails(e wire.Event) tea.Cmd {
	m.details = newDetails(m.Ctx, e, func() tea.Cmd { m.details = nil; return nil })
	m.details.SetSize(m.Width, m.Height)
	return nil
}

func (m *Model) Init() tea.Cmd { return m.load(0) }

func (m *Model) SetSize(w, h int) {
	m.Common.SetSize(w, h)
	m.list.SetSize(w, h)
	if m.details != nil {
		m.details.SetSize(w, h)
	}
}

func (m *Model) active() common.Component {
	if m.details != nil {
		return m.details
	}
	return m.list
}

// Capturing: the filter keeps the keyboard while it is typed in.
func (m *Model) Capturing() bool { return m.list.filtering }

func (m *Model) ShortHelp() []key.Binding  { return m.active().ShortHelp() }
func (m *Model) FullHelp() [][]key.Binding { return m.active().FullHelp() }
func (m *Model) View() string              { return m.active().View() }

// load asks for the page of events older than before (0: the newest).
func (m *Model) load(before int64) tea.Cmd {
	m.loading = true
	return common.Call(m.Ctx, func(ctx context.Context, api common.API) (*wire.EventList, error) {
		return api.Events(ctx, before, pageSize)
	}, func(p *wire.EventList, err error) tea.Msg { return loadedMsg{before: before, page: p, err: err} })
}

// more loads the next older page, once, when there is one.
func (m *Model) more() tea.Cmd {
	if m.loading || m.list.next == 0 {
		return nil
	}
	return m.load(m.list.next)
}

// SetEvents replaces the list's events (tests and benchmarks).
func (m *Model) SetEvents(evs []wire.Event) { m.list.set(evs, 0) }

func (m *Model) Update(msg tea.Msg) (common.Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case common.ThemeMsg:
		m.list.restyle()
		return m, nil
	case common.RefreshMsg, common.OnlineMsg:
		// Events made while the stream was lost were not sent: read the
		// newest page again.
		return m, m.load(0)
	case common.AccountEventsMsg:
		m.list.add(msg.Events)
		return m, nil
	case loadedMsg:
		m.loading = false
		if msg.err != nil {
			if text := common.LoadError(msg.err, m.list.loaded); text != "" {
				m.list.err = text
			}
			return m, nil
		}
		if msg.before == 0 {
			m.list.set(msg.page.Events, msg.page.Next)
		} else {
			m.list.append(msg.page.Events, msg.page.Next)
		}
		return m, nil
	case tea.KeyPressMsg, tea.PasteMsg:
		_, cmd := m.active().Update(msg)
		return m, cmd
	}
	return m, nil
}

// merge puts evs into have, newest first, each event once (a reload and
// the stream may both bring one).
func merge(have, evs []wire.Event) []wire.Event {
	seen := make(map[int64]bool, len(have))
	for _, e := range have {
		seen[e.ID] = true
	}
	out := have
	for _, e := range evs {
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b wire.Event) int {
		switch {
		case a.ID > b.ID:
			return -1
		case a.ID < b.ID:
			return 1
		}
		return 0
	})
	return out
}
