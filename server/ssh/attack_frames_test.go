package sshd

import (
	"context"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	gossh "golang.org/x/crypto/ssh"
)

// stuckConsole is a console whose client stopped reading: its output is
// never read, so once the SSH window (2 MB for the Go client) is full the
// server cannot write another byte of stdout or stderr. Switching tabs
// makes the console redraw until it is full (fill).
type stuckConsole struct {
	sess *gossh.Session
	in   io.Writer
}

func (w *world) stuckConsole(user string, key *userKey) *stuckConsole {
	w.t.Helper()
	c := w.mustDial(user, key)
	sess, err := c.NewSession()
	if err != nil {
		w.t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 100, 300, gossh.TerminalModes{}); err != nil {
		w.t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		w.t.Fatal(err)
	}
	// Pipes that are never read: the client's window is never adjusted.
	if _, err := sess.StdoutPipe(); err != nil {
		w.t.Fatal(err)
	}
	if _, err := sess.StderrPipe(); err != nil {
		w.t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { sess.Close() })
	return &stuckConsole{sess: sess, in: in}
}

// fill redraws most of the console again and again — tab after tab at
// 300×100 — until far more than the window was sent. (Keys, not resizes:
// charm.land/ssh changes a session's Pty in place on a resize, and a
// resize sent while the session starts races with its one read of it.)
func (s *stuckConsole) fill(t *testing.T) {
	t.Helper()
	for i := range 1000 { // about 5 MB for a client that reads; the window is 2 MB
		if _, err := io.WriteString(s.in, string("1234"[i%4])); err != nil {
			t.Fatal(err)
		}
		time.Sleep(3 * time.Millisecond)
	}
	time.Sleep(time.Second) // let the server write until it blocks
}

// theSession is the only open session of w's server.
func (w *world) theSession() *session {
	w.t.Helper()
	var st *session
	waitFor(w.t.(*testing.T), func() bool {
		w.srv.mu.Lock()
		defer w.srv.mu.Unlock()
		for s := range w.srv.sessions {
			st = s
		}
		return st != nil
	}, "a session")
	return st
}

