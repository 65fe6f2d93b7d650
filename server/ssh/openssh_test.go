package sshd

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/latch-dev/latch/server/testenv"
)

// These tests drive OpenSSH's own client (`ssh`), on a PTY for the
// console, as people do.

func TestOpenSSHPasswordLoginCreateAndRevokeToken(t *testing.T) {
	sshAvailable(t)
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	tm := w.openssh("amy", nil, 80, 24)
	tm.Expect("Sign in to latch", "Username  amy")
	tm.Keys(amyPassword, "enter")
	tm.Expect("1 Projects", "SAM importer test", "Scratch Project", "auto-logout in 15 min")
	tm.Keys("2")
	tm.Expect("API tokens", "ssh session (pas") // the name column is cut at 80
	tm.Keys("n")
	tm.Expect("New API token")
	tm.Keys("over ssh", "ctrl+s")
	tm.Expect("has been generated")
	secret := secretRE.FindString(tm.vt.Screen())
	if secret == "" {
		t.Fatalf("no secret:\n%s", tm.vt.Screen())
	}
	who, err := w.client(secret).Whoami(context.Background())
	if err != nil || who.Token.Name != "over ssh" {
		t.Fatalf("the secret shown: %v %+v", err, who)
	}
	tm.Keys("enter")
	tm.Expect("over ssh")
	tm.Keys("/", "over ssh", "enter", "x")
	tm.Expect("Revoke this token?")
	tm.Keys("y")
	tm.Expect("Revoked")
	if _, err := w.client(secret).Whoami(context.Background()); err == nil {
		t.Fatal("the revoked token still works")
	}
	tm.Keys("q")
	tm.Ended(5 * time.Second)
}

func TestOpenSSHKeyLoginAndTwoFactorCode(t *testing.T) {
	sshAvailable(t)
	w := newWorld(t)
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	tm := w.openssh("amy", k, 80, 24)
	tm.Expect("1 Projects", "SAM importer test")
	tm.Keys("ctrl+c")
	tm.Ended(5 * time.Second)

	secret := w.enable2FA("amy")
	tm = w.openssh("amy", k, 80, 24)
	tm.Expect("Signed in with SSH key", "two-factor code or a backup code")
	tm.Keys(totp(t, secret, 0), "enter")
	tm.Expect("1 Projects", "SAM importer test")
}

func TestOpenSSHCommands(t *testing.T) {
	sshAvailable(t)
	w := newWorld(t, func(c *Config) { c.RunCommand = fakeCLI })
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	out, errOut, code := w.opensshRun("amy", k, "", "token create --name ci")
	if code != 0 || len(strings.TrimSpace(out)) != 32 || !strings.Contains(errOut, "Created API token") {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// An unregistered key falls back to no key: no commands.
	other := w.newKey("other")
	_, errOut, code = w.opensshRun("amy", other, "", "whoami")
	if code != exitAuthNeed || !strings.Contains(errOut, "need an SSH key registered to amy") {
		t.Fatalf("unregistered key: exit %d, %q", code, errOut)
	}
	_, errOut, code = w.opensshRun("amy", nil, "", "token list")
	if code != exitAuthNeed {
		t.Fatalf("no key: exit %d, %q", code, errOut)
	}
}

func TestOpenSSHIdleDisconnect(t *testing.T) {
	sshAvailable(t)
	w := newWorld(t, func(c *Config) {
		c.IdleTimeout = func(context.Context, string) (time.Duration, error) { return time.Second, nil }
	})
	w.seedAmy(15 * time.Minute)
	k := w.registerKey("amy", "laptop")
	tm := w.openssh("amy", k, 80, 24)
	tm.Expect("1 Projects", "auto-logout in 15 min")
	tm.Ended(5 * time.Second)
	tm.Expect("Disconnected after 1 second without input")
}

func TestOpenSSHHostKeyIsStable(t *testing.T) {
	sshAvailable(t)
	testenv.Need(t, "ssh-keyscan", "openssh-client")
	w := newWorld(t)
	out, err := exec.Command("ssh-keyscan", "-p", w.port, "-t", "ed25519", "127.0.0.1").Output()
	if err != nil || !strings.Contains(string(out), "ssh-ed25519") {
		t.Fatalf("keyscan: %v %s", err, out)
	}
}
