package form_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/latch-dev/latch/tui/common"
	"github.com/latch-dev/latch/tui/form"
	"github.com/latch-dev/latch/tui/internal/tuitest"
)

// harness drives one form the way a screen does: keys that submit are
// checked first, everything else (and what its commands answer) goes to
// the form.
type harness struct {
	t       *testing.T
	f       *form.Form
	submits int
}

func (h *harness) send(msg tea.Msg) {
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		if k, ok := m.(tea.KeyPressMsg); ok && h.f.Submits(k) {
			h.submits++
			continue
		}
		queue = append(queue, tuitest.Collect(h.f.Update(m))...)
	}
}

func (h *harness) keys(names ...string) {
	for _, n := range names {
		h.send(tuitest.Key(n))
	}
}

func (h *harness) typ(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (h *harness) screen() string { return ansi.Strip(h.f.View()) }

type values struct {
	name, pass, date string
	when             int
	agree            bool
}

func newHarness(t *testing.T, v *values) *harness {
	ctx := common.NewContext(nil, nil, nil)
	f := form.New(ctx, form.NewKeyMap("save"),
		form.Text("name", "Name", &v.name).Placeholder("what it is for"),
		form.Text("pass", "Password", &v.pass).Secret(),
		form.Choice("when", "Expires", &v.when, huh.NewOption("soon", 0), huh.NewOption("custom…", 1)),
		form.Text("date", "Date", &v.date).Placeholder("2027-01-31").When(func() bool { return v.when == 1 }),
		form.Check("agree", "Also revoke", &v.agree),
	)
	f.SetSize(80, 20)
	h := &harness{t: t, f: f}
	for _, m := range tuitest.Collect(f.Init()) {
		h.send(m)
	}
	return h
}

func TestFormTypesMovesAndHides(t *testing.T) {
	var v values
	h := newHarness(t, &v)
	if got := h.f.Focused(); got != "name" {
		t.Fatalf("focus starts on %q", got)
	}
	h.typ("nightly")
	h.keys("tab")
	h.typ("secret")
	if v.name != "nightly" || v.pass != "secret" {
		t.Fatalf("values %+v", v)
	}
	s := h.screen()
	if strings.Contains(s, "secret") || !strings.Contains(s, "nightly") {
		t.Fatalf("password shown or name missing:\n%s", s)
	}
	if strings.Contains(s, "Date") {
		t.Fatalf("the date field shows before it applies:\n%s", s)
	}
	h.keys("tab", "right")
	if v.when != 1 || !strings.Contains(h.screen(), "Date") {
		t.Fatalf("custom date not shown (when=%d):\n%s", v.when, h.screen())
	}
	h.keys("tab")
	if got := h.f.Focused(); got != "date" {
		t.Fatalf("tab went to %q", got)
	}
	h.keys("shift+tab", "left", "tab")
	if got := h.f.Focused(); got != "agree" {
		t.Fatalf("hidden date not skipped: focus on %q", got)
	}
	// enter moves on until the last field, where it submits.
	if h.submits != 0 {
		t.Fatal("submitted early")
	}
	h.keys("space", "enter")
	if h.submits != 1 || !v.agree {
		t.Fatalf("submits %d, agree %v", h.submits, v.agree)
	}
	// The form lives on after a submit: a refusal goes to its field.
	h.f.Fail("pass", "That password is not correct.")
	h.f.Clear("pass")
	if got := h.f.Focused(); got != "pass" || v.pass != "" {
		t.Fatalf("focus %q, pass %q", got, v.pass)
	}
	h.typ("again")
	if v.pass != "again" || !strings.Contains(h.screen(), "That password is not correct.") {
		t.Fatalf("pass %q:\n%s", v.pass, h.screen())
	}
	h.keys("ctrl+s")
	if h.submits != 2 {
		t.Fatal("ctrl+s did not submit")
	}
}

// Keys typed ahead (a burst over SSH, a fast typist) land in the field
// they were meant for: moving between fields does not wait for huh's
// message round trip.
func TestFormMovesBeforeTheNextKey(t *testing.T) {
	var v values
	h := newHarness(t, &v)
	for _, k := range []tea.Msg{
		tea.KeyPressMsg{Code: 'a', Text: "a"}, tuitest.Key("tab"),
		tea.KeyPressMsg{Code: 'b', Text: "b"}, tuitest.Key("tab"), tuitest.Key("right"),
	} {
		h.f.Update(k) // what the commands answer is not delivered
	}
	if v.name != "a" || v.pass != "b" || v.when != 1 {
		t.Fatalf("typed ahead: %+v", v)
	}
}

// A capped field takes no more than its cap, typed or pasted, and still
// shows its whole placeholder.
func TestFormLimit(t *testing.T) {
	var code string
	ctx := common.NewContext(nil, nil, nil)
	f := form.New(ctx, form.NewKeyMap("verify"), form.Text("code", "Code", &code).Placeholder("6-digit code").Limit(6))
	f.SetSize(60, 3)
	h := &harness{t: t, f: f}
	if s := h.screen(); !strings.Contains(s, "6-digit code") {
		t.Fatalf("placeholder cut:\n%s", s)
	}
	h.typ("1234567")
	if code != "123456" {
		t.Fatalf("typed %q", code)
	}
	h.keys("backspace", "backspace")
	h.send(tea.PasteMsg{Content: "98765"})
	if code != "123498" {
		t.Fatalf("pasted into %q", code)
	}
}
