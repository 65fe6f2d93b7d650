package activity

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/internal/tuitest"
)

var at = time.Date(2026, 11, 28, 14, 3, 0, 0, time.UTC)

func newModel(t *testing.T, w, h int) *Model {
	t.Helper()
	ctx := common.NewContext(t.Context(), nil, func() time.Time { return at.Add(time.Hour) })
	ctx.Loc = time.UTC
	m := New(ctx)
	m.SetSize(w, h)
	return m
}

func events() []wire.Event {
	return []wire.Event{
		{ID: 5, Time: at, Type: "token.new-address", Addr: "198.51.100.9", Method: "http", Agent: "curl/8.5.0", Auth: "token", Detail: "api token-x \"ci\""},
		{ID: 4, Time: at, Type: "login.failure", Addr: "203.0.113.5", Method: "http", Agent: "python-requests/2.31", Auth: "password"},
		{ID: 3, Time: at, Type: "login.success", Addr: "10.1.2.3", Method: "ssh", Auth: "ssh-key", SSHKey: "SHA256:abc"},
		{ID: 2, Time: at, Type: "token.created", Addr: "10.1.2.3", Method: "cli", Auth: "password+totp"},
	}
}

func press(m *Model, keys ...string) {
	for _, k := range keys {
		m.Update(tuitest.Key(k))
	}
}

func screen(m *Model) string { return ansi.Strip(m.View()) }

func TestListNewestFirstWithMarks(t *testing.T) {
	m := newModel(t, 80, 20)
	evs := events()
	m.SetEvents([]wire.Event{evs[3], evs[1], evs[0], evs[2]}) // any order in, newest first out
	s := screen(m)
	for _, want := range []string{"Activity · 4 events · 1 failed", "new · token at a new", "sign-in failed", "SSH key", "SSH console",
		"password + TOTP", "API (curl/8.5"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in:\n%s", want, s)
		}
	}
	if strings.Index(s, "new · token") > strings.Index(s, "token created") {
		t.Errorf("not newest first:\n%s", s)
	}
	for _, line := range strings.Split(s, "\n") {
		if w := ansi.StringWidth(line); w > 80 {
			t.Errorf("a line of %d cells at 80 columns: %q", w, line)
		}
	}
}

func TestLiveEventsKeepTheCursor(t *testing.T) {
	m := newModel(t, 80, 20)
	evs := events()
	m.SetEvents(evs[1:])
	press(m, "down") // on the SSH sign-in
	if e, _ := m.list.selected(); e.ID != 3 {
		t.Fatalf("cursor on %d", e.ID)
	}
	m.Update(common.AccountEventsMsg{Events: []wire.Event{evs[0], evs[1]}}) // one new, one seen
	if len(m.list.events) != 4 || m.list.events[0].ID != 5 {
		t.Fatalf("events after the stream: %+v", m.list.events)
	}
	if e, _ := m.list.selected(); e.ID != 3 {
		t.Errorf("the cursor moved to %d with a new event above", e.ID)
	}
}

func TestFilterFailuresAndDetails(t *testing.T) {
	m := newModel(t, 80, 20)
	m.SetEvents(events())
	press(m, "/")
	if !m.Capturing() {
		t.Fatal("the filter does not keep the keyboard")
	}
	for _, r := range "curl" {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	press(m, "enter")
	if len(m.list.shown) != 1 || m.list.events[m.list.shown[0]].ID != 5 {
		t.Errorf("filter curl shows %v", m.list.shown)
	}
	press(m, "esc") // clears the filter
	press(m, "f")
	if len(m.list.shown) != 1 || m.list.events[m.list.shown[0]].ID != 4 {
		t.Errorf("failures only shows %v", m.list.shown)
	}
	press(m, "enter")
	s := screen(m)
	for _, want := range []string{"sign-in failed", "python-requests/2.31", "203.0.113.5", "login.failure", "password"} {
		if !strings.Contains(s, want) {
			t.Errorf("details without %q:\n%s", want, s)
		}
	}
	press(m, "esc")
	if m.details != nil {
		t.Error("esc left the details open")
	}
	press(m, "esc")
	if m.list.failures {
		t.Error("esc did not clear failures only")
	}
}

func TestOlderPageAtTheEnd(t *testing.T) {
	m := newModel(t, 80, 8)
	var evs []wire.Event
	for i := 30; i > 0; i-- {
		evs = append(evs, wire.Event{ID: int64(i), Time: at, Type: "logout"})
	}
	m.Update(loadedMsg{page: &wire.EventList{Events: evs, Next: 1}})
	var cmd tea.Cmd
	for range 40 {
		_, cmd = m.Update(tuitest.Key("down"))
		if cmd != nil {
			break
		}
	}
	if cmd == nil || !m.loading {
		t.Fatal("the end of the list asked for no older page")
	}
	m.Update(loadedMsg{before: 1, page: &wire.EventList{Events: []wire.Event{{ID: 0, Time: at, Type: "logout"}}}})
	if len(m.list.events) != 31 || m.list.next != 0 {
		t.Errorf("after the older page: %d events, next %d", len(m.list.events), m.list.next)
	}
}
