package sshd

import (
	"context"
	"strings"
	"testing"
	"time"
)

// `ssh -t host CMD` runs CMD: the command wins over the console.
func TestOpenSSHCommandWithATerminalRunsIt(t *testing.T) {
	sshAvailable(t)
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	tm := w.opensshCommand("amy", k, 80, 24, "whoami")
	tm.Expect("amy ssh-key")
	if code := tm.Exited(5 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, tm.vt.Screen())
	}
	if s := tm.vt.Screen(); strings.Contains(s, "Projects") || strings.Contains(s, "Sign in") {
		t.Fatalf("the console opened instead of the command:\n%s", s)
	}
	// The exit status comes back through the terminal too.
	tm = w.opensshCommand("amy", k, 80, 24, "token", "revoke", "nothing-like-this")
	if code := tm.Exited(5 * time.Second); code != 7 {
		t.Fatalf("exit %d, want the command's 7", code)
	}
	// A command not offered over SSH is refused there as without a terminal.
	tm = w.opensshCommand("amy", k, 80, 24, "admin", "users")
	tm.Expect("cannot be run over SSH")
	if code := tm.Exited(5 * time.Second); code != exitUsage {
		t.Fatalf("exit %d", code)
	}
}

// With 2FA on, the code is asked on the terminal; a wrong one is said so
// and asked again.
func TestOpenSSHCommandAsksForTheCodeOnTheTerminal(t *testing.T) {
	sshAvailable(t)
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	secret := w.enable2FA("amy")
	tm := w.opensshCommand("amy", k, 80, 24, "whoami")
	tm.Expect("Signed in with SSH key", "Two-factor code for amy")
	tm.Keys("000000", "enter")
	tm.Expect("not accepted")
	tm.Keys(totp(t, secret, 0), "enter")
	tm.Expect("amy ssh-key+totp")
	if code := tm.Exited(5 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, tm.vt.Screen())
	}
	if strings.Contains(tm.vt.Screen(), totp(t, secret, 0)) {
		t.Fatalf("the code was echoed:\n%s", tm.vt.Screen())
	}
	// The session the code opened served that command alone: the key
	// without a code runs nothing.
	waitFor(t, func() bool { return activeSessions(t, w, "amy") == 0 }, "the command's session to be revoked")
	if _, errOut, code := w.opensshRun("amy", k, "", "whoami"); code != exitAuthNeed || !strings.Contains(errOut, "two-factor authentication is on") {
		t.Fatalf("after a command with a code, the key alone: exit %d, %q", code, errOut)
	}
	// ctrl+c gives up: nothing runs.
	tm = w.opensshCommand("amy", k, 80, 24, "whoami")
	tm.Expect("Two-factor code for amy")
	tm.Keys("ctrl+c")
	if code := tm.Exited(5 * time.Second); code != exitAuthNeed {
		t.Fatalf("exit %d after ctrl+c:\n%s", code, tm.vt.Screen())
	}
	if strings.Contains(tm.vt.Screen(), "amy ssh-key") {
		t.Fatalf("the command ran without the code:\n%s", tm.vt.Screen())
	}
}

// Without a registered key, a terminal asks for the password (and the
// code with 2FA on); without a terminal the refusal says how to get one.
func TestOpenSSHCommandWithATerminalSignsInWithThePassword(t *testing.T) {
	sshAvailable(t)
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	tm := w.opensshCommand("amy", nil, 80, 24, "whoami")
	tm.Expect("Password for amy")
	tm.Keys("not the password", "enter")
	tm.Expect("not correct")
	tm.Keys(amyPassword, "enter")
	tm.Expect("amy password")
	if code := tm.Exited(5 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, tm.vt.Screen())
	}
	if strings.Contains(tm.vt.Screen(), amyPassword) {
		t.Fatalf("the password was echoed:\n%s", tm.vt.Screen())
	}
	waitFor(t, func() bool { return activeSessions(t, w, "amy") == 0 }, "the command's session to be revoked")
	// The activity calls it a command, though it had a terminal.
	evs, err := w.apiLogin("amy", "").Events(context.Background(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	agent := ""
	for _, e := range evs.Events {
		if e.Type == "login.success" && e.Method == "ssh" && agent == "" {
			agent = e.Agent
		}
	}
	if !strings.Contains(agent, "ssh-command") {
		t.Fatalf("the sign-in of a command on a terminal has the agent %q, want the SSH command's", agent)
	}

	secret := w.enable2FA("amy")
	tm = w.opensshCommand("amy", nil, 80, 24, "whoami")
	tm.Expect("Password for amy")
	tm.Keys(amyPassword, "enter")
	tm.Expect("Two-factor code for amy")
	tm.Keys(totp(t, secret, 1), "enter")
	tm.Expect("amy password+totp")
	if code := tm.Exited(5 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, tm.vt.Screen())
	}

	_, errOut, code := w.opensshRun("amy", nil, "", "whoami")
	if code != exitAuthNeed || !strings.Contains(errOut, "ssh -t") || strings.Contains(errOut, "latch login") {
		t.Fatalf("no key, no terminal: exit %d, %q", code, errOut)
	}
}
