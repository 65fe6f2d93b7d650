package tui_test

import (
	"context"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/client/wire"
	"github.com/latch-dev/latch/server/testenv"
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

// The profile form: a new name needs nothing more without 2FA and shows at
// once; a new email asks for the password, offers to revoke the API
// tokens (saying how many), and ends every session, this one included.
func TestSecurityProfile(t *testing.T) {
	srv := seeded(t)
	other := elsewhere(t, srv)
	made, err := other.CreateToken(context.Background(), wire.CreateTokenRequest{Name: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Keys("3")
	c.Expect("Name and email        Amy Example (no email)")
	c.Keys("down", "down", "down", "down", "enter")
	c.Expect("Name and email", "Name", "Amy Example", "Email")
	c.Refute("Password") // shown for a new email only
	c.Refute("Also revoke")
	c.Keys("ctrl+s")
	c.Expect("Nothing to save")
	c.Type(" Pond")
	c.Keys("ctrl+s")
	c.Expect("Your name is now “Amy Example Pond”.", "Amy Example Pond (no email)")

	c.Keys("enter")
	c.Keys("tab")
	c.Type("not an address")
	c.Expect("Password", "Also revoke your active API token")
	c.Keys("ctrl+s")
	c.Expect("That is not an email address", "┃ Email")
	for range len("not an address") {
		c.Keys("backspace")
	}
	c.Type("amy@example.org")
	c.Keys("ctrl+s")
	c.Expect("Enter your current password", "┃ Password")
	c.Type(testenv.Password)
	c.Keys("tab", "space") // revoke the API token too
	c.Keys("ctrl+s")
	c.Expect("Sign in to latch", "Your email is now amy@example.org. Signed out 2 sessions and", "revoked 1 API token.")
	if _, err := mustClient(t, srv, made.Token).Whoami(context.Background()); !client.IsAuth(err) {
		t.Fatalf("the API token after ticking the box: %v", err)
	}
	if _, err := other.Whoami(context.Background()); !client.IsAuth(err) {
		t.Fatalf("another session after a new email: %v", err)
	}
}
