package sshd

import (
	"encoding/base64"
	"slices"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"strings"
	"testing"
	"time"
)

// writes is a terminal that tells each write it gets.
type writes struct {
	vt  *vt
	got chan string
}

func newWrites(w, h int) *writes {
	return &writes{vt: newVT(w, h), got: make(chan string, 64)}
}

// Write tells the write once the screen holds it: told first, a test
// could read the screen before the write reached it (seen under -race).
func (w *writes) Write(b []byte) (int, error) {
	n, err := w.vt.Write(b)
	w.got <- string(b)
	return n, err
}

func (w *writes) next(t *testing.T) string {
	t.Helper()
	select {
	case s := <-w.got:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the frame was never written")
		return ""
	}
}

func lines(s ...string) string { return strings.Join(s, "\n") }

// TestFramesDrawOnlyWhatChanged: the first frame sets the terminal up and
// draws everything; an unchanged frame writes nothing; a changed one
// writes its changed line only, and the screen matches the frame.
func TestFramesDrawOnlyWhatChanged(t *testing.T) {
	term := newWrites(20, 4)
	f := newFrames(term, 20, 4, nil)
	defer f.close(time.Second)

	f.show(lines("title", "first row", "second row", "status"))
	first := term.next(t)
	if !strings.Contains(first, setupTerminal) {
		t.Errorf("the first write does not set the terminal up: %q", first)
	}
	if got, want := term.vt.Screen(), lines("title", "first row", "second row", "status"); got != want {
		t.Fatalf("screen:\n%s\nwant:\n%s", got, want)
	}

	// The same frame again, then bytes of Bubble Tea's own: the write that
	// follows holds those bytes alone, so the frame added nothing.
	f.show(lines("title", "first row", "second row", "status"))
	_, _ = f.Write([]byte("\x1b]52;c;eA==\x07"))
	if got := term.next(t); got != "\x1b]52;c;eA==\x07" {
		t.Errorf("an unchanged frame was written again: %q", got)
	}

	f.show(lines("title", "first row", "2nd row", "status"))
	changed := term.next(t)
	if strings.Contains(changed, "title") || strings.Contains(changed, "first row") || strings.Contains(changed, "status") {
		t.Errorf("unchanged lines were written: %q", changed)
	}
	if got, want := term.vt.Screen(), lines("title", "first row", "2nd row", "status"); got != want {
		t.Errorf("screen:\n%s\nwant:\n%s", got, want)
	}
}

// TestFramesShorterWiderAndResized: lines a shorter frame no longer has
// are cleared, a line wider than the terminal is cut instead of wrapping
// onto the next row, a full-width line keeps its last cell, a frame taller
// than the window keeps its bottom, and a resize draws the frame whole.
func TestFramesShorterWiderAndResized(t *testing.T) {
	term := newWrites(10, 3)
	f := newFrames(term, 10, 3, nil)
	defer f.close(time.Second)

	f.show(lines("aaaa", "bbbb", "cccc"))
	term.next(t)
	f.show(lines("aaaa"))
	term.next(t)
	if got, want := term.vt.Screen(), lines("aaaa", "", ""); got != want {
		t.Errorf("after a shorter frame:\n%s\nwant:\n%s", got, want)
	}

	f.show(lines("0123456789TOO LONG", "exactly10!", "x"))
	term.next(t)
	if got, want := term.vt.Screen(), lines("0123456789", "exactly10!", "x"); got != want {
		t.Errorf("wide lines:\n%s\nwant:\n%s", got, want)
	}

	f.show(lines("top", "one", "two", "status"))
	term.next(t)
	if got, want := term.vt.Screen(), lines("one", "two", "status"); got != want {
		t.Errorf("a tall frame:\n%s\nwant:\n%s", got, want)
	}

	term.vt.Resize(12, 4)
	f.resize(12, 4)
	f.show(lines("after", "the", "resize", "status"))
	// The resize may be drawn first with the frame before it, then the new
	// frame: read until the screen shows it.
	if got := term.until(t, lines("after", "the", "resize", "status")); !strings.Contains(got, "\x1b[2J") {
		t.Errorf("a resize did not draw the screen whole: %q", got)
	}
}

