package sshd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// One connection without a registered key gets one console: further
// channels on it are refused, however many it opens.
func TestUnauthenticatedConnectionGetsOneConsole(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	c := w.mustDial("amy", nil)
	first := w.consoleWith(c, 80, 24)
	first.Expect("Sign in to latch")
	refused := 0
	for range 5 {
		tm := w.consoleWith(c, 80, 24)
		tm.Ended(5 * time.Second)
		if strings.Contains(tm.stderr.String(), "may open one console") {
			refused++
		}
	}
	if refused != 5 {
		t.Fatalf("%d of 5 extra consoles on one unauthenticated connection refused", refused)
	}
	if all, _ := w.srv.limits.counts(""); all != 1 {
		t.Fatalf("%d sessions counted, want 1", all)
	}
}

// A key-authenticated connection may multiplex a few sessions, not more.
func TestSessionsPerConnection(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.MaxSessionsPerConn = 2; c.MaxSessionsPerUser = 10 })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	c := w.mustDial("amy", k)
	w.consoleWith(c, 80, 24).Expect("1 Projects")
	w.consoleWith(c, 80, 24).Expect("1 Projects")
	third := w.consoleWith(c, 80, 24)
	third.Ended(5 * time.Second)
	if !strings.Contains(third.stderr.String(), "this connection has as many sessions open as it may (2)") {
		t.Fatalf("third session on one connection: %q", third.stderr.String())
	}
	// Another connection of the same key is a new place.
	w.console("amy", k, 80, 24).Expect("1 Projects")
}

// While sessions without a key fill their share of the server, a
// registered key still gets in.
func TestFloodWithoutKeysLeavesRoomForKeys(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.MaxSessions = 6; c.MaxUnauthPerAddr = 10; c.UnauthBurst = 20 })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	opened, refused := 0, 0
	for range 8 {
		tm := w.console("amy", nil, 80, 24)
		select {
		case <-tm.done:
			if strings.Contains(tm.stderr.String(), "without a registered key as it allows") {
				refused++
			}
		case <-time.After(time.Second):
			opened++
		}
	}
	if opened != 3 || refused != 5 {
		t.Fatalf("unauthenticated consoles: %d opened, %d refused; want 3 (half of 6) and 5", opened, refused)
	}
	w.console("amy", k, 80, 24).Expect("1 Projects", "SAM importer test")
}

// A console nobody signs in to is closed after the sign-in timeout; one
// signed in stays.
func TestConsoleNobodySignsInToIsClosed(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.SignInTimeout = 500 * time.Millisecond })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	signed := w.console("amy", k, 80, 24)
	signed.Expect("1 Projects")
	idle := w.console("amy", nil, 80, 24)
	idle.Expect("Sign in to latch")
	idle.Ended(5 * time.Second)
	if !strings.Contains(idle.stderr.String(), "Nobody signed in within 500ms") {
		t.Fatalf("stderr %q", idle.stderr.String())
	}
	select {
	case <-signed.done:
		t.Fatal("a signed-in console was closed by the sign-in timeout")
	case <-time.After(time.Second):
	}
}

// With OpenSSH's own multiplexing (ssh -M, then ssh -S), one connection
// without a key opens one console; the rest are refused.
func TestOpenSSHMultiplexedConnectionGetsOneConsole(t *testing.T) {
	bin := sshAvailable(t)
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	sock := filepath.Join(w.dir, "mux.sock")
	master := exec.Command(bin, append([]string{"-M", "-S", sock, "-N", "-o", "ControlPersist=no"}, w.opensshArgs("amy", nil)...)...)
	master.Env = append(os.Environ(), "HOME="+w.dir)
	if err := master.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = master.Process.Kill(); _ = master.Wait() })
	waitFor(t, func() bool { _, err := os.Stat(sock); return err == nil }, "the control socket")
	opened := 0
	var terms []*term
	for range 5 {
		cmd := exec.Command(bin, "-S", sock, "-tt", "amy@127.0.0.1")
		cmd.Env = append(os.Environ(), "HOME="+w.dir, "TERM=xterm-256color")
		tm := w.startPTY(cmd, 80, 24)
		terms = append(terms, tm)
	}
	for _, tm := range terms {
		select {
		case <-tm.done:
		case <-time.After(3 * time.Second):
			opened++
		}
	}
	t.Logf("consoles opened by one multiplexed connection without a key: %d of 5", opened)
	if opened != 1 {
		t.Fatalf("%d consoles on one multiplexed connection, want 1", opened)
	}
}

// A session's places in the caps are free once its client has the exit
// status: commands run one after another on a connection allowed one
// session are never refused. (The exit status used to go out before the
// session was released, and the next command could find it still held.)
func TestSessionIsReleasedBeforeItsExitStatus(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI; c.MaxSessionsPerConn = 1; c.MaxSessionsPerUser = 1 })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	c := w.mustDial("amy", k)
	for i := range 40 {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var out, errb strings.Builder
		sess.Stdout, sess.Stderr = &out, &errb
		err = sess.Run("whoami")
		sess.Close()
		if err != nil {
			t.Fatalf("command %d, right after the one before ended: %v %s", i+1, err, errb.String())
		}
		if n := w.srv.Sessions(); n != 0 {
			t.Fatalf("after command %d ended, %d sessions still counted open", i+1, n)
		}
	}
}

// TestEveryConsoleAUserMayOpenIsLive: with the default limits, each of the
// consoles a user may open with a key has its live stream — the server's
// own watch of each key session takes none of the user's stream places.
// Before, the 9th and 10th sat "Server unavailable … retrying in 5s" for
// good, redrawing every second.
func TestEveryConsoleAUserMayOpenIsLive(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	terms := make([]*term, DefaultMaxSessionsPerUser)
	for i := range terms {
		terms[i] = w.console("amy", k, 100, 30)
		terms[i].Expect("1 Projects", "SAM importer test")
	}
	// A key press on the last: its stream is asked for by then.
	terms[len(terms)-1].Keys("2")
	terms[len(terms)-1].Expect("API tokens")
	waitFor(t, func() bool { return w.srv.cfg.Service.OpenStreams() >= 2*len(terms) }, "every console's stream and every key watch")
	for i, tm := range terms {
		if s := tm.vt.Screen(); strings.Contains(s, "retrying") || strings.Contains(s, "unavailable") {
			t.Errorf("console %d is not live:\n%s", i+1, s)
		}
	}
}

// TestConsoleBeyondTheStreamBudgetSaysWhy: when an operator lets a user
// open more consoles than the account may hold live streams, the one
// refused says that live updates are paused and why — not that the
// server "does not answer" (it does).
func TestConsoleBeyondTheStreamBudgetSaysWhy(t *testing.T) {
	n := server.DefaultMaxStreamsPerUser + 1
	w := newWorld(t, func(c *Config) { c.MaxSessionsPerUser, c.MaxSessionsPerConn = n, n })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	var last *term
	for range n {
		last = w.console("amy", k, 160, 30)
		last.Expect("1 Projects")
	}
	last.Expect("Live updates paused", "open streams, the most they may")
	if s := last.vt.Screen(); strings.Contains(s, "does not answer") {
		t.Errorf("the refused console says the server does not answer:\n%s", s)
	}
}
