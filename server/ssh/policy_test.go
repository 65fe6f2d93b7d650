package sshd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server"
)

// Removing the key a console signed in with ends that SSH session.
func TestRemovingTheKeyEndsItsSSHSession(t *testing.T) {
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	tm := w.console("amy", k, 80, 24)
	tm.Expect("1 Projects", "SAM importer test")
	if err := w.apiLogin("amy", "").RemoveSSHKey(context.Background(), ssh256(k)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	tm.Ended(5 * time.Second)
	if !strings.Contains(tm.stderr.String(), "was removed from your account") {
		t.Fatalf("stderr %q", tm.stderr.String())
	}
	t.Logf("the SSH session ended %s after the key was removed", time.Since(start).Round(time.Millisecond))
}

// An org's shorter autoLogoutAfter reaches SSH sessions already open.
func TestShorterPolicyReachesAnOpenSSHSession(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.PolicyRefresh = 100 * time.Millisecond })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	tm := w.console("amy", k, 80, 24)
	tm.Expect("1 Projects")
	time.Sleep(300 * time.Millisecond) // idle for a while under the 15-minute policy
	one := time.Minute
	if _, err := w.svc.UpdateOrg(context.Background(), "Genomics Lab", server.OrgUpdate{AutoLogoutAfter: &one}); err != nil {
		t.Fatal(err)
	}
	// The session has been idle less than a minute: it stays…
	time.Sleep(500 * time.Millisecond)
	select {
	case <-tm.done:
		t.Fatal("disconnected before the new limit ran out")
	default:
	}
	// …and the limit it now follows is the new one: set the clock of input
	// back, as a minute of idling would.
	var st *session
	w.srv.mu.Lock()
	for s := range w.srv.sessions {
		st = s
	}
	w.srv.mu.Unlock()
	if got := time.Duration(st.idle.Load()); got != time.Minute {
		t.Fatalf("the open session follows %s, want 1m", got)
	}
	st.lastInput.Store(time.Now().Add(-2 * time.Minute).UnixNano())
	st.checkIdle()
	tm.Ended(5 * time.Second)
	if !strings.Contains(tm.stderr.String(), "without input") {
		t.Fatalf("stderr %q", tm.stderr.String())
	}
}

// A member of an org that requires 2FA, without it, gets the enroll-only
// rules over SSH too: commands that need more are refused.
func TestEnrollOnlyOverSSH(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	on := true
	if _, err := w.svc.UpdateOrg(context.Background(), "Genomics Lab", server.OrgUpdate{Require2FA: &on}); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := w.run("amy", k, "", "token create --name ci")
	if code == 0 || !strings.Contains(errOut, "requires two-factor authentication") {
		t.Fatalf("token create by an enroll-only key session: exit %d, %q", code, errOut)
	}
	out, _, code := w.run("amy", k, "", "whoami")
	if code != 0 || !strings.Contains(out, "amy ssh-key") {
		t.Fatalf("whoami stays open to enroll-only: %d %q", code, out)
	}
}

// --ssh-idle-timeout (MaxIdle) caps the org's policy, and never lengthens it.
func TestMaxIdleCapsTheOrgPolicy(t *testing.T) {
	w := newWorld(t, func(c *Config) { c.MaxIdle = 5 * time.Minute })
	w.seedAmy(15 * time.Minute)
	if got, err := w.srv.cfg.IdleTimeout(context.Background(), "amy"); err != nil || got != 5*time.Minute {
		t.Errorf("amy's org allows 15m, the server 5m: the session follows %s", got)
	}
	two := 2 * time.Minute
	if _, err := w.svc.UpdateOrg(context.Background(), "Genomics Lab", server.OrgUpdate{AutoLogoutAfter: &two}); err != nil {
		t.Fatal(err)
	}
	if got, err := w.srv.cfg.IdleTimeout(context.Background(), "amy"); err != nil || got != two {
		t.Errorf("amy's org allows 2m, the server 5m: the session follows %s", got)
	}
}
