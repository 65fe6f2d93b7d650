package tui_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/latch-dev/latch/client"
	"github.com/latch-dev/latch/server/testenv"
)

// r in a token's details rotates it: the new secret is shown once, works
// with the same name, scope and lifetime, and the old one is refused.
func TestRotateFromDetails(t *testing.T) {
	srv := testenv.New(t)
	srv.SeedAmy(t, testenv.Org{})
	c := newConsole(t, srv, 80, 24)
	c.login(t, "")
	c.Keys("2", "n")
	c.Expect("New API token")
	c.Type("nightly upload")
	c.Keys("tab", "right", "tab", "right", "tab", "space", "right") // 90 days, one project
	c.Keys("ctrl+s")
	c.Expect("has been generated")
	secretRE := regexp.MustCompile(`\b[A-Za-z0-9]{32}\b`)
	old := secretRE.FindString(c.Screen())
	c.Keys("enter")
	c.Expect("2 active", "nightly upload")

	srv.Clock.Advance(10 * time.Minute) // within the inactivity limit
	c.Keys("/")
	c.Type("nightly")
	c.Keys("enter", "enter")
	c.Expect("r rotate")
	c.Keys("r")
	c.Expect("Rotate this token?", "stops working now")
	c.Keys("y")
	c.Expect("has been generated")
	fresh := secretRE.FindString(c.Screen())
	if fresh == "" || fresh == old {
		t.Fatalf("no new secret on screen:\n%s", c.Screen())
	}
	c.Keys("enter")
	c.Expect("Rotated “nightly upload”: the old secret no longer works.")

	if _, err := mustClient(t, srv, old).Whoami(context.Background()); !client.IsAuth(err) {
		t.Fatalf("the old secret still works: %v", err)
	}
	who, err := mustClient(t, srv, fresh).Whoami(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if who.Token.Name != "nightly upload" || who.Token.Scope == nil || len(who.Token.Scope.Projects) != 1 {
		t.Fatalf("rotated token %+v", who.Token)
	}
	if got := who.Token.ExpiresAt.Sub(srv.Clock.Now()); got != 90*24*time.Hour {
		t.Fatalf("the rotated token expires in %s, want the original lifetime of 90 days", got)
	}
}
