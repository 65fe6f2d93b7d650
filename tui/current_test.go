package tui_test

import (
	"context"
	"testing"

	"github.com/latch-dev/latch/server/testenv"
	"github.com/latch-dev/latch/tui"
)

// Over SSH the console runs in the server, where no config file is the
// person's: "make current" is kept by the server for the account, says
// so, and the next console of that account (another SSH session, another
// instance, after a restart) starts with it. Nothing goes to the local
// config.
func TestRemoteCurrentProjectIsKeptOnTheServer(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	remote := func(o *tui.Options) { o.Remote = true }
	c := newConsole(t, srv, 80, 24, remote)
	c.login(t, "")
	c.Refute("project:")
	c.Keys("/")
	c.Type("scratch")
	c.Keys("enter", "enter")
	c.WaitFor("kept for your account")
	c.Expect("Current project: Scratch Project", "● Scratch Project")
	if c.persist.project != "" {
		t.Fatalf("over SSH the project went to the local config: %q", c.persist.project)
	}
	cur, err := srv.Login(t, "amy", "").CurrentProject(context.Background())
	if err != nil || cur == nil || cur.Name != testenv.Scratch {
		t.Fatalf("the server keeps %+v, %v", cur, err)
	}

	// The next SSH console of amy starts with it.
	next := newConsole(t, srv, 80, 24, remote)
	next.login(t, "")
	next.WaitFor("project: Scratch Project")
	next.Expect("● Scratch Project")

	// A console on a computer keeps its own, in the config file.
	local := newConsole(t, srv, 80, 24)
	local.login(t, "")
	local.Refute("project: Scratch Project")
}