// TestAttackStuckClientIsStillDisconnectedWhenIdle: a client that stopped
// reading its console cannot keep its session (and its place in the
// per-user and per-server caps) past the inactivity policy: the idle
// disconnect ends the session on the server even though nothing more can
// be written to the client.
func TestAttackStuckClientIsStillDisconnectedWhenIdle(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	s := w.stuckConsole("amy", k)
	st := w.theSession()
	s.fill(t)
	// A quarter of an hour without input, as the idle timer sees it.
	st.lastInput.Store(time.Now().Add(-time.Hour).UnixNano())
	st.checkIdle()
	deadline := time.Now().Add(10 * time.Second)
	for w.srv.Sessions() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the idle session of a client that stopped reading was never released")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAttackStuckClientDoesNotHoldUpShutdown: Shutdown ends a session
// whose client stopped reading within its grace, and reports no error.
func TestAttackStuckClientDoesNotHoldUpShutdown(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	s := w.stuckConsole("amy", k)
	w.theSession()
	s.fill(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	if err := w.srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a client that stopped reading: %v", err)
	}
	if n := w.srv.Sessions(); n != 0 {
		t.Fatalf("%d sessions left after shutdown", n)
	}
}

// TestAttackStuckClientCannotGrowTheServersMemory: what Bubble Tea and the
// console write themselves (clipboard copies, queries) waits in the frame
// writer while the client does not read; a client that keeps typing the
// copy key without reading must not make that wait without bound.
func TestAttackStuckClientCannotGrowTheServersMemory(t *testing.T) {
	s := stuck{release: make(chan struct{})}
	defer close(s.release)
	f := newFrames(s, 80, 24, nil)
	defer f.close(10 * time.Millisecond)
	f.show("x") // the writer is now blocked on the client
	copyOf := []byte("\x1b]52;c;" + strings.Repeat("QUJD", 20) + "\x07")
	for range 200_000 { // 17 MB of copies
		if _, err := f.Write(copyOf); err != nil {
			t.Fatal(err)
		}
	}
	f.mu.Lock()
	held := len(f.raw)
	f.mu.Unlock()
	if held > 1<<20 {
		t.Fatalf("the frame writer holds %d bytes for a client that does not read", held)
	}
}

// TestAttackEscapesInTheSSHUsernameStayText: the SSH username, which the
// client chooses freely and the console prefills on its sign-in screen,
// cannot reach the client's terminal as escape sequences through the
// frame writer: no OSC (window title, clipboard) but the console's own,
// and the line it is on is not moved by a carriage return.
func TestAttackEscapesInTheSSHUsernameStayText(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	evil := "x\x1b]2;pwned\x07\x1b]52;c;zxzpbgo=\x07\rover\x1b[31mred\x9b2j\x1b[2j"
	c, err := w.dial(evil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	tm := w.consoleWith(c, 80, 24)
	tm.Expect("Sign in to latch", "Username")
	time.Sleep(300 * time.Millisecond)
	for _, osc := range tm.vt.OSCs() {
		if osc != "2;latch" && osc != "11;?" { // the title, the background query
			t.Errorf("the terminal got an OSC of the client's username: %q", osc)
		}
	}
	// The control characters are dropped and the rest stays text.
	if !strings.Contains(tm.vt.Screen(), "x]2;pwned]52;c;zxzpbgo= over[31mred") {
		t.Errorf("the username is not shown as text:\n%s", tm.vt.Screen())
	}
}

// TestAttackExtremeWindowSizes: a window of 0×0, one of 10000×10000 and a
// burst of resizes neither end the console nor leave it unable to draw
// when the window is normal again.
func TestAttackExtremeWindowSizes(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	tm := w.console("amy", k, 80, 24)
	tm.Expect("1 Projects")
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, size := range [][2]int{{0, 0}, {10000, 10000}, {1, 1}, {0, 24}, {80, 0}, {1 << 31, 1 << 31}, {1<<32 - 1, 1<<32 - 1}, {100000, 3}} {
		if err := tm.sess.WindowChange(size[1], size[0]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for i := range 200 {
		if err := tm.sess.WindowChange(10+i%50, 20+i%100); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(time.Second)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	t.Logf("allocated %d MB during the resizes", (after.TotalAlloc-before.TotalAlloc)>>20)
	tm.vt.Resize(100, 30)
	if err := tm.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	tm.Keys("2")
	tm.Expect("Tokens", "auto-logout in")
	if n := w.srv.Sessions(); n != 1 {
		t.Fatalf("%d sessions", n)
	}
}

// recorder keeps every byte the client's terminal got.
type recorder struct {
	vt *vt
	mu sync.Mutex
	b  strings.Builder
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	r.b.Write(p)
	r.mu.Unlock()
	return r.vt.Write(p)
}

func (r *recorder) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.b.String()
}

// recordedConsole is consoleWith, keeping what the terminal got.
func (w *world) recordedConsole(c *gossh.Client, width, height int) (*term, *recorder) {
	w.t.Helper()
	rec := &recorder{vt: newVT(width, height)}
	return w.openConsole(c, rec.vt, rec), rec
}

// TestAttackTerminalIsRestoredOnEveryWayOut: however the console ends —
// the person quits, the idle policy, the key removed, the server shutting
// down, a panic in the console — the client's terminal gets the restore
// (alternate screen left, cursor shown, kitty keyboard popped, bracketed
// paste and modifyOtherKeys off) after the last frame.
func TestAttackTerminalIsRestoredOnEveryWayOut(t *testing.T) {
	ways := map[string]func(w *world, tm *term, k *userKey){
		"quit": func(_ *world, tm *term, _ *userKey) { tm.Keys("ctrl+c") },
		"idle": func(w *world, _ *term, _ *userKey) {
			st := w.theSession()
			st.lastInput.Store(time.Now().Add(-time.Hour).UnixNano())
			st.checkIdle()
		},
		"key removed": func(w *world, _ *term, k *userKey) {
			if err := w.apiLogin("amy", "").RemoveSSHKey(context.Background(), ssh256(k)); err != nil {
				t.Error(err)
			}
		},
		"shutdown": func(w *world, _ *term, _ *userKey) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := w.srv.Shutdown(ctx); err != nil {
				t.Error(err)
			}
		},
		"panic": func(_ *world, tm *term, _ *userKey) { tm.Keys("!") },
	}
	for name, end := range ways {
		t.Run(name, func(t *testing.T) {
			w := newWorld(t)
			w.seedAmy(15 * time.Minute)
			w.srv.panicOn = func(msg any) bool {
				km, ok := msg.(tea.KeyPressMsg)
				return ok && km.String() == "!"
			}
			k := w.registerKey("amy", "laptop")
			tm, rec := w.recordedConsole(w.mustDial("amy", k), 80, 24)
			tm.Expect("1 Projects")
			end(w, tm, k)
			tm.Ended(10 * time.Second)
			out := rec.String()
			if !strings.HasSuffix(out, restoreTerminal) {
				tail := out[max(0, len(out)-200):]
				t.Fatalf("the terminal was not restored last; output ends %q", tail)
			}
		})
	}
}

// TestAttackCopyGoesToItsOwnSessionOnly: two consoles of the same person
// side by side: a token secret copied in one reaches that client's
// clipboard and never the other's; ctrl+z (suspend) in the other does
// nothing but leave it working.
func TestAttackCopyGoesToItsOwnSessionOnly(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	a := w.console("amy", k, 80, 24)
	b := w.console("amy", k, 80, 24)
	a.Expect("1 Projects")
	b.Expect("1 Projects")
	b.Keys("\x1a") // ctrl+z
	want := copyNewToken(a)
	waitFor(t, func() bool { return slices.Contains(a.vt.OSCs(), want) }, "the secret in the clipboard")
	b.Keys("2")
	b.Expect("API tokens")
	for _, osc := range b.vt.OSCs() {
		if strings.HasPrefix(osc, "52;") {
			t.Fatalf("the other session's terminal got a copy: %q", osc)
		}
	}
}

// TestAttackMalformedFramesDoNotTakeTheServerDown: the frame writer runs
// on its own goroutine, outside the console's panic guard, and writes
// through the colour writer, whose parser panics on a control sequence of
// more than 32 parameters (x/ansi v0.11.9). Whatever a frame holds —
// invalid UTF-8, an escape cut short, a huge parameter, wide runes at the
// edge, a line far wider than the window — it is drawn, or the panic is
// handed to the session (which ends) instead of ending the process.
func TestAttackMalformedFramesDoNotTakeTheServerDown(t *testing.T) {
	nasty := []string{
		"\xff\xfe\xfd", "\x1b", "\x1b[", "\x1b]52;c;", "\x1b[99999999999999999999m",
		"\x1b[" + strings.Repeat("1;", 40) + "m", "世界世界世界世界世界世界", strings.Repeat("é", 5000),
		"a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "\x9b31m", "\x1bP" + strings.Repeat("x", 100) + "\x1b\\",
		"👩‍👩‍👧‍👦👩‍👩‍👧‍👦👩‍👩‍👧‍👦", "\t\t\t\t\t\t\t\t\t\t\t\t",
	}
	panicked := 0
	for _, w := range []int{1, 2, 3, 7, 80} {
		for _, s := range nasty {
			term := newWrites(w, 3)
			crash := make(chan any, 1)
			f := newFrames(&colorprofile.Writer{Forward: term, Profile: colorprofile.ANSI}, w, 3,
				func(v any, _ []byte) { crash <- v })
			f.show(lines(s, s+s, "status"))
			select {
			case <-term.got:
			case <-crash:
				panicked++
				if got := term.next(t); !strings.HasSuffix(got, restoreTerminal) {
					t.Errorf("after a panic the terminal got %q, not its restore", got)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("width %d, frame %q: neither drawn nor reported", w, s)
			}
			f.close(time.Second)
		}
	}
	t.Logf("%d frames panicked in the writer and were handed to their session", panicked)
}

// TestAttackLongControlSequencesAsInput: the client's input is parsed too;
// control sequences with more parameters than a parser holds (x/ansi's
// holds 32), escapes cut short and invalid UTF-8, typed at the console,
// neither end the server nor the console.
func TestAttackLongControlSequencesAsInput(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	tm := w.console("amy", k, 80, 24)
	tm.Expect("1 Projects")
	many := strings.Repeat("1;", 40) + "1"
	for _, in := range []string{
		"\x1b[" + many + "m", "\x1b[" + many + "u", "\x1b[<" + many + "M", "\x1b[?" + many + "c",
		"\x1b]11;" + strings.Repeat("rgb:ffff/ffff/ffff;", 40) + "\x07", "\x1bP" + many + "|\x1b\\",
		"\x1b[" + strings.Repeat("9", 40) + "~", "\xff\xfe", "\xe2\x9b" + many + "m", "\xc4\x9b" + many + "m", "\x1b[200~" + strings.Repeat("x", 100) + "\x1b[201~",
	} {
		tm.Keys(in)
	}
	tm.Keys("2")
	tm.Expect("API tokens")
	// And one typed before anyone signed in, by a client without a key.
	anon := w.console("amy", nil, 80, 24)
	anon.Expect("Sign in to latch")
	anon.Keys("\x1b[" + many + "m")
	anon.Keys("x")
	anon.Expect("Sign in to latch")
	w.console("amy", k, 80, 24).Expect("1 Projects")
}
