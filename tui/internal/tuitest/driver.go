// Package tuitest drives console models in tests: a synchronous message
// pump with keys by name, timers under the test's control, and
// normalisation of the random parts of a screen for golden files. The
// server the console talks to is the shared test environment's
// (server/testenv): like the console itself, this package imports nothing
// under server/.
package tuitest

import (
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Renderer is a model that can draw itself as text.
type Renderer interface {
	tea.Model
	Render() string
}

// Driver feeds a model messages and runs the commands they return until
// nothing is left, so a test reads the screen once a key's effects are
// done. Timers do not run by themselves: Ticks collects them and Fire
// delivers them.
type Driver struct {
	t     testing.TB
	Model Renderer
	Quit  bool

	mu    sync.Mutex
	ticks []func(time.Time) tea.Msg
	// Messages of commands that wait for the server's stream (Await):
	// they run on their own goroutines and are delivered by Pump and
	// WaitFor, as a program would when they arrive.
	async chan tea.Msg
}

// NewDriver starts m at width×height.
func NewDriver(t testing.TB, m Renderer, width, height int) *Driver {
	d := &Driver{t: t, Model: m, async: make(chan tea.Msg, 256)}
	d.run(m.Init())
	d.Send(tea.WindowSizeMsg{Width: width, Height: height})
	return d
}

// Tick is the timer function to inject into the model: it records the
// timer instead of sleeping.
func (d *Driver) Tick(_ time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	d.mu.Lock()
	d.ticks = append(d.ticks, fn)
	d.mu.Unlock()
	return nil
}

// Fire delivers every pending timer at now.
func (d *Driver) Fire(now time.Time) {
	d.mu.Lock()
	ticks := d.ticks
	d.ticks = nil
	d.mu.Unlock()
	for _, fn := range ticks {
		d.Send(fn(now))
	}
}

// Send delivers msg and everything its commands produce.
func (d *Driver) Send(msg tea.Msg) {
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		if next == nil {
			continue
		}
		if _, ok := next.(tea.QuitMsg); ok {
			d.Quit = true
			continue
		}
		model, cmd := d.Model.Update(next)
		d.Model = model.(Renderer)
		queue = append(queue, d.collect(cmd)...)
	}
}

func (d *Driver) run(cmd tea.Cmd) {
	for _, m := range d.collect(cmd) {
		d.Send(m)
	}
}

// collect runs cmd (and the commands of a batch) and returns the messages;
// a command that waits for the stream runs apart (Pump delivers it).
func (d *Driver) collect(cmd tea.Cmd) []tea.Msg {
	return collect(cmd, func(c tea.Cmd) {
		go func() { d.async <- c() }()
	})
}

// Collect runs cmd, and the commands of a batch or a sequence, in order,
// and returns their messages. A text cursor's blink is a timer, and timers
// do not run by themselves here: it is dropped, and the cursor stays on.
// A command that waits for the server's stream (IsAwait) is dropped too.
func Collect(cmd tea.Cmd) []tea.Msg { return collect(cmd, func(tea.Cmd) {}) }

func collect(cmd tea.Cmd, await func(tea.Cmd)) []tea.Msg {
	if cmd == nil || isBlink(cmd) {
		return nil
	}
	if IsAwait(cmd) {
		await(cmd)
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, collect(c, await)...)
		}
		return out
	}
	// tea.Sequence's message type is unexported: a slice of commands.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == cmdType {
		var out []tea.Msg
		for i := range v.Len() {
			out = append(out, collect(v.Index(i).Interface().(tea.Cmd), await)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// IsAwait tells a command that blocks until the server's watch stream
// says something — a method named Await (tui's follower) — by its
// function.
func IsAwait(cmd tea.Cmd) bool {
	fn := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer())
	return fn != nil && strings.HasSuffix(fn.Name(), ".Await-fm")
}

// Pump delivers what the stream said within d (and what that leads to).
func (d *Driver) Pump(wait time.Duration) {
	deadline := time.After(wait)
	for {
		select {
		case msg := <-d.async:
			d.Send(msg)
		case <-deadline:
			return
		}
	}
}

// WaitFor delivers what the stream says until the screen shows text, for
// up to 10 s, and returns how long that took.
func (d *Driver) WaitFor(text string) time.Duration {
	d.t.Helper()
	start := time.Now()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(d.Screen(), text) {
		select {
		case msg := <-d.async:
			d.Send(msg)
		case <-deadline:
			d.t.Fatalf("the screen never showed %q:\n%s", text, d.Screen())
		}
	}
	return time.Since(start)
}

var cmdType = reflect.TypeOf(tea.Cmd(nil))

// isBlink tells the bubbles cursor's blink timer by its function (it
// sleeps half a second and starts the next one, for ever).
func isBlink(cmd tea.Cmd) bool {
	fn := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer())
	return fn != nil && strings.HasPrefix(fn.Name(), "charm.land/bubbles/v2/cursor.")
}

// Keys presses keys by name ("enter", "tab", "shift+tab", "esc", "up",
// "ctrl+b", "space", "X"...).
func (d *Driver) Keys(names ...string) {
	for _, n := range names {
		d.Send(Key(n))
	}
}

// Type types text, one key per character.
func (d *Driver) Type(text string) {
	for _, r := range text {
		d.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// Screen is the current screen as plain text.
func (d *Driver) Screen() string { return ansi.Strip(d.Model.Render()) }

// Expect fails the test unless the screen shows every one of texts.
func (d *Driver) Expect(texts ...string) {
	d.t.Helper()
	screen := d.Screen()
	for _, text := range texts {
		if !strings.Contains(screen, text) {
			d.t.Fatalf("the screen does not show %q:\n%s", text, screen)
		}
	}
}

// Refute fails the test if the screen shows text.
func (d *Driver) Refute(text string) {
	d.t.Helper()
	if screen := d.Screen(); strings.Contains(screen, text) {
		d.t.Fatalf("the screen shows %q:\n%s", text, screen)
	}
}

var named = map[string]tea.KeyPressMsg{
	"enter":     {Code: tea.KeyEnter},
	"tab":       {Code: tea.KeyTab},
	"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
	"esc":       {Code: tea.KeyEscape},
	"up":        {Code: tea.KeyUp},
	"down":      {Code: tea.KeyDown},
	"left":      {Code: tea.KeyLeft},
	"right":     {Code: tea.KeyRight},
	"pgdown":    {Code: tea.KeyPgDown},
	"pgup":      {Code: tea.KeyPgUp},
	"home":      {Code: tea.KeyHome},
	"end":       {Code: tea.KeyEnd},
	"backspace": {Code: tea.KeyBackspace},
	"delete":    {Code: tea.KeyDelete},
	"space":     {Code: tea.KeySpace, Text: " "},
	"f1":        {Code: tea.KeyF1},
}

// Key is the key press called name.
func Key(name string) tea.KeyPressMsg {
	if k, ok := named[name]; ok {
		return k
	}
	if rest, ok := strings.CutPrefix(name, "ctrl+"); ok && len(rest) == 1 {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(name)
	if len(r) != 1 {
		panic("tuitest: unknown key " + name)
	}
	return tea.KeyPressMsg{Code: r[0], Text: name}
}