// until reads writes until the screen is want, and returns them all.
func (w *writes) until(t *testing.T, want string) string {
	t.Helper()
	var all strings.Builder
	for w.vt.Screen() != want || all.Len() == 0 {
		all.WriteString(w.next(t))
	}
	return all.String()
}

// TestFramesCloseRestoresTerminal: closing leaves the alternate screen and
// shows the cursor; frames handed over after that are not written.
func TestFramesCloseRestoresTerminal(t *testing.T) {
	term := newWrites(20, 4)
	f := newFrames(term, 20, 4, nil)
	f.show("hello")
	term.next(t)
	f.close(5 * time.Second)
	if got := term.next(t); !strings.HasSuffix(got, restoreTerminal) {
		t.Errorf("close wrote %q, want it to end with %q", got, restoreTerminal)
	}
	f.show("after close")
	_, _ = f.Write([]byte("late"))
	select {
	case got := <-term.got:
		t.Errorf("written after close: %q", got)
	case <-time.After(50 * time.Millisecond):
	}
}

// stuck is a client that stopped reading.
type stuck struct{ release chan struct{} }

func (s stuck) Write(b []byte) (int, error) { <-s.release; return len(b), nil }

// TestFramesCloseDoesNotWaitForeverOnAStuckClient: a client that stopped
// reading holds the writer, not the console: frames keep being taken (the
// latest wins) and close returns after its wait.
func TestFramesCloseDoesNotWaitForeverOnAStuckClient(t *testing.T) {
	s := stuck{release: make(chan struct{})}
	defer close(s.release)
	f := newFrames(s, 20, 4, nil)
	done := make(chan struct{})
	go func() {
		for i := range 1000 {
			f.show(strings.Repeat("x", i%20))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("showing frames blocked on a client that stopped reading")
	}
	start := time.Now()
	f.close(100 * time.Millisecond)
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("close waited %s for a stuck client", waited)
	}
}

// TestIdleConsoleWritesNothing: a signed-in console left alone sends the
// client nothing (no countdown ticking each second, no cursor blinking,
// no frame redrawn the same): within 20 s there is a 3 s stretch in
// which not one byte was written. A flash notice running out may draw
// once; anything periodic fails.
func TestIdleConsoleWritesNothing(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	tm := w.console("amy", nil, 80, 24)
	tm.Expect("Sign in to latch")
	tm.Keys(amyPassword, "enter")
	tm.Expect("1 Projects", "auto-logout in 15 min")
	deadline := time.Now().Add(20 * time.Second)
	for {
		before := tm.vt.Written()
		time.Sleep(3 * time.Second)
		after := tm.vt.Written()
		if after == before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("an idle console kept writing: %d bytes in the last 3 s\n%s", after-before, tm)
		}
	}
}

// TestCopyReachesTheClipboardAtOnce: the console's copy command is one
// the session writes itself, at once (Bubble Tea would hold it until its
// next tick, once a second for a console), and a token's secret copied in
// an SSH console reaches the client's clipboard (OSC 52).
func TestCopyReachesTheClipboardAtOnce(t *testing.T) {
	seq, ok := atOnce(tea.SetClipboard("secret")())
	if want := ansi.SetSystemClipboard("secret"); !ok || seq != want {
		t.Fatalf("atOnce(SetClipboard) = %q, %v; want %q", seq, ok, want)
	}
	if _, ok := atOnce(tea.KeyPressMsg{Code: 'c'}); ok {
		t.Fatal("a key press was taken for a terminal command")
	}

	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	tm := w.console("amy", nil, 80, 24)
	tm.Expect("Sign in to latch")
	tm.Keys(amyPassword, "enter")
	tm.Expect("1 Projects")
	want := copyNewToken(tm)
	waitFor(t, func() bool { return slices.Contains(tm.vt.OSCs(), want) }, "the secret in the clipboard")
}

// copyNewToken makes a token in tm's console and copies its secret (c):
// it returns the OSC 52 the client's clipboard is to get.
func copyNewToken(tm *term) string {
	tm.Keys("2", "n")
	tm.Expect("New API token")
	tm.Keys("copied", "ctrl+s")
	tm.Expect("has been generated")
	secret := secretRE.FindString(tm.vt.Screen())
	tm.Keys("c")
	return "52;c;" + base64.StdEncoding.EncodeToString([]byte(secret))
}
