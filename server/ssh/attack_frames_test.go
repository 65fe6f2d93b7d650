package sshd

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// stuckConsole is a console whose client stopped reading: its output is
// never read, so once the SSH window (2 MB for the Go client) is full the
// server cannot write another byte of stdout or stderr. Resizing between
// two large sizes makes the console redraw whole until it is full.
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

// fill redraws the console whole until far more than the window was sent.
func (s *stuckConsole) fill(t *testing.T) {
	t.Helper()
	for i := range 400 {
		if err := s.sess.WindowChange(100, 300-i%2); err != nil {
			t.Fatal(err)
		}
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
	f := newFrames(s, 80, 24)
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
