package tui_test

import (
	"strings"
	"testing"

	"github.com/latch-dev/latch/tui"
)

// Inside an SSH session the console's texts name what works there: the
// Activity tab for the failed sign-ins, `ssh … token rotate` for a
// rotation with a grace period — never a `latch …` command.
func TestRemoteTextsNameWhatWorksOverSSH(t *testing.T) {
	srv := seeded(t)
	elsewhere(t, srv)
	srv.TokenOnService(t, "amy", "deploy")
	failedSignIn(t, srv)
	c := newConsole(t, srv, 100, 30, func(o *tui.Options) { o.Remote, o.SSHCommand = true, "ssh -p 2222 amy@host" })
	c.login(t, "")
	c.Expect("1 failed sign-in attempt since then: see the Activity tab")
	c.Keys("2")
	c.Expect("API tokens")
	c.Keys("/")
	c.Type("deploy")
	c.Keys("enter", "enter", "r")
	c.Expect("Rotate this token?", "`ssh -p 2222 amy@host token rotate token-")
	if strings.Contains(c.Screen(), "`latch ") {
		t.Fatalf("a latch command advised over SSH:\n%s", c.Screen())
	}

	// On a computer the same texts name the command line.
	local := newConsole(t, srv, 100, 30)
	local.login(t, "")
	local.Keys("2")
	local.Expect("API tokens")
	local.Keys("/")
	local.Type("deploy")
	local.Keys("enter", "enter", "r")
	local.Expect("Rotate this token?", "`latch token rotate token-")
}
