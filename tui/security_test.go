package tui_test

import (
	"context"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
)

// One session is signed out from the sessions list, with a confirmation;
// g and G go to the first and last rows.
func TestSecuritySignOutOneSession(t *testing.T) {
	srv := seeded(t)
	c := newConsole(t, srv, 80, 30)
	c.login(t, "")
	srv.Clock.Advance(time.Second) // newer: listed first
	other := elsewhere(t, srv)
	c.Keys("3")
	c.WaitFor("Active sessions (2)")
	c.Keys("G")
	c.Expect("▸ ● tui session", "sign this session out")
	c.Keys("g")
	c.Expect("▸ Enable two-factor authentication")
	c.Keys("G", "up")
	c.Expect("▸   cli session")
	c.Keys("x")
	c.Expect("Sign this session out?", "cli session", "signed out at once")
	c.Refute("you will be logged out")
	c.Keys("y")
	c.Expect("Signed out “cli session", "Active sessions (1)")
	if _, err := other.Whoami(context.Background()); !client.IsAuth(err) {
		t.Fatalf("the session signed out still works: %v", err)
	}
	// This console's own session: it says so, and logs out here.
	c.Keys("G", "enter")
	c.Expect("Sign this session out?", "tui session", "you will be logged out")
	c.Keys("y")
	c.Expect("Sign in to latch", "You signed out the session of this console.")
}
